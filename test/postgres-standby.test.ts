/**
 * The test clusters' standby and crash, which the failover tests of issue 22 build on: a streaming
 * standby replays the primary's changes under the same revisions and refuses LISTEN (a node must
 * listen on the primary); the primary killed with SIGKILL and the standby promoted, the standby
 * takes writes and its revisions go on after the last one replayed, never back; a multi-host URL
 * asking for the primary finds whichever cluster is it, and a node's key index on that URL follows
 * across the failover, reading every key again on the new primary.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import type postgres from "postgres";
import { changeChannel, databaseIdentity, headRevision, PostgresKeyIndex, prepareSchema } from "../source/store/postgres/index.js";
import { freePort } from "./support/nginx.js";
import { connect, postgresSkipReason, startCluster, waitFor } from "./support/postgres.js";

const digestOf = (key: string) => createHash("sha256").update(key).digest();

function addKey(sql: postgres.Sql, name: string) {
	const digest = digestOf(name);
	return sql`
		INSERT INTO api_keys (type, key_digest, key_hint, display_name, created_at, created_by)
		VALUES ('system', ${digest}, 'ab…', ${name}, now(), 'test')`;
}

test("PostgreSQL test clusters: a streaming standby, the primary killed, the standby promoted", { skip: postgresSkipReason() }, async (t) => {
	const primary = await startCluster(t, { port: await freePort() });
	const writes = connect(t, primary.url, { max: 1 });
	await prepareSchema(writes, "the primary");
	await addKey(writes, "before the standby");
	const standby = await primary.startStandby({ port: await freePort() });
	const reads = connect(t, standby.url, { max: 1 });
	const hosts = [standby.url, primary.url].map((url) => new URL(url).host).join(",");
	const whicheverIsPrimary = `postgres://postgres@${hosts}/postgres?target_session_attrs=primary`;
	const primaryPort = async () => {
		const sql = connect(t, whicheverIsPrimary, { max: 1 });
		const [row] = await sql<{ port: string }[]>`SELECT current_setting('port') AS port`;
		await sql.end();
		return row?.port;
	};
	assert.equal(await primaryPort(), new URL(primary.url).port);

	await addKey(writes, "streamed");
	const last = await headRevision(writes);
	await waitFor(async () => (await headRevision(reads)) === last, "the standby to replay the primary's changes");
	const names = await reads<{ name: string }[]>`SELECT display_name AS name FROM api_keys ORDER BY id`;
	assert.deepEqual(names.map((row) => row.name), ["before the standby", "streamed"]);
	await assert.rejects(addKey(reads, "on the standby"), /read-only transaction/);
	await assert.rejects(reads.listen(changeChannel, () => {}), /cannot execute LISTEN during recovery/);

	const index = await PostgresKeyIndex.open(connect(t, whicheverIsPrimary, { max: 2 }), { pollMs: 100, onError: () => {} });
	t.after(() => index.close());
	assert.equal(index.find(digestOf("streamed"))?.displayName, "streamed");
	// A change that names no key in the change feed: only reading every key again shows it.
	await writes`ALTER TABLE api_keys DISABLE TRIGGER USER`;
	await writes`UPDATE api_keys SET display_name = 'renamed quietly' WHERE display_name = 'before the standby'`;
	await writes`ALTER TABLE api_keys ENABLE TRIGGER USER`;
	await waitFor(async () => (await reads`SELECT 1 FROM api_keys WHERE display_name = 'renamed quietly'`).length === 1, "the standby to replay it");
	const [system, timeline] = (await databaseIdentity(writes)).split("/");
	assert.equal(await databaseIdentity(reads), `${system}/recovery`);

	await primary.kill();
	await assert.rejects(connect(t, primary.url, { max: 1 })`SELECT 1`, /ECONNREFUSED|ENOENT/);
	await standby.promote();
	await addKey(reads, "after the failover");
	assert.equal(await primaryPort(), new URL(standby.url).port);
	const after = await headRevision(reads);
	assert.ok(after > last, `revision ${after} goes on after ${last}`);
	const [sameSystem, newTimeline] = (await databaseIdentity(reads)).split("/");
	assert.equal(sameSystem, system);
	assert.notEqual(newTimeline, timeline);
	await waitFor(() => index.find(digestOf("after the failover")) !== undefined, "the index to follow onto the new primary");
	assert.equal(index.find(digestOf("before the standby"))?.displayName, "renamed quietly");
});
