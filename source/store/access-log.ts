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
const batchSize = 1000;

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

export class AccessLogWriter {
	private queue: NewAccessLogEntry[] = [];
	private timer: NodeJS.Timeout | undefined;
	private readonly insert;
	private readonly touch;
	private readonly writeBatch;

	constructor(
		db: Db,
		private readonly onError: (error: unknown) => void = () => {},
	) {
		this.insert = db.prepare(
			`INSERT INTO access_log (at, key_id, method, path, status, duration_ms, client, user_agent, request_body, response_body)
			 VALUES (@at, @keyId, @method, @path, @status, @durationMs, @client, @userAgent, @requestBody, @responseBody)`,
		);
		// Last-used only moves forward, and is written once per key per batch.
		this.touch = db.prepare(
			"UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
		);
		this.writeBatch = db.transaction((entries: NewAccessLogEntry[]) => {
			const lastUse = new Map<number, number>();
			for (const entry of entries) {
				this.insert.run(entry);
				if (entry.keyId !== null)
					lastUse.set(entry.keyId, Math.max(entry.at, lastUse.get(entry.keyId) ?? 0));
			}
			for (const [keyId, at] of lastUse) {
				const iso = new Date(at).toISOString();
				this.touch.run(iso, keyId, iso);
			}
		});
	}

	append(entry: NewAccessLogEntry): void {
		this.queue.push(entry);
		if (this.queue.length >= batchSize) this.flush();
		else this.timer ??= setTimeout(() => this.flush(), batchWindowMs);
	}

	/** Writes everything queued. Entries stay queued if the write fails, to be tried again. */
	flush(): void {
		if (this.timer) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}
		if (this.queue.length === 0) return;
		const entries = this.queue;
		this.queue = [];
		try {
			this.writeBatch.immediate(entries);
		} catch (error) {
			this.queue = entries.concat(this.queue);
			this.timer ??= setTimeout(() => this.flush(), batchWindowMs * 5);
			this.onError(error);
		}
	}

	get pending(): number {
		return this.queue.length;
	}
}

function whereClause(
	filter: AccessLogFilter,
	before: number | undefined,
): { sql: string; params: unknown[] } {
	const parts: string[] = [];
	const params: unknown[] = [];
	if (filter.keyId !== undefined) {
		parts.push("l.key_id = ?");
		params.push(filter.keyId);
	}
	if (filter.status !== undefined) {
		parts.push("l.status_class = ? AND l.status = ?");
		params.push(Math.floor(filter.status / 100), filter.status);
	} else if (filter.statusClass !== undefined) {
		parts.push("l.status_class = ?");
		params.push(filter.statusClass);
	}
	if (filter.method !== undefined) {
		parts.push("l.method = ?");
		params.push(filter.method.toUpperCase());
	}
	if (filter.pathPrefix !== undefined && filter.pathPrefix !== "") {
		// A range on the indexed column instead of LIKE, which would ignore the index.
		parts.push("l.path >= ? AND l.path < ?");
		params.push(filter.pathPrefix, `${filter.pathPrefix}\u{10ffff}`);
	}
	if (filter.since !== undefined) {
		parts.push("l.at >= ?");
		params.push(filter.since);
	}
	if (filter.until !== undefined) {
		parts.push("l.at <= ?");
		params.push(filter.until);
	}
	if (before !== undefined) {
		parts.push("l.id < ?");
		params.push(before);
	}
	return { sql: parts.length > 0 ? `WHERE ${parts.join(" AND ")}` : "", params };
}

export function queryAccessLog(
	db: Db,
	filter: AccessLogFilter,
	page: { before?: number; limit: number },
): AccessLogPage {
	const limit = Math.max(1, Math.min(page.limit, 1000));
	const where = whereClause(filter, page.before);
	const rows = db
		.prepare(
			`SELECT l.id, l.at, l.key_id, k.display_name AS key_name, l.method, l.path, l.status, l.duration_ms,
			        l.client, l.user_agent, l.request_body, l.response_body
			 FROM access_log l LEFT JOIN api_keys k ON k.id = l.key_id
			 ${where.sql} ORDER BY l.id DESC LIMIT ?`,
		)
		.all(...where.params, limit + 1) as AccessRow[];
	const entries = rows.slice(0, limit).map(entryFromRow);
	const more = rows.length > limit;
	return more ? { entries, nextBefore: entries.at(-1)?.id } : { entries };
}

/** Drops entries older than the retention age, then the oldest beyond the row cap. */
export function pruneAccessLog(
	db: Db,
	retention: { maxAgeDays: number | null; maxRows: number | null },
	now: Date,
): number {
	let removed = 0;
	const prune = db.transaction(() => {
		if (retention.maxAgeDays !== null) {
			const cutoff = now.getTime() - retention.maxAgeDays * 86_400_000;
			removed += db.prepare("DELETE FROM access_log WHERE at < ?").run(cutoff).changes;
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
	});
	prune.immediate();
	return removed;
}
