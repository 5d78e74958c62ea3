/**
 * Three `serve` nodes (real processes) on one PostgreSQL store: a key disabled, deleted, rolled or
 * given an expiration through one node's HTTP API is refused by the other two (polled until
 * refused, a bound for a hang, not a measure of speed). A node cut off from the database answers
 * from memory until --max-staleness, then refuses every key check with 503 and says why on
 * /health; once the database answers again it checks keys again, and a key revoked meanwhile
 * through another node is refused, never let through; it says so once as it begins and once as it ends.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { freePort } from "./support/nginx.js";
import { clusterPerFile, postgresSkipReason, startCluster, waitFor } from "./support/postgres.js";
import { call, createKey, makeStore, outcomeOf, startNode, startRelay } from "./support/serve-nodes.js";

const { database } = clusterPerFile();

describe("serve nodes on one PostgreSQL store", { skip: postgresSkipReason() }, () => {
	test("a key disabled, deleted, rolled or expiring through one node is refused by the other two", async (t) => {
		const url = await database();
		const store = await makeStore(t, url);
		const nodes = await Promise.all([0, 1, 2].map(() => startNode(t, url, store)));
		const [through, ...others] = nodes as [(typeof nodes)[0], ...typeof nodes];
		const refusedByOthers = async (key: string, outcome: string, what: string) => {
			for (const [n, node] of others.entries()) await waitFor(async () => (await outcomeOf(node, store, key)) === outcome, `node ${n + 2} to refuse ${what}`);
		};

		const disabled = await createKey(through, store, "disabled");
		const deleted = await createKey(through, store, "deleted");
		const rolled = await createKey(through, store, "rolled");
		const expiring = await createKey(through, store, "expiring");
		for (const node of nodes) {
			for (const key of [disabled, deleted, rolled, expiring]) {
				await waitFor(async () => (await outcomeOf(node, store, key.key)) === "valid", "every node to take every new key");
			}
		}

		assert.equal((await call(through, `/api/api-keys/disable?id=${disabled.id}`, store.admin, {})).status, 200);
		await refusedByOthers(disabled.key, "disabled", "the disabled key");

		assert.equal((await call(through, `/api/api-keys/delete?id=${deleted.id}`, store.admin, {})).status, 200);
		await refusedByOthers(deleted.key, "not-found", "the deleted key");

		const roll = await call(through, `/api/api-keys/roll?id=${rolled.id}`, store.admin, {});
		assert.equal(roll.status, 200, roll.text);
		const newText = (JSON.parse(roll.text) as { key: string }).key;
		await refusedByOthers(rolled.key, "not-found", "the rolled key's old text");
		for (const node of others) assert.equal(await outcomeOf(node, store, newText), "valid", "the new text is accepted");

		// Two seconds ahead, to the second: the other nodes accept it until then, and refuse it after.
		const soon = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000).toISOString().replace(/\.\d+Z$/, "Z");
		const update = await call(through, `/api/api-keys/update?id=${expiring.id}`, store.admin, { expiration: soon });
		assert.equal(update.status, 200, update.text);
		await refusedByOthers(expiring.key, "expired", "the key past its new expiration");

		for (const node of others) assert.equal(await outcomeOf(node, store, disabled.key), "disabled", "nothing refused comes back");
	});

	test("a node cut off from the database refuses key checks with 503 after --max-staleness, says why on /health, and recovers", async (t) => {
		const cluster = await startCluster(t, { port: await freePort() });
		const direct = await cluster.createDatabase("stale");
		const relay = await startRelay(t, Number(new URL(direct).port));
		const relayed = Object.assign(new URL(direct), { port: String(relay.port) }).href;
		const store = await makeStore(t, direct);
		const cutOff = await startNode(t, relayed, store, ["--max-staleness=3"]);
		const other = await startNode(t, direct, store);
		const revoked = await createKey(other, store, "revoked while cut off");
		await waitFor(async () => (await outcomeOf(cutOff, store, revoked.key)) === "valid", "the node to take the new key");
		const health = async () => {
			const response = await fetch(`${cutOff.url}/health`);
			return { status: response.status, body: (await response.json()) as Record<string, unknown> };
		};
		const healthy = await health();
		assert.equal(healthy.status, 200);
		assert.equal(healthy.body.status, "ok");

		relay.block();
		assert.equal((await call(other, `/api/api-keys/disable?id=${revoked.id}`, store.admin, {})).status, 200);
		await waitFor(async () => (await outcomeOf(cutOff, store, revoked.key)).startsWith("HTTP 503"), "the cut-off node to refuse key checks");
		const refusal = await outcomeOf(cutOff, store, revoked.key);
		assert.match(refusal, /^HTTP 503: This node cannot confirm its keys are current: .*--max-staleness=3 s.*cannot be reached/);
		const list = await call(cutOff, "/api/api-keys/list", store.admin);
		assert.equal(list.status, 503, "a route that checks the caller's key refuses too");
		const gateway = await fetch(`${cutOff.url}/api/api-keys/authorize?systemApi=full-control`, { headers: { "X-ApiKey": store.admin } });
		assert.equal(gateway.status, 503, "a gateway's question is refused too");
		const stale = await health();
		assert.equal(stale.status, 503);
		assert.equal(stale.body.status, "stale");
		assert.equal(stale.body.applicationName, "apikeys-tui", "ProGet's fields stay");
		assert.match(String(stale.body.reason), /database cannot be reached/);
		assert.equal(stale.body.databaseStatusDetails, stale.body.reason);
		assert.ok(Date.parse(String(stale.body.lastConfirmed)) <= Date.now(), "it says when its keys were last known current");
		assert.equal(await outcomeOf(other, store, store.admin), "valid", "a node that reaches the database answers throughout");

		relay.unblock();
		await waitFor(async () => (await health()).status === 200, "the node to recover by itself");
		// Polled past any 503 (a look slowed by a busy machine): what matters is that it is never let through.
		let answer = "";
		await waitFor(async () => !(answer = await outcomeOf(cutOff, store, revoked.key)).startsWith("HTTP 503"), "key checks to resume");
		assert.equal(answer, "disabled", "the key revoked meanwhile is refused, not let through");
		await waitFor(async () => (await outcomeOf(cutOff, store, store.admin)) === "valid", "the admin key to pass again");
		// Told once when the looks began to fail and once when they succeeded again, not at every look (one a second).
		await waitFor(() => cutOff.output().stderr.includes("the keys are current again"), "the node to say it is current again");
		const told = cutOff.output().stderr.split("\n").filter((line) => line.includes("look for changes"));
		assert.equal(told.length, 2, told.join("\n"));
		// The first failure is the cut connection, or on a busy machine a look that was already past its time bound.
		assert.match(told[0] ?? "", /^apikeys-tui serve: cannot look for changes to the keys, will keep trying .*: postgres:\/\/postgres@127\.0\.0\.1:\d+\/stale: (cannot reach|the PostgreSQL server did not answer in time)/);
		assert.match(told[1] ?? "", /^apikeys-tui serve: the keys are current again: a look for changes succeeded after \d+ failed looks? over \d+ s$/);
	});
});
