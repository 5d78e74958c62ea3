/**
 * `serve` under many requests and connections: each request judged by the key it presents as the
 * key is now, answers in order, failures slowed down, on either engine; and serve's own options.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LocalStore } from "../source/store/local-store.js";
import { rawConnection, rawExchange } from "./support/raw-http.js";
import { runCli } from "./support/run-cli.js";
import { call, serve } from "./support/served-api.js";
import { answerAfterChange, servedEngines } from "./support/served-engines.js";
import { startServer } from "./support/server-process.js";
import { tempDbPath } from "./support/temp-store.js";

for (const engine of servedEngines()) {
	describe(`many requests, many connections (${engine.name})`, { skip: engine.skip }, () => {
		test("each request on a kept-alive connection is judged by the key it presents, and by the key's state now", async (t) => {
			const made: Record<"other" | "feed", { key: string; id: number }> = { other: { key: "", id: 0 }, feed: { key: "", id: 0 } };
			const fixture = await serve(t, engine, {
				logging: "none",
				seed: async (store) => {
					const other = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "other" }, { actor: "test" });
					const feed = await store.createKey({ type: "feed", feed: "npm", packagePermissions: ["view"] }, { actor: "test" });
					made.other = { key: other.key, id: other.record.id };
					made.feed = { key: feed.key, id: feed.record.id };
				},
			});
			const connection = rawConnection(fixture.server.port);
			t.after(() => connection.close());
			assert.equal(await connection.status("/api/api-keys/list", fixture.admin), 200);
			assert.equal(await connection.status("/api/api-keys/list", fixture.admin), 200);
			assert.equal(await connection.status("/api/api-keys/list", `${fixture.admin}0`), 403, "a different key on the same connection");
			assert.equal(await connection.status("/api/api-keys/list", made.feed.key), 403, "a key without the scope on the same connection");
			assert.equal(await connection.status("/api/api-keys/list", made.other.key), 200);
			assert.equal(await connection.status("/api/api-keys/list", fixture.admin), 200);
			const disabled = await fixture.store.cli(["disable", `--id=${made.other.id}`]);
			assert.equal(disabled.code, 0, disabled.stderr);
			await answerAfterChange(engine, () => connection.status("/api/api-keys/list", made.other.key), 403, "disabled by another process since it was last presented");
			assert.equal(await connection.status("/api/api-keys/list", fixture.admin), 200);
		});

		test("many requests at once, on many connections and pipelined on one, each get their own answer", async (t) => {
			const keys: { key: string; id: number }[] = [];
			const fixture = await serve(t, engine, {
				logging: "none",
				seed: async (store) => {
					for (let i = 0; i < 40; i++) {
						const made = await store.createKey({ type: "personal", user: `user${i}` }, { actor: "test" });
						keys.push({ key: made.key, id: made.record.id });
					}
				},
			});
			const verify = (key: string) =>
				call(fixture, "/api/api-keys/verify", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ key }) });
			const answers = await Promise.all([...keys.map((k) => verify(k.key)), ...keys.map((k) => verify(`${k.key}x`))]);
			assert.deepEqual(
				answers.map((a) => [a.status, (JSON.parse(a.text) as { id?: number }).id]),
				[...keys.map((k) => [200, k.id]), ...keys.map(() => [200, undefined])],
			);
			const body = (key: string) => JSON.stringify({ key });
			const pipelined = keys
				.slice(0, 3)
				.map(
					(k) =>
						`POST /api/api-keys/verify HTTP/1.1\r\nHost: x\r\nX-ApiKey: ${fixture.admin}\r\nContent-Type: application/json\r\nContent-Length: ${body(k.key).length}\r\n\r\n${body(k.key)}`,
				)
				.join("");
			const text = await rawExchange(fixture.server.port, pipelined, 3);
			assert.deepEqual(
				[...text.matchAll(/"id":(\d+)/g)].map((m) => Number(m[1])),
				keys.slice(0, 3).map((k) => k.id),
				"pipelined answers come back in the order asked",
			);
		});

		test("repeated failures from one address are slowed down", async (t) => {
			const fixture = await serve(t, engine);
			const attempt = async () => {
				const started = performance.now();
				const response = await call(fixture, "/api/api-keys/list", {}, "guess-guess-guess");
				assert.equal(response.status, 403);
				return performance.now() - started;
			};
			for (let i = 0; i < 5; i++) await attempt();
			const slowed = [await attempt(), await attempt(), await attempt()];
			const eighth = slowed[2] ?? 0;
			assert.ok(eighth >= 350, `the 8th failure waited ${eighth.toFixed(0)} ms`);
			assert.equal((await call(fixture, "/api/api-keys/list")).status, 200, "a right key still works");
		});
	});
}

describe("serve's options", () => {
	test("a non-loopback address needs --public; a bad port is refused", async (t) => {
		const db = tempDbPath(t);
		const open = await runCli(["serve", "--host=0.0.0.0", `--db=${db}`]);
		assert.equal(open.code, 2);
		assert.match(open.stderr, /not a loopback address: add --public/);
		const port = await runCli(["serve", "--port=70000", `--db=${db}`]);
		assert.equal(port.code, 2);
		assert.match(port.stderr, /--port error/);
		for (const staleness of ["0", "-1", "soon", "1e3", ""]) {
			const refused = await runCli(["serve", `--max-staleness=${staleness}`, `--db=${db}`]);
			assert.equal(refused.code, 2, staleness);
			assert.match(refused.stderr, /^--max-staleness error: must be a number of seconds above 0/, staleness);
		}
	});

	// PostgreSQL's side, a node that cannot confirm it is current, is test/staleness-gate.test.ts's.
	test("a SQLite store is never stale, however small --max-staleness", async (t) => {
		const db = tempDbPath(t);
		const store = LocalStore.open(db);
		const admin = (await store.createKey({ type: "system", systemApis: ["full-control"] }, { actor: "t" })).key;
		await store.close();
		const server = await startServer(db, ["--max-staleness=0.001"]);
		t.after(() => server.stop());
		await new Promise((resolve) => setTimeout(resolve, 50));
		const health = await fetch(`${server.url}/health`);
		assert.equal(health.status, 200);
		assert.equal(((await health.json()) as { status: string }).status, "ok");
		const caller = await fetch(`${server.url}/api/api-keys/list`, { headers: { "X-ApiKey": admin } });
		assert.equal(caller.status, 200);
	});
});
