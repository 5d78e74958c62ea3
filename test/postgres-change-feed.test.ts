/**
 * The change feed of a PostgreSQL store on a real throw-away cluster: revisions commit in the order
 * they are numbered, so a reader that follows them misses no change even when writers race; a
 * follower whose LISTEN connection is killed catches up with what changed meanwhile; a reader
 * behind the kept changes is told to read every key again.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { type TestContext, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type postgres from "postgres";
import {
	changesAfter,
	databaseIdentity,
	followChanges,
	headRevision,
	keptChanges,
	type KeyChange,
	latestSchema,
	lockNamespace,
	lockPurpose,
	prepareSchema,
} from "../source/store/postgres/index.js";
import { connect, postgresSkipReason, startCluster, waitFor } from "./support/postgres.js";

type Sql = postgres.ISql;

let keysAdded = 0;
async function addKey(sql: Sql, name: string): Promise<number> {
	const digest = createHash("sha256").update(`key ${++keysAdded} ${name}`).digest();
	const [row] = await sql<{ id: number }[]>`
		INSERT INTO api_keys (type, key_digest, key_hint, display_name, created_at, created_by)
		VALUES ('system', ${digest}, 'ab…', ${name}, now(), 'test') RETURNING id`;
	return row?.id ?? 0;
}

function rename(sql: Sql, id: number, name: string) {
	return sql`UPDATE api_keys SET display_name = ${name} WHERE id = ${id}`;
}

/** A promise and the function that settles it. */
function signal(): { promise: Promise<void>; fire: () => void } {
	let fire = () => {};
	const promise = new Promise<void>((resolve) => (fire = resolve));
	return { promise, fire };
}

/** Resolves once a transaction waits for the change-order lock. */
function lockWaitedFor(sql: Sql): Promise<void> {
	return waitFor(async () => {
		const [row] = await sql<{ waiting: number }[]>`
			SELECT count(*)::int AS waiting FROM pg_locks
			WHERE locktype = 'advisory' AND NOT granted AND classid = ${lockNamespace} AND objid = ${lockPurpose.changeOrder}`;
		return (row?.waiting ?? 0) > 0;
	}, "a writer to wait for the change-order lock");
}

/** A reader that moves on to the last revision it has seen, as a node does. */
function reader(sql: Sql, after: number) {
	let revision = after;
	const seen: KeyChange[] = [];
	return {
		seen,
		read: async () => {
			for (;;) {
				const batch = await changesAfter(sql, revision, 50);
				assert.equal(batch.reloadNeeded, false);
				seen.push(...batch.changes);
				revision = batch.revision;
				if (!batch.more) return;
			}
		},
	};
}

/** A follower on `listener` from the head of `store`, without polling: it looks when notified or reconnected. */
type ErrorHandler = (error: unknown) => void;

async function follow(t: TestContext, store: Sql, listener: postgres.Sql, onError: ErrorHandler = (error) => assert.fail(error as Error)) {
	const applied: KeyChange[] = [];
	const follower = await followChanges(listener, {
		after: await headRevision(store),
		database: await databaseIdentity(store),
		pollMs: 0,
		apply: (batch) => void applied.push(...batch.changes),
		onError,
	});
	t.after(follower.stop);
	return { follower, applied };
}

const skip = postgresSkipReason();

test("PostgreSQL change feed", { skip }, async (t) => {
	const cluster = await startCluster(t);
	let databases = 0;
	const newStore = async (t: TestContext) => {
		const name = `store${++databases}`;
		const sql = connect(t, await cluster.createDatabase(name), { max: 8 });
		await prepareSchema(sql, name);
		return { sql, name };
	};

	await t.test("control: a plain sequence commits out of order, so a reader moving to the last number seen misses one", async (t) => {
		const { sql } = await newStore(t);
		await sql`CREATE TABLE plain_changes (revision bigserial PRIMARY KEY, note text NOT NULL)`;
		const inserted = signal();
		const commit = signal();
		const first = sql.begin(async (tx) => {
			await tx`INSERT INTO plain_changes (note) VALUES ('first')`;
			inserted.fire();
			await commit.promise;
		});
		await inserted.promise;
		await sql`INSERT INTO plain_changes (note) VALUES ('second')`;
		const seen = await sql<{ revision: string; note: string }[]>`SELECT revision::text, note FROM plain_changes ORDER BY plain_changes.revision`;
		assert.deepEqual(seen.map((row) => row.note), ["second"]);
		commit.fire();
		await first;
		const after = await sql<{ note: string }[]>`SELECT note FROM plain_changes WHERE revision > ${seen[0]?.revision ?? "0"} ORDER BY revision`;
		assert.deepEqual(after.map((row) => row.note), [], "the first change is behind the reader for good");
	});

	await t.test("a writer that would commit first waits for the open one numbered before it: the reader misses nothing", async (t) => {
		const { sql } = await newStore(t);
		const a = await addKey(sql, "a");
		const b = await addKey(sql, "b");
		const follower = reader(sql, await headRevision(sql));
		const renamed = signal();
		const commit = signal();
		const first = sql.begin(async (tx) => {
			await rename(tx, a, "a renamed");
			renamed.fire();
			await commit.promise;
		});
		await renamed.promise;
		let secondDone = false;
		const second = rename(sql, b, "b renamed").then(() => (secondDone = true));
		await lockWaitedFor(sql);
		await follower.read();
		assert.equal(follower.seen.length, 0);
		assert.equal(secondDone, false, "the second writer commits only after the first");
		commit.fire();
		await Promise.all([first, second]);
		await follower.read();
		assert.deepEqual(follower.seen.map((change) => change.keyId), [a, b]);
		assert.ok(follower.seen[0]!.revision < follower.seen[1]!.revision);
	});

	await t.test("writers racing, each committing after a random pause: a follower reading throughout sees every change once, in order", async (t) => {
		const { sql } = await newStore(t);
		const keys = await Promise.all(Array.from({ length: 4 }, (_, i) => addKey(sql, `key ${i}`)));
		const start = await headRevision(sql);
		const follower = reader(sql, start);
		let writing = true;
		const following = (async () => {
			while (writing) {
				await follower.read();
				await sleep(0);
			}
		})();
		const writer = async (key: number) => {
			for (let i = 0; i < 40; i++) {
				await sql.begin(async (tx) => {
					await rename(tx, key, `change ${i}`);
					await sleep(Math.random() * 3);
				});
			}
		};
		await Promise.all(keys.map(writer));
		writing = false;
		await following;
		await follower.read();
		const all = await sql<{ revision: string }[]>`SELECT revision::text FROM key_changes WHERE revision > ${start} ORDER BY key_changes.revision`;
		assert.equal(all.length, keys.length * 40);
		assert.deepEqual(follower.seen.map((change) => change.revision), all.map((row) => Number(row.revision)));
	});

	await t.test("transactions changing the same keys in opposite orders do not deadlock: the lock is taken before any row", async (t) => {
		const { sql } = await newStore(t);
		const [x, y] = [await addKey(sql, "x"), await addKey(sql, "y")];
		const both = async (first: number, second: number) => {
			for (let i = 0; i < 20; i++) {
				await sql.begin(async (tx) => {
					await rename(tx, first, `first ${i}`);
					await sleep(Math.random() * 2);
					await rename(tx, second, `second ${i}`);
				});
			}
		};
		await Promise.all([both(x, y), both(y, x), both(x, y), both(y, x)]);
		const [row] = await sql<{ changes: number }[]>`SELECT count(*)::int AS changes FROM key_changes WHERE key_id IN (${x}, ${y})`;
		assert.equal(row?.changes, 2 + 4 * 20 * 2);
	});

	await t.test("a follower hears a change over LISTEN, the settings' changes too", async (t) => {
		const { sql } = await newStore(t);
		const key = await addKey(sql, "heard");
		const { follower, applied } = await follow(t, sql, sql);
		await rename(sql, key, "heard again");
		await sql`INSERT INTO settings (name, value) VALUES ('logRetentionDays', '30')`;
		await waitFor(() => applied.length === 2, "both changes to be applied");
		assert.deepEqual(applied.map((change) => change.keyId), [key, null]);
		// A last use is not a change.
		await sql`UPDATE api_keys SET last_used_at = now() WHERE id = ${key}`;
		await follower.catchUp();
		assert.equal(applied.length, 2);
	});

	await t.test("a follower whose LISTEN connection is killed catches up with what changed while it was down", async (t) => {
		const { sql, name } = await newStore(t);
		const admin = connect(t, cluster.url, { max: 1 });
		const key = await addKey(sql, "watched");
		const listener = connect(t, cluster.urlOf(name), { max: 1 });
		// Its looks fail while it cannot connect; it looks again when it listens again.
		const { follower, applied } = await follow(t, sql, listener, () => {});
		await rename(sql, key, "before");
		await waitFor(() => applied.length === 1, "the first change to be heard");

		const writer = await sql.reserve();
		// No new connection until the changes are made: the follower cannot listen again before them.
		await admin`ALTER DATABASE ${admin(name)} ALLOW_CONNECTIONS false`;
		const [listening] = await admin<{ pid: number }[]>`
			SELECT pid FROM pg_stat_activity WHERE datname = ${name} AND query ILIKE 'listen%'`;
		assert.ok(listening, "the follower's LISTEN connection is there");
		await admin`SELECT pg_terminate_backend(${listening.pid})`;
		await waitFor(async () => (await admin`SELECT 1 FROM pg_stat_activity WHERE pid = ${listening.pid}`).length === 0, "the LISTEN connection to end");
		for (const each of ["while down 1", "while down 2", "while down 3"]) await rename(writer, key, each);
		const missed = await headRevision(writer);
		assert.equal(applied.length, 1, "nothing was heard while the connection was down");

		await admin`ALTER DATABASE ${admin(name)} ALLOW_CONNECTIONS true`;
		await waitFor(() => follower.revision() === missed, "the follower to catch up");
		assert.equal(applied.length, 4);
		writer.release();
	});

	await t.test("a reader behind the kept changes, or ahead of the database, is told to read every key again", async (t) => {
		const { sql } = await newStore(t);
		await sql`
			INSERT INTO api_keys (type, key_digest, key_hint, created_at, created_by)
			SELECT 'system', sha256(i::text::bytea), 'ab…', now(), 'test' FROM generate_series(1, ${keptChanges + 1500}) AS i`;
		const latest = await headRevision(sql);
		assert.equal(latest, keptChanges + 1500);
		const database = await databaseIdentity(sql);
		const schema = { version: latestSchema, compatibleFrom: latestSchema - 1 };
		const reload = { changes: [], reloadNeeded: true, revision: latest, more: false, head: latest, database, schema };
		assert.deepEqual(await changesAfter(sql, 0), reload);
		const recent = await changesAfter(sql, latest - 3);
		assert.equal(recent.reloadNeeded, false);
		assert.deepEqual(recent.changes.map((change) => change.revision), [latest - 2, latest - 1, latest]);
		// The database is behind the reader: restored from a backup, or another one.
		assert.equal((await changesAfter(sql, latest + 10)).reloadNeeded, true);
	});
});
