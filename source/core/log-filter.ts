/**
 * Access-log filters as people type them (`--status=4xx`, `?since=24h`): one parser for the
 * command line, the server's query string and the console's filter fields.
 */
import type { AccessLogFilter } from "./backend.js";
import { parseInstant } from "./time.js";

export interface LogFilterText {
	key?: string;
	status?: string;
	method?: string;
	path?: string;
	/** Text anywhere in the path. */
	contains?: string;
	since?: string;
	until?: string;
}

export type LogFilterResult =
	| { ok: true; filter: AccessLogFilter }
	| { ok: false; field: keyof LogFilterText; error: string };

export function parseLogFilter(text: LogFilterText, now: Date): LogFilterResult {
	const filter: AccessLogFilter = {};
	const fail = (field: keyof LogFilterText, error: string): LogFilterResult => ({ ok: false, field, error });
	if (text.key !== undefined) {
		if (!/^\d{1,9}$/.test(text.key)) return fail("key", `"${text.key}" is not a key id (a whole number)`);
		filter.keyId = Number(text.key);
	}
	if (text.status !== undefined) {
		const status = text.status.toLowerCase();
		if (/^[1-5]xx$/.test(status)) filter.statusClass = Number(status[0]);
		else if (/^[1-5]\d\d$/.test(status)) filter.status = Number(status);
		else return fail("status", `"${text.status}" is not a status: use a code such as 404 or a class such as 4xx`);
	}
	if (text.method !== undefined) {
		if (!/^[A-Za-z]{1,16}$/.test(text.method)) return fail("method", `"${text.method}" is not an HTTP method`);
		filter.method = text.method.toUpperCase();
	}
	if (text.path !== undefined) filter.pathPrefix = text.path;
	if (text.contains !== undefined) filter.pathContains = text.contains;
	for (const field of ["since", "until"] as const) {
		const value = text[field];
		if (value === undefined) continue;
		const instant = parseInstant(value, now);
		if (!instant.ok) return fail(field, instant.error);
		filter[field] = instant.value;
	}
	return { ok: true, filter };
}
