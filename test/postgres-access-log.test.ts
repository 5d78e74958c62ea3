/**
 * The PostgreSQL store's access log on a real throw-away cluster: daily partitions made ahead by
 * any node (two at once included), an entry landing in its day's partition, and retention
 * dropping only the days wholly past it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type postgres from "postgres";
import { dropAccessLogPartitionsBefore, ensureAccessLogPartitions, partitionName, prepareSchema } from "../source/store/postgres/index.js";
import { join } from "node:path";
import { PostgresStore } from "../source/store/postgres/postgres-store.js";
import { accessEntry } from "./support/access-entry.js";
import { freePort } from "./support/nginx.js";
import { connect, postgresSkipReason, startCluster } from "./support/postgres.js";
import { startRelay } from "./support/serve-nodes.js";
import { tempDir } from "./support/temp-store.js";

function logEntry(sql: postgres.Sql, at: string) {
	return sql`
		INSERT INTO access_log (at, key_id, method, path, status, duration_ms, client)
		VALUES (${at}, 1000, 'GET', '/api/api-keys/list', 200, 1.5, '127.0.0.1')`;
}

async function partitions(sql: postgres.Sql): Promise<string[]> {
	const rows = await sql<{ name: string }[]>`
		SELECT child.relname AS name FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid
		WHERE pg_inherits.inhparent = 'access_log'::regclass ORDER BY 1`;
	return rows.map((row) => row.name);
}

test("PostgreSQL access log: daily partitions made ahead, retention drops whole days", { skip: postgresSkipReason() }, async (t) => {
	const cluster = await startCluster(t);
	const sql = connect(t, cluster.url);
	const otherNode = connect(t, cluster.url);
	await prepareSchema(sql, "the store");

	assert.equal(partitionName(new Date("2026-12-06T23:59:59.999Z")), "access_log_20261206");
	const now = new Date("2026-12-06T10:00:00Z");
	await Promise.all([ensureAccessLogPartitions(sql, now, 2), ensureAccessLogPartitions(otherNode, now, 2)]);
	await ensureAccessLogPartitions(sql, new Date("2026-12-04T10:00:00Z"), 0);
	assert.deepEqual(await partitions(sql), ["access_log_20261204", "access_log_20261206", "access_log_20261207", "access_log_20261208"]);

	await logEntry(sql, "2026-12-04T23:59:59.999Z");
	await logEntry(sql, "2026-12-06T00:00:00Z");
	await logEntry(sql, "2026-12-08T12:00:00Z");
	const [stored] = await sql<{ rows: number }[]>`SELECT count(*)::int AS rows FROM access_log_20261206`;
	assert.equal(stored?.rows, 1);
	// A day no node made a partition for is refused, not lost quietly: the writer makes it and retries.
	await assert.rejects(logEntry(sql, "2026-12-05T12:00:00Z"), /no partition of relation "access_log" found/);

	// Retention of one day at 2026-12-06 00:30: Dec 4 is wholly past it, Dec 5 would not be.
	assert.deepEqual(await dropAccessLogPartitionsBefore(sql, new Date("2026-12-05T00:30:00Z")), ["access_log_20261204"]);
	assert.deepEqual(await partitions(sql), ["access_log_20261206", "access_log_20261207", "access_log_20261208"]);
	const kept = await sql<{ at: Date }[]>`SELECT at FROM access_log ORDER BY id`;
	assert.deepEqual(kept.map((row) => row.at.toISOString()), ["2026-12-06T00:00:00.000Z", "2026-12-08T12:00:00.000Z"]);
	assert.deepEqual(await dropAccessLogPartitionsBefore(sql, new Date("2026-12-05T00:30:00Z")), []);
});

test("PostgreSQL access log: a stop whose first write fails (the database just back) tries again and loses nothing", { skip: postgresSkipReason() }, async (t) => {
	const cluster = await startCluster(t, { port: await freePort() });
	const direct = await cluster.createDatabase("stopping");
	const secretFile = join(tempDir(t), "keys.secret");
	await (await PostgresStore.open(direct, { secretFile })).close();
	const relay = await startRelay(t, Number(new URL(direct).port));
	const relayed = Object.assign(new URL(direct), { port: String(relay.port) }).href;
	const store = await PostgresStore.open(relayed, { secretFile });
	relay.block();
	for (let i = 0; i < 3; i++) store.logAccess(accessEntry({ at: Date.now() + i }));
	// The first failed write of the stop brings the database back, as a restart finishing would.
	store.onLogError = () => relay.unblock();
	await store.close();
	const sql = connect(t, direct, { max: 1 });
	const [counted] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM access_log`;
	assert.equal(counted?.n, 3);
});
