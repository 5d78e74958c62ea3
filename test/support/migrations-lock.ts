/** Holding a PostgreSQL store's migrations lock, so that processes opening it reach it at the same moment. */
import type postgres from "postgres";
import { lockNamespace, lockPurpose } from "../../source/store/postgres/coordination.js";
import { waitFor } from "./postgres.js";

/**
 * Starts `begin` while `sql` holds the migrations lock, and releases the lock once `waiting`
 * others wait for it (as nodes started together); resolves to what `begin` returned.
 */
export async function startWhileMigrationsLocked<T>(sql: postgres.Sql, waiting: number, begin: () => T): Promise<T> {
	let release = () => {};
	const held = new Promise<void>((resolve) => (release = resolve));
	let locked = () => {};
	const lockTaken = new Promise<void>((resolve) => (locked = resolve));
	const holder = sql.begin(async (tx) => {
		await tx`SELECT pg_advisory_xact_lock(${lockNamespace}, ${lockPurpose.migrations})`;
		locked();
		await held;
	});
	await lockTaken;
	const started = begin();
	await waitFor(async () => {
		const [row] = await sql<{ waiting: number }[]>`
			SELECT count(*)::int AS waiting FROM pg_locks
			WHERE locktype = 'advisory' AND NOT granted AND classid = ${lockNamespace} AND objid = ${lockPurpose.migrations}`;
		return row?.waiting === waiting;
	}, `${waiting} to wait for the migrations lock`);
	release();
	await holder;
	return started;
}
