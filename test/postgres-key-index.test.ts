/**
 * A node's in-memory index of a PostgreSQL store's keys, on a real throw-away cluster: what
 * verification finds by digest, kept current from the change feed as keys are disabled, rolled,
 * deleted and added through another connection, and read whole again when changes were lost.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import type postgres from "postgres";
import { PostgresKeyIndex, prepareSchema } from "../source/store/postgres/index.js";
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
