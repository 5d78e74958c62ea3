/**
 * The access log, read and pruned: reads are keyset-paged (newest first) over indexes that match
 * the filters the console offers. Entries are written in batches by access-log-writer.ts, in the
 * access-log thread.
 */
import type { AccessLogEntry, AccessLogFilter, AccessLogPage } from "../core/backend.js";
import type { Db } from "./database.js";

/** Entries wait at most this long before they are written: the most a hard crash can lose. */
export const batchWindowMs = 200;
/**
 * Entries written in one transaction at most: a large batch writes each index page once for many
 * rows and commits less often.
 */
export const batchSize = 2000;

/** An access_log row as both engines read it (id and time as numbers). */
export interface AccessRow {
	id: number;
	at: number;
	key_id: number | null;
	key_name: string | null;
	method: string;
	path: string;
	status: number;
	duration_ms: number;
	client: string;
	user_agent: string | null;
	request_body: string | null;
	response_body: string | null;
}

export function entryFromRow(row: AccessRow): AccessLogEntry {
	return {
		id: row.id,
		at: row.at,
		keyId: row.key_id,
		keyName: row.key_name,
		method: row.method,
		path: row.path,
		status: row.status,
		durationMs: row.duration_ms,
		client: row.client,
		userAgent: row.user_agent,
		requestBody: row.request_body,
		responseBody: row.response_body,
	};
}

/** Rows one page scans at most for a filter no index serves; a page that finds fewer says where to go on. */
export const pathScanWindow = 100_000;
/** How far out of time order entries may have been written (ten full batches' worth). */
const timeOrderSlack = 10 * batchSize;

export interface PageQuery {
	sql: string;
	params: unknown[];
	limit: number;
	/** Where a bounded scan stopped: older entries are left for the next page. */
	scanFloor?: number;
}

function scalar(db: Db, sql: string, ...params: unknown[]): number | undefined {
	const value = db.prepare(sql).pluck().get(...params) as number | null | undefined;
	return value ?? undefined;
}

/**
 * The lowest id from which every entry is at `time` or later, found by bisecting ids: entries are
 * written in time order, so ids follow time (within `timeOrderSlack`, which callers allow for).
 * One more than the highest id when no entry is that late; undefined for an empty log.
 */
export function firstIdFrom(db: Db, time: number): number | undefined {
	const lowest = scalar(db, "SELECT min(id) FROM access_log");
	const highest = scalar(db, "SELECT max(id) FROM access_log");
	if (lowest === undefined || highest === undefined) return undefined;
	// The first entry at or above an id: ids may have gaps where entries were pruned.
	const next = db.prepare("SELECT id, at FROM access_log WHERE id >= ? ORDER BY id LIMIT 1").raw(true);
	let low = lowest;
	let high = highest + 1;
	while (low < high) {
		const middle = Math.floor((low + high) / 2);
		const entry = next.get(middle) as [id: number, at: number] | undefined;
		if (entry === undefined || entry[1] >= time) high = middle;
		else low = entry[0] + 1;
	}
	return low;
}

/**
 * The SQL of one page, newest first, one row more than asked (to tell whether another follows).
 * Key filters and statuses outside 2xx walk an index ordered by id, so a page costs the same at
 * any size. A path filter, a method, a 2xx status or a time bound has no index (keeping inserts
 * cheap), so a page scans a bounded window of ids and, when it finds too few, continues below it.
 * Time bounds are never turned into id bounds: after the clock steps back, ids no longer follow
 * time, and any id bound could leave out an entry whose time matches.
 */
export function accessLogPageQuery(
	db: Db,
	filter: AccessLogFilter,
	page: { before?: number; limit: number },
	scanWindow = pathScanWindow,
): PageQuery {
	const limit = Math.max(1, Math.min(page.limit, 1000));
	const parts: string[] = [];
	const params: unknown[] = [];
	const where = (sql: string, ...values: unknown[]) => {
		parts.push(sql);
		params.push(...values);
	};
	let scanned = false;
	if (filter.keyId !== undefined) where("l.key_id = ?", filter.keyId);
	const statusClass = filter.status !== undefined ? Math.floor(filter.status / 100) : filter.statusClass;
	if (statusClass !== undefined) {
		where("l.status_class = ?", statusClass);
		// Written as in the index's WHERE, so SQLite sees that the partial index holds these rows;
		// left out beside a key filter, whose index is the narrower walk.
		if (statusClass === 2) scanned = true;
		else if (filter.keyId === undefined) parts.push("l.status_class <> 2");
	}
	if (filter.status !== undefined) where("l.status = ?", filter.status);
	if (filter.method !== undefined) {
		where("l.method = ?", filter.method.toUpperCase());
		scanned = true;
	}
	if (filter.pathPrefix !== undefined && filter.pathPrefix !== "") {
		where("l.path >= ? AND l.path < ?", filter.pathPrefix, `${filter.pathPrefix}\u{10ffff}`);
		scanned = true;
	}
	if (filter.pathContains !== undefined && filter.pathContains !== "") {
		where("instr(l.path, ?) > 0", filter.pathContains);
		scanned = true;
	}
	if (filter.since !== undefined) {
		where("l.at >= ?", filter.since);
		scanned = true;
	}
	if (filter.until !== undefined) {
		where("l.at <= ?", filter.until);
		scanned = true;
	}
	const highestId = page.before === undefined ? undefined : page.before - 1;
	let scanFloor: number | undefined;
	if (scanned) {
		const top = highestId ?? scalar(db, "SELECT max(id) FROM access_log") ?? 0;
		scanFloor = top - scanWindow + 1;
		where("l.id >= ?", scanFloor);
	}
	if (highestId !== undefined) where("l.id <= ?", highestId);
	const sql = `SELECT l.id, l.at, l.key_id, k.display_name AS key_name, l.method, l.path, l.status, l.duration_ms,
			        l.client, l.user_agent, l.request_body, l.response_body
			 FROM access_log l LEFT JOIN api_keys k ON k.id = l.key_id
			 ${parts.length > 0 ? `WHERE ${parts.join(" AND ")}` : ""} ORDER BY l.id DESC LIMIT ?`;
	const query: PageQuery = { sql, params: [...params, limit + 1], limit };
	if (scanFloor !== undefined) query.scanFloor = scanFloor;
	return query;
}

export function queryAccessLog(
	db: Db,
	filter: AccessLogFilter,
	page: { before?: number; limit: number },
	scanWindow = pathScanWindow,
): AccessLogPage {
	const query = accessLogPageQuery(db, filter, page, scanWindow);
	const rows = db.prepare(query.sql).all(...query.params) as AccessRow[];
	const entries = rows.slice(0, query.limit).map(entryFromRow);
	if (rows.length > query.limit) return { entries, nextBefore: entries.at(-1)?.id };
	const oldest = scalar(db, "SELECT min(id) FROM access_log");
	if (query.scanFloor !== undefined && oldest !== undefined && query.scanFloor > oldest) {
		// Too few matches in this window: the UI continues from where the scan stopped.
		return { entries, nextBefore: query.scanFloor };
	}
	return { entries };
}

/** What an entry takes, as `log-max-bytes` counts it: its texts' UTF-8 bytes and its numbers. */
export const entryBytesSql =
	"40 + octet_length(method) + octet_length(path) + octet_length(client) + coalesce(octet_length(user_agent), 0) + coalesce(octet_length(request_body), 0) + coalesce(octet_length(response_body), 0)";

/**
 * The newest entry id that no longer fits in `maxBytes` counted from the newest entry down, or
 * undefined when all fit. A file whose used pages hold no more than `maxBytes` cannot hold more
 * entry bytes, so the walk (over the entries kept, newest first) runs only when the file is larger.
 */
function firstIdOverBytes(db: Db, maxBytes: number): number | undefined {
	const pages = (db.pragma("page_count", { simple: true }) as number) - (db.pragma("freelist_count", { simple: true }) as number);
	if (pages * (db.pragma("page_size", { simple: true }) as number) <= maxBytes) return undefined;
	let total = 0;
	for (const [id, bytes] of db.prepare(`SELECT id, ${entryBytesSql} FROM access_log ORDER BY id DESC`).raw(true).iterate() as Iterable<[number, number]>) {
		total += bytes;
		if (total > maxBytes) return id;
	}
	return undefined;
}

/** Drops entries older than the retention age, then the oldest beyond the row cap and the byte cap. */
export function pruneAccessLog(
	db: Db,
	retention: { maxAgeDays: number | null; maxRows: number | null; maxBytes?: number | null },
	now: Date,
): number {
	let removed = 0;
	const prune = db.transaction(() => {
		if (retention.maxAgeDays !== null) {
			const cutoff = now.getTime() - retention.maxAgeDays * 86_400_000;
			// Entries past the slack above the first recent id are recent too: no scan of those.
			const first = firstIdFrom(db, cutoff);
			if (first !== undefined) {
				removed += db
					.prepare("DELETE FROM access_log WHERE id < ? AND at < ?")
					.run(first + timeOrderSlack, cutoff).changes;
			}
		}
		if (retention.maxRows !== null) {
			const newest = db.prepare("SELECT max(id) FROM access_log").pluck().get() as number | null;
			const count = db.prepare("SELECT count(*) FROM access_log").pluck().get() as number;
			if (newest !== null && count > retention.maxRows) {
				const keepFrom = db
					.prepare("SELECT id FROM access_log ORDER BY id DESC LIMIT 1 OFFSET ?")
					.pluck()
					.get(retention.maxRows - 1) as number;
				removed += db.prepare("DELETE FROM access_log WHERE id < ?").run(keepFrom).changes;
			}
		}
		if (retention.maxBytes !== undefined && retention.maxBytes !== null) {
			const over = firstIdOverBytes(db, retention.maxBytes);
			if (over !== undefined) removed += db.prepare("DELETE FROM access_log WHERE id <= ?").run(over).changes;
		}
	});
	prune.immediate();
	return removed;
}
