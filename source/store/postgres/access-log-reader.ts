/**
 * A PostgreSQL store's access log, read and pruned with the SQLite store's rules (access-log.ts):
 * keyset pages newest first, a bounded window of ids for a filter no index serves, and retention
 * oldest first (by age, then the row cap, then the byte cap). A day's partition wholly past the
 * retention age is dropped whole instead of its rows deleted.
 */
import type { ISql, Sql } from "postgres";
import type { AccessLogFilter, AccessLogPage } from "../../core/backend.js";
import { type AccessRow, entryBytesSql, entryFromRow, pathScanWindow } from "../access-log.js";
import { dropAccessLogPartitionsBefore } from "./access-log-partitions.js";

const dayMs = 86_400_000;

async function scalar(sql: ISql, text: string, params: unknown[] = []): Promise<number | undefined> {
	const [row] = await sql.unsafe(text, params as never[]).values();
	const value = row?.[0] as string | number | null | undefined;
	return value === null || value === undefined ? undefined : Number(value);
}

/** One page, newest first; `before` and `nextBefore` as in the SQLite store. */
export async function queryAccessLog(sql: ISql, filter: AccessLogFilter, page: { before?: number; limit: number }): Promise<AccessLogPage> {
	const limit = Math.max(1, Math.min(page.limit, 1000));
	const parts: string[] = [];
	const params: unknown[] = [];
	const where = (make: (...at: string[]) => string, ...values: unknown[]) => {
		const at = values.map((value) => `$${params.push(value)}`);
		parts.push(make(...at));
	};
	let scanned = false;
	if (filter.keyId !== undefined) where((id) => `l.key_id = ${id}`, filter.keyId);
	const statusClass = filter.status !== undefined ? Math.floor(filter.status / 100) : filter.statusClass;
	if (statusClass !== undefined) {
		where((value) => `l.status / 100 = ${value}::int`, statusClass);
		// Written as in the partial index's WHERE, so the planner sees that it holds these rows.
		if (statusClass === 2) scanned = true;
		else if (filter.keyId === undefined) parts.push("l.status / 100 <> 2");
	}
	if (filter.status !== undefined) where((value) => `l.status = ${value}::int`, filter.status);
	if (filter.method !== undefined) {
		where((value) => `l.method = ${value}`, filter.method.toUpperCase());
		scanned = true;
	}
	if (filter.pathPrefix !== undefined && filter.pathPrefix !== "") {
		where((prefix) => `starts_with(l.path, ${prefix})`, filter.pathPrefix);
		scanned = true;
	}
	if (filter.pathContains !== undefined && filter.pathContains !== "") {
		where((text) => `strpos(l.path, ${text}) > 0`, filter.pathContains);
		scanned = true;
	}
	if (filter.since !== undefined) {
		where((since) => `l.at >= ${since}`, new Date(filter.since));
		scanned = true;
	}
	if (filter.until !== undefined) {
		where((until) => `l.at <= ${until}`, new Date(filter.until));
		scanned = true;
	}
	const highestId = page.before === undefined ? undefined : page.before - 1;
	let scanFloor: number | undefined;
	if (scanned) {
		const top = highestId ?? (await scalar(sql, "SELECT max(id) FROM access_log")) ?? 0;
		scanFloor = top - pathScanWindow + 1;
		where((floor) => `l.id >= ${floor}`, scanFloor);
	}
	if (highestId !== undefined) where((highest) => `l.id <= ${highest}`, highestId);
	const rows = await sql.unsafe<AccessRow[]>(
		`SELECT l.id::float8 AS id, (extract(epoch FROM l.at) * 1000)::float8 AS at, l.key_id, k.display_name AS key_name, l.method, l.path, l.status, l.duration_ms,
			l.client, l.user_agent, l.request_body, l.response_body
		FROM access_log l LEFT JOIN api_keys k ON k.id = l.key_id
		${parts.length > 0 ? `WHERE ${parts.join(" AND ")}` : ""} ORDER BY l.id DESC LIMIT ${limit + 1}`,
		params as never[],
	);
	const entries = rows.slice(0, limit).map(entryFromRow);
	if (rows.length > limit) return { entries, nextBefore: entries.at(-1)?.id };
	const oldest = await scalar(sql, "SELECT min(id) FROM access_log");
	// Too few matches in this window: the UI continues from where the scan stopped.
	if (scanFloor !== undefined && oldest !== undefined && scanFloor > oldest) return { entries, nextBefore: scanFloor };
	return { entries };
}

export interface Retention {
	maxAgeDays: number | null;
	maxRows: number | null;
	maxBytes: number | null;
}

/** Drops entries older than the retention age, then the oldest beyond the row cap and the byte cap; returns how many. */
export async function pruneAccessLog(sql: Sql, retention: Retention, now: Date): Promise<number> {
	let removed = 0;
	if (retention.maxAgeDays !== null) {
		const cutoff = new Date(now.getTime() - retention.maxAgeDays * dayMs);
		const wholeDays = new Date(Math.floor(cutoff.getTime() / dayMs) * dayMs);
		removed += (await scalar(sql, "SELECT count(*) FROM access_log WHERE at < $1", [wholeDays])) ?? 0;
		await dropAccessLogPartitionsBefore(sql, cutoff);
		removed += (await sql`DELETE FROM access_log WHERE at < ${cutoff}`).count;
	}
	if (retention.maxRows !== null) {
		const keepFrom = await scalar(sql, "SELECT id FROM access_log ORDER BY id DESC LIMIT 1 OFFSET $1", [retention.maxRows - 1]);
		if (keepFrom !== undefined) removed += (await sql`DELETE FROM access_log WHERE id < ${keepFrom}`).count;
	}
	if (retention.maxBytes !== null) {
		const over = await scalar(
			sql,
			`SELECT id FROM (SELECT id, sum(${entryBytesSql}) OVER (ORDER BY id DESC) AS total FROM access_log) counted
			WHERE total > $1 ORDER BY id DESC LIMIT 1`,
			[retention.maxBytes],
		);
		if (over !== undefined) removed += (await sql`DELETE FROM access_log WHERE id <= ${over}`).count;
	}
	return removed;
}
