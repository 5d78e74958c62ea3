/**
 * Access-log filters as people type them (`--status=4xx`, `?since=24h`, `status:4xx`): the field
 * names and one parser for the command line, the server's query string, the remote client and the
 * console's filter words.
 */
import type { AccessLogFilter } from "./backend.js";
import { parseInstant } from "./time.js";

/** Every filter field's name, as a flag, a query parameter and a console word (`contains`: text anywhere in the path). */
export const logFilterFields = ["key", "status", "method", "path", "contains", "since", "until"] as const;
export type LogFilterField = (typeof logFilterFields)[number];

export type LogFilterText = Partial<Record<LogFilterField, string>>;

export type LogFilterResult =
	| { ok: true; filter: AccessLogFilter }
	| { ok: false; field: keyof LogFilterText; error: string };

/** The fields `read` gives a value for (flags, a query string); an empty value is no filter. */
export function logFilterText(read: (field: LogFilterField) => string | null | undefined): LogFilterText {
	const text: LogFilterText = {};
	for (const field of logFilterFields) {
		const value = read(field);
		if (value !== null && value !== undefined && value !== "") text[field] = value;
	}
	return text;
}

/**
 * The console's filter words: `status:4xx method:post path:/api since:24h key:1001`; a bare word
 * is text anywhere in the path. `keyId` is the key whose log is open, if any.
 */
export function parseLogFilterWords(words: string, keyId: number | undefined, now: Date): LogFilterResult {
	const text: LogFilterText = keyId === undefined ? {} : { key: String(keyId) };
	for (const word of words.split(/\s+/).filter(Boolean)) {
		const colon = word.indexOf(":");
		const field = colon > 0 ? word.slice(0, colon).toLowerCase() : "contains";
		if (!isLogFilterField(field)) {
			const named = logFilterFields.filter((name) => name !== "contains").join(", ");
			return { ok: false, field: "path", error: `unknown filter "${field}": use ${named}` };
		}
		text[field] = colon > 0 ? word.slice(colon + 1) : word;
	}
	return parseLogFilter(text, now);
}

function isLogFilterField(name: string): name is LogFilterField {
	return (logFilterFields as readonly string[]).includes(name);
}

/** A parsed filter as field text again, for a remote instance's query string. */
export function logFilterQuery(filter: AccessLogFilter): LogFilterText {
	const status = filter.status ?? (filter.statusClass === undefined ? undefined : `${filter.statusClass}xx`);
	const query: Record<LogFilterField, string | undefined> = {
		key: filter.keyId === undefined ? undefined : String(filter.keyId),
		status: status === undefined ? undefined : String(status),
		method: filter.method,
		path: filter.pathPrefix,
		contains: filter.pathContains,
		since: filter.since === undefined ? undefined : new Date(filter.since).toISOString(),
		until: filter.until === undefined ? undefined : new Date(filter.until).toISOString(),
	};
	return logFilterText((field) => query[field]);
}

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
