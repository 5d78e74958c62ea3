/**
 * A node's in-memory index of a PostgreSQL store's keys, on a real throw-away cluster: what
 * verification finds by digest, kept current from the change feed as keys are disabled, rolled,
 * deleted and added through another connection, and read whole again when changes were lost; a
 * revocation refused from its notification alone, and from the timed look alone.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import type postgres from "postgres";
import { changeChannel, PostgresKeyIndex, prepareSchema } from "../source/store/postgres/index.js";
import { startBlackholeProxy } from "./support/blackhole-proxy.js";
import { freePort } from "./support/nginx.js";
import { connect, postgresSkipReason, startCluster, waitFor } from "./support/postgres.js";

const digestOf = (key: string) => createHash("sha256").update(key).digest();

interface KeyFields {
	type?: string;
	systemApis?: string;
	feed?: string;
	permissions?: string;
	expiration?: string;
}

async function addKey(sql: postgres.Sql, key: string, fields: KeyFields = {}) {
	const [row] = await sql<{ id: number }[]>`
		INSERT INTO api_keys (type, key_digest, key_hint, display_name, system_apis, feed, package_permissions, expiration, created_at, created_by)
		VALUES (${fields.type ?? "system"}, ${digestOf(key)}, 'ab…', ${key}, ${fields.systemApis ?? null}, ${fields.feed ?? null},
			${fields.permissions ?? null}, ${fields.expiration ?? null}, now(), 'test')
		RETURNING id`;
	return row?.id ?? 0;
}

test("PostgreSQL key index: found by digest, kept current from the change feed", { skip: postgresSkipReason() }, async (t) => {
	const cluster = await startCluster(t);
	const writer = connect(t, cluster.url);
	await prepareSchema(writer, "the store");
	const system = await addKey(writer, "system key", { systemApis: '["feeds","sca"]' });
	const feed = await addKey(writer, "feed key", { type: "feed", feed: "npm", permissions: '["view"]', expiration: "2030-08-01T00:00:00Z" });
	const doomed = await addKey(writer, "doomed key");

	const index = await PostgresKeyIndex.open(connect(t, cluster.url), { pollMs: 0, onError: (error) => assert.fail(error as Error) });
	t.after(() => index.close());
	const expected = { id: system, type: "system", displayName: "system key", systemApis: ["feeds", "sca"], packagePermissions: null };
	const unset = { feed: null, feedGroup: null, user: null, expiration: null, logging: "none", enabled: true };
	assert.deepEqual(index.find(digestOf("system key")), { ...expected, ...unset });
	assert.equal(index.find(digestOf("feed key"))?.expiration, "2030-08-01T00:00:00Z");
	assert.deepEqual(index.find(digestOf("feed key"))?.packagePermissions, ["view"]);
	assert.equal(index.find(digestOf("no such key")), undefined);

	await writer`UPDATE api_keys SET enabled = false WHERE id = ${system}`;
	await waitFor(() => index.find(digestOf("system key"))?.enabled === false, "the disabled key to be disabled in the index");
	await writer`UPDATE api_keys SET key_digest = ${digestOf("rolled feed key")} WHERE id = ${feed}`;
	await waitFor(() => index.find(digestOf("rolled feed key"))?.id === feed, "the rolled key to be found by its new digest");
	assert.equal(index.find(digestOf("feed key")), undefined, "the old key text is refused");
	await writer`DELETE FROM api_keys WHERE id = ${doomed}`;
	await waitFor(() => index.find(digestOf("doomed key")) === undefined, "the deleted key to leave the index");
	const added = await addKey(writer, "added key");
	await waitFor(() => index.find(digestOf("added key"))?.id === added, "the added key to be found");

	// A change that left no change row (as if pruned): the index shows the old state until it reads everything again.
	await writer`ALTER TABLE api_keys DISABLE TRIGGER USER`;
	await writer`UPDATE api_keys SET enabled = true WHERE id = ${system}`;
	await writer`ALTER TABLE api_keys ENABLE TRIGGER USER`;
	await index.catchUp();
	assert.equal(index.find(digestOf("system key"))?.enabled, false);
	await writer`UPDATE store_meta SET value = ${String(index.revision() + 1)} WHERE name = 'changes_pruned_through'`;
	await writer`UPDATE api_keys SET display_name = 'added key, renamed' WHERE id = ${added}`;
	await waitFor(() => index.find(digestOf("system key"))?.enabled === true, "the index to read every key again");
	assert.equal(index.find(digestOf("added key"))?.displayName, "added key, renamed");
});

test(
	"PostgreSQL key index: a revocation is refused from its notification before the ordered look, and by the look alone when LISTEN is dead",
	{ skip: postgresSkipReason() },
	async (t) => {
		const port = await freePort();
		const cluster = await startCluster(t, { port });
		const writer = connect(t, cluster.url);
		await prepareSchema(writer, "the store");
		const disabled = await addKey(writer, "disabled key");
		const deleted = await addKey(writer, "deleted key");
		const rolled = await addKey(writer, "rolled key");
		const expiring = await addKey(writer, "expiring key", { expiration: "2030-08-01T00:00:00Z" });
		const forged = await addKey(writer, "key of a forged notice");
		const unheard = await addKey(writer, "key disabled unheard");
		const proxy = await startBlackholeProxy(t, port);
		const index = await PostgresKeyIndex.open(connect(t, proxy.through(cluster.url), { max: 1 }), { pollMs: 100, onError: () => {} });
		t.after(() => index.close());
		const revisionBefore = index.revision();

		// Every ordered look reads store_meta: while a transaction holds it, only a notification can reach the index.
		const blocker = connect(t, cluster.url);
		const holdLooks = async () => {
			const held = await blocker.reserve();
			await held`BEGIN`;
			await held`LOCK TABLE store_meta IN ACCESS EXCLUSIVE MODE`;
			return async () => {
				await held`ROLLBACK`;
				held.release();
			};
		};
		const letLooksRun = await holdLooks();
		await writer`UPDATE api_keys SET enabled = false WHERE id = ${disabled}`;
		await writer`DELETE FROM api_keys WHERE id = ${deleted}`;
		await writer`UPDATE api_keys SET key_digest = ${digestOf("rolled key, new text")} WHERE id = ${rolled}`;
		await writer`UPDATE api_keys SET expiration = '2001-02-03T04:05:06Z' WHERE id = ${expiring}`;
		await waitFor(
			() =>
				index.find(digestOf("disabled key"))?.enabled === false &&
				index.find(digestOf("deleted key")) === undefined &&
				index.find(digestOf("rolled key")) === undefined &&
				index.find(digestOf("expiring key"))?.expiration === "2001-02-03T04:05:06Z",
			"the revocations to reach the index from their notifications",
		);
		assert.equal(index.revision(), revisionBefore, "no ordered look has run");
		assert.equal(index.find(digestOf("rolled key, new text")), undefined, "a grant (the new text) waits for the ordered look");
		await letLooksRun();
		await index.catchUp();
		assert.ok(index.revision() > revisionBefore);
		assert.equal(index.find(digestOf("rolled key, new text"))?.id, rolled, "the ordered look brings the grant");
		assert.equal(index.find(digestOf("disabled key"))?.enabled, false, "the ordered look keeps what was refused early");
		assert.equal(index.find(digestOf("deleted key")), undefined);
		assert.equal(index.find(digestOf("expiring key"))?.expiration, "2001-02-03T04:05:06Z");

		// Anyone who may connect may NOTIFY: a notice no transaction committed is undone by the next look.
		const letLooksRunAgain = await holdLooks();
		await writer`SELECT pg_notify(${changeChannel}, ${`${index.revision() + 1000} ${forged} disabled`})`;
		await waitFor(() => index.find(digestOf("key of a forged notice"))?.enabled === false, "the forged notice to be applied");
		await letLooksRunAgain();
		await waitFor(() => index.find(digestOf("key of a forged notice"))?.enabled === true, "the look to undo the forged notice");

		// The LISTEN connection goes silent (no notification arrives, nothing tells it): the timed look still brings the change.
		const [listener] = await writer<{ port: number }[]>`
			SELECT client_port AS port FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'listen %'`;
		proxy.silenceConnection(listener?.port ?? 0);
		await writer`UPDATE api_keys SET enabled = false WHERE id = ${unheard}`;
		await waitFor(() => index.find(digestOf("key disabled unheard"))?.enabled === false, "the timed look to bring the revocation");
	},
);
