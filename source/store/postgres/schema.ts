/**
 * A PostgreSQL store's schema: refuse a database that is not ours or is newer than this program
 * before a single row is written, then apply the migrations this program knows and the database
 * lacks. Each migration runs in a transaction under an advisory lock and re-reads the version
 * inside it, so nodes starting together migrate one at a time and none applies one twice.
 * The version lives in store_meta with `schema_compatible_from`: the oldest program that still
 * works on the database (a program older than the schema but not older than that keeps working,
 * so nodes can be upgraded one at a time). Only a writing command or a node starting migrates; a
 * read works on the schema as it finds it (readableFrom).
 */
import type { ISql, Sql } from "postgres";
import { AppError } from "../../core/errors.js";
import { lockNamespace, lockPurpose } from "./coordination.js";
import { migrations } from "./migrations/index.js";

/** The schema version this program knows up to. */
export const latestSchema = migrations.reduce((latest, migration) => Math.max(latest, migration.version), 0);

/**
 * The oldest schema this program reads without migrating it: the access log came with 3, and 4
 * only changed what a notification says.
 */
export const readableFrom = 3;

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

/** The refusal of a schema this program cannot work on (newer than it knows, and not usable by older programs), naming both versions; undefined when it can. */
export function newerSchemaProblem(state: SchemaState): string | undefined {
	if (state.version <= latestSchema || state.compatibleFrom <= latestSchema) return undefined;
	return `was written by a newer apikeys-tui (schema ${state.version}, for programs of schema ${state.compatibleFrom} on; this program knows up to ${latestSchema})`;
}

/** A look found the schema moved past what this program can work on: a serving node stops trusting its keys at once. */
export class IncompatibleSchema extends AppError {
	constructor(problem: string) {
		super(`the database ${problem.replace(/^was written/, "was migrated")}; upgrade this node`, "store");
		this.name = "IncompatibleSchema";
	}
}

export function refuseNewer(state: SchemaState, where: string): void {
	const problem = newerSchemaProblem(state);
	if (problem !== undefined) throw storeError(where, `${problem}. Upgrade apikeys-tui to use it; the database was left untouched`);
}

/** A read on a schema older than this program reads (it does not migrate): what to run instead. */
export function refuseOlderForReads(version: number, where: string): void {
	if (version >= readableFrom) return;
	const problem = `holds a store of schema ${version}, older than this program reads (schema ${readableFrom} on), and a read does not migrate it`;
	throw storeError(where, `${problem}; a writing command of this version does: start "apikeys-tui serve" on it, or open the console on it without --readonly`);
}

/** Takes the lock migrations are applied under, until `tx` ends. */
export async function lockMigrations(tx: ISql): Promise<void> {
	await tx`SELECT pg_advisory_xact_lock(${lockNamespace}, ${lockPurpose.migrations})`;
}

/** Applies every migration past `current` in `tx`, which holds the migrations lock; returns the version reached. */
export async function applyMigrations(tx: ISql, current: SchemaState): Promise<number> {
	let { version, compatibleFrom } = current;
	for (const migration of migrations) {
		if (migration.version <= version) continue;
		await tx.unsafe(migration.sql).simple();
		compatibleFrom = Math.max(compatibleFrom, migration.compatibleFrom);
		version = migration.version;
		await tx`
			INSERT INTO store_meta (name, value)
			VALUES ('schema_version', ${String(version)}), ('schema_compatible_from', ${String(compatibleFrom)})
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`;
	}
	return version;
}

/** Checks the database and brings its schema up to this program's, in one transaction under the lock; returns the version it is at. */
export async function prepareSchema(sql: Sql, where: string): Promise<number> {
	const seen = await readSchema(sql, where);
	refuseNewer(seen, where);
	if (seen.version >= latestSchema) return seen.version;
	return sql.begin(async (tx) => {
		await lockMigrations(tx);
		// Re-read under the lock: another node may have migrated meanwhile.
		const current = await readSchema(tx, where);
		refuseNewer(current, where);
		return applyMigrations(tx, current);
	});
}
