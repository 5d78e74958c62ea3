/**
 * The access log: append-heavy, so writes are queued and inserted in batches, one transaction
 * each, off the request path; reads are keyset-paged (newest first) over indexes that match the
 * filters the console offers.
 */
import type {
	AccessLogEntry,
	AccessLogFilter,
	AccessLogPage,
	NewAccessLogEntry,
} from "../core/backend.js";
import type { Db } from "./database.js";

/** Entries wait at most this long before they are written: the most a hard crash can lose. */
export const batchWindowMs = 200;
/**
 * Entries written in one transaction at most. Large batches write each index page once for many
 * rows (about 1.8 µs a row at 2,000 against 3.2 at 250) and commit less often.
 */
const batchSize = 2000;
/** Rows per INSERT statement: one call into SQLite for many rows. */
const rowsPerInsert = 50;
const insertColumns =
	"INSERT INTO access_log (at, key_id, method, path, status, duration_ms, client, user_agent, request_body, response_body) VALUES ";
const columnCount = 10;
const rowPlaceholders = `(${Array<string>(columnCount).fill("?").join(", ")})`;
/**
 * Keys' last-used times are gathered and stored this long after the first use not yet stored
 * (and at every explicit flush), all in one transaction in id order: a busy gateway with many keys
 * would otherwise rewrite a key's page with nearly every batch — a million uses of 100,000 keys
 * cost 32 s of writing that way (anchors-keys.md 15: Unkey stores it by the minute, GitLab every
 * 10 minutes). A hard crash can lose at most this much of it; the access log keeps every use.
 */
const lastUseDelayMs = 5_000;
/** Entries kept while writes fail (a full disk, a missing store file); beyond it the oldest are dropped. */
const maxQueued = 100_000;

interface AccessRow {
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

function entryFromRow(row: AccessRow): AccessLogEntry {
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

/** An entry's values in the INSERT's column order: what is queued and passed between threads. */
export type AccessLogRow = [
	at: number,
	keyId: number | null,
	method: string,
	path: string,
	status: number,
	durationMs: number,
	client: string,
	userAgent: string | null,
	requestBody: string | null,
	responseBody: string | null,
];

export function rowValues(entry: NewAccessLogEntry): AccessLogRow {
	return [
		entry.at,
		entry.keyId,
		entry.method,
		entry.path,
		entry.status,
		entry.durationMs,
		entry.client,
		entry.userAgent,
		entry.requestBody,
		entry.responseBody,
	];
}

/**
 * Writes batches of entries, one transaction each. A batch that cannot be written (a full disk, a
 * store file gone) stays queued and is tried again on a timer, not with every new batch; past
 * `maxQueued` entries the oldest are dropped, so a long outage cannot exhaust memory.
 */
export class AccessLogWriter {
	private queue: AccessLogRow[] = [];
	/** The latest use of each key written to the log but not yet to the key. */
	private lastUse = new Map<number, number>();
	private lastUseTimer: NodeJS.Timeout | undefined;
	private retryTimer: NodeJS.Timeout | undefined;
	private readonly insertOne;
	private readonly insertMany;
	private readonly writeLastUse;
	private readonly writeBatch;

	constructor(
		db: Db,
		private readonly onError: (error: unknown) => void,
		/** Told how many entries each written batch held. */
		private readonly onWritten: (count: number) => void,
		/** Called before each batch; throws to keep the batch queued (the store file is gone). */
		private readonly beforeWrite: () => void,
		private readonly lastUseDelay = lastUseDelayMs,
	) {
		this.insertOne = db.prepare(insertColumns + rowPlaceholders);
		this.insertMany = db.prepare(insertColumns + Array<string>(rowsPerInsert).fill(rowPlaceholders).join(", "));
		// Last-used only moves forward.
		const touch = db.prepare(
			"UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
		);
		this.writeLastUse = db.transaction((uses: [keyId: number, at: number][]) => {
			for (const [keyId, at] of uses) {
				const iso = new Date(at).toISOString();
				touch.run(iso, keyId, iso);
			}
		});
		// One array of values for a many-row INSERT, filled in place for each group of rows.
		const values = new Array<unknown>(rowsPerInsert * columnCount);
		this.writeBatch = db.transaction((rows: AccessLogRow[]) => {
			const whole = rows.length - (rows.length % rowsPerInsert);
			for (let start = 0; start < whole; start += rowsPerInsert) {
				let at = 0;
				for (let index = start; index < start + rowsPerInsert; index++) {
					const row = rows[index] as AccessLogRow;
					for (let column = 0; column < columnCount; column++) values[at++] = row[column];
				}
				this.insertMany.run(values);
			}
			for (let index = whole; index < rows.length; index++) this.insertOne.run(rows[index]);
		});
	}

	/**
	 * Queues entries; writes once a batch is full or when told to (`now`), unless writes are
	 * failing: then everything waits for the retry.
	 */
	add(rows: AccessLogRow[], now: boolean): void {
		for (const row of rows) this.queue.push(row);
		if (this.queue.length > maxQueued) this.queue = this.queue.slice(this.queue.length - maxQueued);
		if (this.retryTimer === undefined && (now || this.queue.length >= batchSize)) this.flush();
	}

	/** Tries everything queued now, last uses included, and stops retrying. */
	close(): void {
		this.flush(true);
		if (this.retryTimer) clearTimeout(this.retryTimer);
		this.retryTimer = undefined;
		if (this.lastUseTimer) clearTimeout(this.lastUseTimer);
		this.lastUseTimer = undefined;
	}

	/**
	 * Writes everything queued, and the keys' last uses with it when `withLastUse` (an explicit
	 * flush). Entries stay queued if the write fails, to be tried again.
	 */
	flush(withLastUse = false): void {
		if (this.retryTimer) {
			clearTimeout(this.retryTimer);
			this.retryTimer = undefined;
		}
		const rows = this.queue;
		this.queue = [];
		let written = 0;
		try {
			while (written < rows.length) {
				this.beforeWrite();
				const batch = rows.slice(written, written + batchSize);
				this.writeBatch.immediate(batch);
				this.noteUses(batch);
				written += batch.length;
				this.onWritten(batch.length);
			}
			if (withLastUse) this.storeLastUse();
		} catch (error) {
			this.queue = rows.slice(written);
			this.retryTimer = setTimeout(() => this.flush(withLastUse), batchWindowMs * 5);
			this.onError(error);
		}
	}

	/** Remembers the latest use of each key in a written batch, to be stored within the delay. */
	private noteUses(rows: AccessLogRow[]): void {
		for (const [at, keyId] of rows) {
			if (keyId !== null && at > (this.lastUse.get(keyId) ?? 0)) this.lastUse.set(keyId, at);
		}
		if (this.lastUse.size > 0) this.lastUseTimer ??= setTimeout(() => this.storeLastUseLater(), this.lastUseDelay);
	}

	private storeLastUseLater(): void {
		this.lastUseTimer = undefined;
		try {
			this.storeLastUse();
		} catch (error) {
			this.onError(error);
			this.lastUseTimer = setTimeout(() => this.storeLastUseLater(), this.lastUseDelay);
		}
	}

	/** Stores the gathered last uses, in id order so each page of keys is written once. */
	private storeLastUse(): void {
		if (this.lastUse.size === 0) return;
		this.beforeWrite();
		this.writeLastUse.immediate([...this.lastUse].sort((a, b) => a[0] - b[0]));
		this.lastUse = new Map();
		if (this.lastUseTimer) clearTimeout(this.lastUseTimer);
		this.lastUseTimer = undefined;
	}
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
