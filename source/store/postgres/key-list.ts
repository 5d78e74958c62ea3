/**
 * Reading keys from a PostgreSQL store: rows mapped to records as the SQLite store maps its own
 * (key-rows.ts), and the key list's filter, sort and pages rendered from the same spec in
 * PostgreSQL's SQL. Every list the store answers is read here.
 */
import type { ISql } from "postgres";
import type { KeyPage, KeyQuery } from "../../core/backend.js";
import { formatIso } from "../../core/expiration.js";
import { type KeyRecord, keyWithExtras, toApiKeyInfo } from "../../core/model.js";
import { filterClause, type KeyRow, keyColumns, type ListDialect, orderClause, recordFromRow } from "../key-rows.js";

const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** lower() would fold more than A-Z here (É, Ｆ): translate() folds exactly what the spec folds. */
function foldAsciiCase(text: string): string {
	return `translate(${text}, '${upper}', '${upper.toLowerCase()}')`;
}

/** The spec in PostgreSQL: text compared by code point whatever the database's collation. */
export const postgresListDialect: ListDialect = {
	enabled: "enabled",
	contains: (haystack, index) => `strpos(${haystack}, $${index}) > 0`,
	foldAsciiCase,
	byCodePoint: (value) => `${value} COLLATE "C"`,
	ignoringCase: (value) => `${foldAsciiCase(value)} COLLATE "C"`,
	// The time columns are timestamps here, never empty text.
	missingWhenEmpty: (column) => column,
};

/** A KeyRow (key-rows.ts) as PostgreSQL types it: times as Dates, enabled as a boolean. */
export type PostgresKeyRow = readonly unknown[];

function isoTime(value: unknown): string | null {
	return value === null ? null : (value as Date).toISOString();
}

/** The engine writes expiration to the second (formatIso), the other times as toISOString does. */
export function recordFromPostgres(row: PostgresKeyRow): KeyRecord {
	const expiration = row[10] === null ? null : formatIso(row[10] as Date);
	const times = [isoTime(row[13]), row[14], isoTime(row[15]), isoTime(row[16])];
	return recordFromRow([...row.slice(0, 10), expiration, row[11], row[12] ? 1 : 0, ...times] as KeyRow);
}

async function records(sql: ISql, text: string, params: unknown[] = []): Promise<KeyRecord[]> {
	const rows = (await sql.unsafe(`SELECT ${keyColumns} FROM api_keys ${text}`, params as never[]).values()) as unknown as PostgresKeyRow[];
	return rows.map(recordFromPostgres);
}

/** Every key in id order, last uses included. */
export function allKeys(sql: ISql): Promise<KeyRecord[]> {
	return records(sql, "ORDER BY id");
}

/** Rows of the served key list made in one turn of the event loop: a few milliseconds' work. */
const servedListBatch = 250;

/**
 * The whole key list as the server answers it (ProGet's ApiKeyInfo, or with the store's own fields),
 * read through a cursor in one snapshot and made and encoded a batch at a time, so a node answers
 * its verifications while a list of any size is made; the bytes are joined by a copy.
 */
export async function servedKeyListBytes(sql: ISql, details: boolean): Promise<Uint8Array> {
	const parts: Buffer[] = [];
	const batches = sql.unsafe(`SELECT ${keyColumns} FROM api_keys ORDER BY id`).values().cursor(servedListBatch);
	for await (const rows of batches as AsyncIterable<unknown[]>) {
		if (rows.length === 0) continue;
		const keys = (rows as PostgresKeyRow[]).map(recordFromPostgres);
		const json = JSON.stringify(details ? keys.map(keyWithExtras) : keys.map((key) => toApiKeyInfo(key)));
		parts.push(Buffer.from(`${parts.length === 0 ? "[" : ","}${json.slice(1, -1)}`));
	}
	parts.push(Buffer.from(parts.length === 0 ? "[]" : "]"));
	return Buffer.concat(parts);
}

export async function keyWithId(sql: ISql, id: number): Promise<KeyRecord | undefined> {
	return (await records(sql, "WHERE id = $1", [id]))[0];
}

/** These keys in the order asked, those that no longer exist left out. */
export async function keysWithIds(sql: ISql, ids: readonly number[]): Promise<KeyRecord[]> {
	if (ids.length === 0) return [];
	const byId = new Map((await records(sql, "WHERE id = ANY($1::int[])", [ids])).map((record) => [record.id, record]));
	return ids.flatMap((id) => byId.get(id) ?? []);
}

export async function keyPage(sql: ISql, query: KeyQuery): Promise<KeyPage> {
	const where = filterClause(query.filter, postgresListDialect);
	const [counted] = await sql.unsafe(`SELECT count(*)::int AS total FROM api_keys ${where.sql}`, where.params);
	const next = where.params.length;
	const rows = await records(sql, `${where.sql} ${orderClause(query.sort, postgresListDialect)} LIMIT $${next + 1} OFFSET $${next + 2}`, [
		...where.params,
		Math.max(0, query.limit),
		Math.max(0, query.offset),
	]);
	return { rows, total: (counted as { total: number } | undefined)?.total ?? 0 };
}

export async function keyIdList(sql: ISql, query: Omit<KeyQuery, "offset" | "limit">): Promise<number[]> {
	const where = filterClause(query.filter, postgresListDialect);
	const rows = await sql.unsafe(`SELECT id FROM api_keys ${where.sql} ${orderClause(query.sort, postgresListDialect)}`, where.params).values();
	return rows.map((row) => row[0] as number);
}
