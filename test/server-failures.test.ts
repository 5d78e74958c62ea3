/**
 * `serve` when its store fails, on both engines: the HTTP client is told a fixed sentence, never
 * where the store is or what its driver said (a file's path; a database's URL, host and port), and
 * the server's own log has the whole reason, once rather than at every request. A PostgreSQL node
 * cut off from its database says so on /health at once, while it goes on checking keys from memory
 * (200, databaseStatus "Error"), which a node past --max-staleness does not (503, postgres-nodes.test.ts).
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, test, type TestContext } from "node:test";
import { AppError } from "../source/core/errors.js";
import { storeFailedText, StoreFailures, storeFailureRepeatMs } from "../source/server/store-failures.js";
import { LocalStore } from "../source/store/local-store.js";
import { freePort } from "./support/nginx.js";
import { postgresSkipReason, startCluster, waitFor } from "./support/postgres.js";
import { type Answer, call, makeStore, outcomeOf, startNode, startRelay } from "./support/serve-nodes.js";
import { runCli } from "./support/run-cli.js";
import { type RunningServer, startServer } from "./support/server-process.js";
import { tempDir } from "./support/temp-store.js";

const routes: [string, unknown][] = [
	["/api/api-keys/list", undefined],
	["/api/api-keys/settings", undefined],
	["/api/api-keys/logs", undefined],
	["/api/api-keys/create", { type: "system", systemApis: ["feeds"], displayName: "during the failure" }],
];

/** Asks until the answer is no longer a 200 (a read may be answered for a moment after the fault); bounded. */
async function firstRefusal(ask: () => Promise<Answer>): Promise<Answer> {
	let answer = await ask();
	await waitFor(async () => (answer = await ask()).status !== 200, "the store's failure to reach the answers");
	return answer;
}

/** The answer is a 503 with `body` and names none of `hidden`; the server's log names the reason, in one line for all. */
function assertToldNothing(answer: Answer, hidden: string[], what: string, body = storeFailedText): void {
	assert.equal(answer.status, 503, `${what}: ${answer.text}`);
	assert.equal(answer.text, body, what);
	for (const text of hidden) assert.ok(!answer.text.includes(text), `${what} names ${text}`);
}

/** What the server's log says of the store's failures (its output arrives through a pipe of its own, maybe after the answers). */
async function storeFailureLines(server: RunningServer): Promise<string[]> {
	const lines = () => server.output().stderr.split("\n").filter((line) => line.includes("failed on the key store"));
	await waitFor(() => lines().length > 0, "the server's log to say why");
	return lines();
}

test("the server's log says a store failure at once, then at most once a minute with how many; a stale node's reason is public", () => {
	let now = 0;
	const said: string[] = [];
	let stale = false;
	const failures = new StoreFailures(
		() => (stale ? { status: "stale", reason: "This node cannot confirm its keys are current", lastConfirmed: null } : { status: "ok" }),
		(line) => said.push(line),
		() => now,
	);
	const failure = (n: number) => new AppError(`postgres://db.example/keys: failure ${n}`, "unavailable");
	assert.equal(failures.bodyFor(failure(1)), storeFailedText);
	for (let n = 2; n <= 5; n++) {
		now += 1_000;
		assert.equal(failures.bodyFor(failure(n)), storeFailedText);
	}
	now = storeFailureRepeatMs;
	failures.bodyFor(failure(6));
	now += storeFailureRepeatMs;
	failures.bodyFor(failure(7));
	stale = true;
	assert.equal(failures.bodyFor(failure(8)), "This node cannot confirm its keys are current", "what /health tells anyone");
	assert.deepEqual(said, [
		"a request failed on the key store (answered 503): postgres://db.example/keys: failure 1",
		"5 requests failed on the key store in the last 60 s (answered 503), the last: postgres://db.example/keys: failure 6",
		"a request failed on the key store (answered 503): postgres://db.example/keys: failure 7",
	]);
});

describe("a SQLite store that fails under serve", () => {
	test("its folder removed: every route and /health answer 503 without the path; the server's log has it, once", async (t) => {
		const dir = tempDir(t);
		const db = join(dir, "keys.db");
		const store = LocalStore.open(db);
		const admin = (await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin" }, { actor: "test" })).key;
		await store.close();
		const server = await startServer(db);
		t.after(async () => {
			if (server.process.exitCode === null && server.process.signalCode === null) await server.stop();
		});
		const asAdmin = (path: string, body?: unknown) => call(server, path, admin, body);
		assert.equal((await asAdmin("/api/api-keys/list")).status, 200);

		rmSync(dir, { recursive: true, force: true });
		// The node refuses every key check now, so it tells what /health tells anyone, never the path.
		const gone = "the store file was deleted while in use";
		const hidden = [dir, "keys.db", "SQLITE"];
		assertToldNothing(await firstRefusal(() => asAdmin("/api/api-keys/list")), hidden, "list", gone);
		for (const [path, body] of routes) assertToldNothing(await asAdmin(path, body), hidden, path, gone);
		const verify = await asAdmin("/api/api-keys/verify", { key: admin, systemApi: "full-control" });
		assertToldNothing(verify, hidden, "verify", gone);
		const gateway = await fetch(`${server.url}/api/api-keys/authorize?systemApi=full-control`, { headers: { "X-ApiKey": admin } });
		assertToldNothing({ status: gateway.status, text: await gateway.text() }, hidden, "authorize", gone);
		const health = await fetch(`${server.url}/health`);
		const healthText = await health.text();
		assert.equal(health.status, 503, "a load balancer takes the node out: it refuses every key check");
		assert.match(healthText, /"status":"stale","reason":"the store file was deleted while in use"/);
		assert.ok(!healthText.includes(dir), healthText);

		const remote = await runCli(["list", `--source=${server.url}`], { env: { APIKEYS_TUI_API_KEY: admin } });
		assert.equal(remote.code, 1);
		assert.equal(remote.stderr, `apikeys-tui: the server failed (503): ${gone}; try again\n`);

		const told = await storeFailureLines(server);
		assert.equal(told.length, 1, `one line for ${routes.length + 4} failures, not one each:\n${told.join("\n")}`);
		assert.match(told[0] ?? "", /^apikeys-tui serve: a request failed on the key store \(answered 503\): .*keys\.db: the store file was deleted while in use/);
		assert.ok(told[0]?.includes(dir), "the server's log says which store");
	});
});

describe("a PostgreSQL store that cannot be reached", { skip: postgresSkipReason() }, () => {
	/** A node on a database reached through a relay the test can cut; its keys last 120 s from memory. */
	async function cutOffNode(t: TestContext) {
		const cluster = await startCluster(t, { port: await freePort() });
		const direct = await cluster.createDatabase("keys");
		const relay = await startRelay(t, Number(new URL(direct).port));
		const relayed = Object.assign(new URL(direct), { port: String(relay.port) }).href;
		const store = await makeStore(t, direct);
		const node = await startNode(t, relayed, store, ["--max-staleness=120"]);
		return { node, store, relay, relayed };
	}

	test("a change or a read answers 503 without the database's URL, host or port; the server's log has them", async (t) => {
		const { node, store, relay, relayed } = await cutOffNode(t);
		relay.block();
		const url = new URL(relayed);
		const hidden = [url.host, url.hostname, String(relay.port), "postgres://", "PostgreSQL", "ECONN", "CONNECTION_"];
		for (const [path, body] of routes) assertToldNothing(await call(node, path, store.admin, body), hidden, path);
		assert.equal(await outcomeOf(node, store, store.admin), "valid", "keys are still checked from memory");

		const told = await storeFailureLines(node);
		assert.equal(told.length, 1, told.join("\n"));
		assert.match(told[0] ?? "", /^apikeys-tui serve: a request failed on the key store \(answered 503\): postgres:\/\/postgres@127\.0\.0\.1:\d+\/keys: cannot reach the PostgreSQL server/);
	});

	test("/health says the database cannot be reached at once, while the node still checks keys (200), and OK again once it can", async (t) => {
		const { node, store, relay } = await cutOffNode(t);
		const health = async () => {
			const response = await fetch(`${node.url}/health`);
			return { status: response.status, text: await response.text() };
		};
		const fields = (answer: { text: string }) => JSON.parse(answer.text) as Record<string, unknown>;
		assert.equal(fields(await health()).databaseStatus, "OK");

		relay.block();
		let answer = await health();
		await waitFor(async () => fields((answer = await health())).databaseStatus !== "OK", "/health to say the database cannot be reached");
		const body = fields(answer);
		assert.equal(answer.status, 200, "it still checks keys: a load balancer keeps it");
		assert.equal(body.databaseStatus, "Error");
		const details = String(body.databaseStatusDetails);
		assert.match(details, /^This node checks keys from memory: the last look for changes failed \(the database cannot be reached\)/);
		assert.match(details, /none has succeeded for [\d.]+ s; it refuses key checks past --max-staleness=120 s$/);
		assert.equal(body.serviceStatus, "OK");
		assert.equal(body.serviceStatusDetail, null);
		assert.equal(body.status, "degraded");
		assert.equal(body.reason, body.databaseStatusDetails);
		assert.ok(Date.parse(String(body.lastConfirmed)) <= Date.now(), "it says since when its keys are unconfirmed");
		assert.ok(!answer.text.includes(String(relay.port)), "no port named to a client without a key");
		assert.equal(await outcomeOf(node, store, store.admin), "valid");

		relay.unblock();
		await waitFor(async () => fields((answer = await health())).databaseStatus === "OK", "/health to say OK again");
		assert.equal(answer.status, 200);
		assert.deepEqual([fields(answer).status, fields(answer).databaseStatusDetails], ["ok", null]);
	});
});
