/**
 * The test clusters' standby and crash, which the failover tests of issue 22 build on: a streaming
 * standby replays the primary's changes under the same revisions and refuses LISTEN (a node must
 * listen on the primary); the primary killed with SIGKILL and the standby promoted, the standby
 * takes writes and its revisions go on after the last one replayed, never back; a multi-host URL
 * asking for the primary finds whichever cluster is it.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import type postgres from "postgres";
import { changeChannel, headRevision, prepareSchema } from "../source/store/postgres/index.js";
import { freePort } from "./support/nginx.js";
import { connect, postgresSkipReason, startCluster, waitFor } from "./support/postgres.js";

function addKey(sql: postgres.Sql, name: string) {
	const digest = createHash("sha256").update(name).digest();
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

	await primary.kill();
	await assert.rejects(connect(t, primary.url, { max: 1 })`SELECT 1`, /ECONNREFUSED|ENOENT/);
	await standby.promote();
	await addKey(reads, "after the failover");
	assert.equal(await primaryPort(), new URL(standby.url).port);
	const after = await headRevision(reads);
	assert.ok(after > last, `revision ${after} goes on after ${last}`);
});
