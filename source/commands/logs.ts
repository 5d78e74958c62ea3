/** `apikeys-tui logs`: the access log, newest first, filtered and keyset-paged. */
import { AppError } from "../core/errors.js";
import type { AccessLogEntry, AccessLogFilter } from "../core/backend.js";
import { safeLine, terminalJson } from "../core/terminal-text.js";
import { logFilterText, parseLogFilter } from "../core/log-filter.js";
import { formatTimestamp } from "../core/time.js";
import { type CommandSpec, type Flags, optionError, stringFlag } from "./command.js";

function filterFromFlags(flags: Flags, now: Date): AccessLogFilter {
	const text = logFilterText((field) => stringFlag(flags, field));
	const parsed = parseLogFilter(text, now);
	if (!parsed.ok) throw optionError(parsed.field, parsed.error);
	return parsed.filter;
}

function formatEntry(entry: AccessLogEntry): string {
	// A remote instance's values are not checked: each is shown as text, escaped.
	const key = entry.keyId === null ? "-" : `#${safeLine(String(entry.keyId))}`;
	const duration = `${Number(entry.durationMs).toFixed(1)} ms`;
	return [
		formatTimestamp(entry.at),
		key.padEnd(6),
		safeLine(entry.method).padEnd(6),
		safeLine(String(entry.status)),
		duration.padStart(9),
		safeLine(entry.client).padEnd(15),
		safeLine(entry.path),
	].join("  ");
}

export const logsCommand: CommandSpec = {
	name: "logs",
	summary: "Shows the access log, newest first.",
	usage:
		"apikeys-tui logs [--key=N] [--status=4xx|404] [--method=GET] [--path=/api/] [--since=24h] [--json]",
	details: `
Times are UTC; paths, clients and agents are shown with control characters escaped.
  2026-11-20 10:00:02  #1001   GET     404     2.3 ms  127.0.0.1        /nuget/feed/x
--since and --until take a span back from now (15m, 24h, 7d, 2w) or a date.
--before=ID continues after the last entry of the previous page (printed on stderr); --json
prints {"entries": [...], "nextBefore": ID}.
--prune applies the retention settings now (log-retention-days, log-max-rows, log-max-bytes).
A key, a status outside 2xx and a time range are looked up through indexes; a method, a path
or a 2xx status is searched 100,000 entries at a time, going on until the page is full or the
log ends, so an entry that matches is never missed.

Examples:
  apikeys-tui logs --key=1001 --status=4xx --since=24h
  apikeys-tui logs --path=/api/ --method=POST --json
  apikeys-tui logs --before=ID                            # the next page
  apikeys-tui logs --prune`,
	flags: {
		key: { type: "string", placeholder: "N", description: "Only requests made with this key id" },
		status: {
			type: "string",
			placeholder: "CODE",
			description: "Only this status (404) or class (4xx)",
		},
		method: { type: "string", description: "Only this HTTP method" },
		path: { type: "string", placeholder: "PREFIX", description: "Only paths starting with this" },
		since: {
			type: "string",
			placeholder: "TIME",
			description: "Only entries at or after this time",
		},
		until: {
			type: "string",
			placeholder: "TIME",
			description: "Only entries at or before this time",
		},
		limit: {
			type: "string",
			placeholder: "N",
			description: "At most this many entries (default 50, max 1000)",
		},
		before: {
			type: "string",
			placeholder: "ID",
			description: "Only entries older than this entry id (paging)",
		},
		json: {
			type: "boolean",
			description: "Print a JSON object with the entries and the next cursor",
		},
		prune: {
			type: "boolean",
			description: "Delete entries beyond the retention settings, then exit",
		},
	},
	async run({ flags, io, openBackend }) {
		const now = new Date();
		const filter = filterFromFlags(flags, now);
		const limitText = stringFlag(flags, "limit") ?? "50";
		if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000) {
			throw optionError("limit", "must be a whole number from 1 to 1000");
		}
		const beforeText = stringFlag(flags, "before");
		if (beforeText !== undefined && !/^\d{1,15}$/.test(beforeText)) {
			throw optionError("before", "must be an entry id");
		}
		const backend = await openBackend({ existing: true });
		if (!backend.capabilities.accessLogs.available)
			throw new AppError(backend.capabilities.accessLogs.reason, "invalid");
		if (flags.prune === true) {
			const removed = await backend.pruneAccessLog();
			io.stdout(`Pruned ${removed} access-log entries.\n`);
			return;
		}
		const limit = Number(limitText);
		let page = await backend.queryAccessLog(filter, {
			limit,
			...(beforeText === undefined ? {} : { before: Number(beforeText) }),
		});
		// A filter no index serves (a path, a method, 2xx) is answered a window of entries at a
		// time, maybe with none in it: read on until the page is full or the log ends.
		while (page.entries.length < limit && page.nextBefore !== undefined) {
			const next = await backend.queryAccessLog(filter, { limit: limit - page.entries.length, before: page.nextBefore });
			page = { ...next, entries: [...page.entries, ...next.entries] };
		}
		if (flags.json === true) {
			io.stdout(`${terminalJson(page, 2)}\n`);
			return;
		}
		if (page.entries.length === 0) {
			io.stdout("No access-log entries match.\n");
			return;
		}
		for (const entry of page.entries) io.stdout(`${formatEntry(entry)}\n`);
		if (page.nextBefore !== undefined) io.stderr(`(more: --before=${page.nextBefore})\n`);
	},
};
