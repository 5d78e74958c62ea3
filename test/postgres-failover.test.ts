/**
 * Failover under three `serve` nodes: a primary with a synchronous streaming standby, the nodes on
 * a multi-host URL asking for the primary. The primary is killed with SIGKILL: every node goes on
 * verifying from memory (a revoked key stays refused) while writes fail; the standby is promoted:
 * writes resume through the same URL, every node reads its keys from the new primary, a change
 * acknowledged just before the crash is there, and a key revoked before it does not come back.
 * Synchronous replication is what makes "acknowledged" mean "on the standby": with asynchronous
 * replication the last changes the old primary acknowledged may be lost (docs/STORE.md).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { freePort } from "./support/nginx.js";
import { connect, postgresSkipReason, startCluster, waitFor } from "./support/postgres.js";
import { call, createKey, makeStore, outcomeOf, startNode } from "./support/serve-nodes.js";

test("failover: nodes verify from memory while no primary answers, then write through the promoted standby, losing nothing", { skip: postgresSkipReason() }, async (t) => {
	const primary = await startCluster(t, { port: await freePort() });
	const store = await makeStore(t, await primary.createDatabase("keys"));
	const standby = await primary.startStandby({ port: await freePort() });
	// Set on the primary only (after the standby's copy): the promoted standby has no standby to wait for.
	const onPrimary = connect(t, primary.url, { max: 1 });
	await onPrimary`ALTER SYSTEM SET synchronous_standby_names = '*'`;
	await onPrimary`SELECT pg_reload_conf()`;
	await waitFor(async () => (await onPrimary`SELECT 1 FROM pg_stat_replication WHERE sync_state = 'sync'`).length === 1, "synchronous replication");
	await onPrimary.end();

	const hosts = [primary, standby].map((cluster) => new URL(cluster.urlOf("keys")).host).join(",");
	const url = `postgres://postgres@${hosts}/keys?target_session_attrs=primary`;
	const nodes = await Promise.all([0, 1, 2].map(() => startNode(t, url, store)));
	const [first, second, third] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];
	const everyNodeSays = async (key: string, outcome: string, what: string) => {
		for (const [n, node] of nodes.entries()) await waitFor(async () => (await outcomeOf(node, store, key)) === outcome, `node ${n + 1}: ${what}`);
	};

	const revokedBefore = await createKey(first, store, "revoked before the crash");
	const revokedAfter = await createKey(first, store, "revoked after the failover");
	await everyNodeSays(revokedAfter.key, "valid", "the new key");
	assert.equal((await call(first, `/api/api-keys/disable?id=${revokedBefore.id}`, store.admin, {})).status, 200);
	await everyNodeSays(revokedBefore.key, "disabled", "the key disabled before the crash");
	// Acknowledged (200) just before the crash, without waiting for the other nodes to see it.
	const acknowledged = await createKey(second, store, "acknowledged before the crash");

	await primary.kill();
	for (const node of nodes) {
		assert.equal(await outcomeOf(node, store, store.admin), "valid", "verification answers from memory");
		assert.equal(await outcomeOf(node, store, revokedBefore.key), "disabled", "a revoked key stays refused");
	}
	const duringOutage = await call(third, "/api/api-keys/create", store.admin, { type: "system", systemApis: ["full-control"] });
	assert.equal(duringOutage.status, 503, `a write with no primary: ${duringOutage.text}`);

	await standby.promote();
	let createdAfter: { id: number; key: string } | undefined;
	await waitFor(async () => {
		const answer = await call(third, "/api/api-keys/create", store.admin, { type: "system", systemApis: ["full-control"], displayName: "after" });
		if (answer.status === 200) createdAfter = JSON.parse(answer.text) as { id: number; key: string };
		return createdAfter !== undefined;
	}, "writes to resume through the multi-host URL");
	assert.ok(createdAfter);
	await everyNodeSays(createdAfter.key, "valid", "the key created on the new primary");
	await everyNodeSays(acknowledged.key, "valid", "the key acknowledged before the crash");
	assert.equal((await call(second, `/api/api-keys/disable?id=${revokedAfter.id}`, store.admin, {})).status, 200);
	await everyNodeSays(revokedAfter.key, "disabled", "the key disabled after the failover");

	for (const node of nodes) assert.equal(await outcomeOf(node, store, revokedBefore.key), "disabled", "no revoked key comes back");
	const list = await call(first, "/api/api-keys/list", store.admin);
	assert.equal(list.status, 200, list.text);
	const names = (JSON.parse(list.text) as { displayName?: string }[]).map((key) => key.displayName);
	assert.ok(names.includes("acknowledged before the crash"), `nothing acknowledged is lost: ${names.join(", ")}`);
	for (const node of nodes) assert.doesNotMatch(node.output().stderr, /unexpected error/);
});
