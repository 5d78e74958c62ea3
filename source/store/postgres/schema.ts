/**
 * A PostgreSQL store's schema: refuse a database that is not ours or is newer than this program
 * before a single row is written, then apply the migrations this program knows and the database
 * lacks. Each migration runs in its own transaction under an advisory lock and re-reads the
 * version inside it, so nodes starting together migrate one at a time and none applies one twice.
 * The version lives in store_meta with `schema_compatible_from`: the oldest program that still
 * works on the database (a program older than the schema but not older than that keeps working,
 * so nodes can be upgraded one at a time).
 */
import type { ISql, Sql } from "postgres";
import { AppError } from "../../core/errors.js";
import { lockNamespace, lockPurpose } from "./coordination.js";
import { migrations } from "./migrations/index.js";

/** The schema version this program knows up to. */
export const latestSchema = migrations.reduce((latest, migration) => Math.max(latest, migration.version), 0);

export interface SchemaState {
	/** 0: no store in this database (yet). */
	version: number;
	compatibleFrom: number;
}

function storeError(where: string, problem: string): AppError {
	return new AppError(`${where}: ${problem}`, "store");
}

function notOurs(where: string): AppError {
	return storeError(where, "holds tables of another program, not an apikeys-tui store; it was left untouched");
}

/** The store's schema version in the database's current schema; `where` names the database in messages (a URL without its password). */
export async function readSchema(sql: ISql, where: string): Promise<SchemaState> {
	const [found] = await sql<{ ours: boolean; tables: number }[]>`
		SELECT to_regclass(quote_ident(current_schema()) || '.store_meta') IS NOT NULL AS ours,
			(SELECT count(*)::int FROM pg_tables WHERE schemaname = current_schema()) AS tables`;
	if (!found?.ours) {
		if ((found?.tables ?? 0) > 0) throw notOurs(where);
		return { version: 0, compatibleFrom: 0 };
	}
	const rows = await sql<{ name: string; value: string }[]>`
		SELECT name, value FROM store_meta WHERE name IN ('schema_version', 'schema_compatible_from')`;
	const value = (name: string) => Number(rows.find((row) => row.name === name)?.value);
	const state = { version: value("schema_version"), compatibleFrom: value("schema_compatible_from") };
	if (!Number.isInteger(state.version) || !Number.isInteger(state.compatibleFrom)) throw notOurs(where);
	return state;
}

function refuseNewer(state: SchemaState, where: string): void {
	if (state.version > latestSchema && state.compatibleFrom > latestSchema) {
		throw storeError(
			where,
			`was written by a newer apikeys-tui (schema ${state.version}; this program knows up to ${latestSchema}). Upgrade apikeys-tui to use it; the database was left untouched`,
		);
	}
}

/** Checks the database and brings its schema up to this program's; returns the version it is at. */
export async function prepareSchema(sql: Sql, where: string): Promise<number> {
	const seen = await readSchema(sql, where);
	refuseNewer(seen, where);
	let version = seen.version;
	for (const migration of migrations) {
		if (migration.version <= version) continue;
		version = await sql.begin(async (tx) => {
			await tx`SELECT pg_advisory_xact_lock(${lockNamespace}, ${lockPurpose.migrations})`;
			// Re-read under the lock: another node may have migrated meanwhile.
			const current = await readSchema(tx, where);
			refuseNewer(current, where);
			if (current.version >= migration.version) return current.version;
			await tx.unsafe(migration.sql).simple();
			const compatibleFrom = Math.max(current.compatibleFrom, migration.compatibleFrom);
			await tx`
				INSERT INTO store_meta (name, value)
				VALUES ('schema_version', ${String(migration.version)}), ('schema_compatible_from', ${String(compatibleFrom)})
				ON CONFLICT (name) DO UPDATE SET value = excluded.value`;
			return migration.version;
		});
	}
	return version;
}
