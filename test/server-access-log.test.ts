/**
 * What `serve` writes to the access log (bodies per the key's logging, every secret redacted, cut
 * at the store's cap), and that a stop, however timed, loses no answered request, on either engine.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, test } from "node:test";
import { call, logEntries, post, serve } from "./support/served-api.js";
import { servedEngines, withStore } from "./support/served-engines.js";
import { cliPath } from "./support/run-cli.js";

for (const engine of servedEngines()) {
	describe(`the access log (${engine.name})`, { skip: engine.skip }, () => {
		test("every request made with a key is logged, bodies per its logging, every secret redacted", async (t) => {
			const fixture = await serve(t, engine);
			const { url } = fixture.server;
			const created = await fetch(`${url}/api/api-keys/create?key=${encodeURIComponent(fixture.admin)}`, {
				method: "POST",
				headers: { "Content-Type": "application/json", "User-Agent": `redaction-test ${fixture.admin}` },
				body: JSON.stringify({ type: "system", systemApis: ["sca"], API_Key: fixture.admin, logging: "both" }),
			});
			const newKey = JSON.parse(await created.text()).key as string;
			await fetch(`${url}/api/api-keys/list`, { headers: { "X-ApiKey": newKey } });
			await fetch(`${url}/api/api-keys/verify`, {
				method: "POST",
				headers: { "Content-Type": "application/json", "X-ApiKey": fixture.admin },
				body: JSON.stringify({ key: newKey }),
			});
			await fetch(`${url}/health`);
			assert.equal(await fixture.server.stop(), 0);
			const entries = await logEntries(fixture.store);
			assert.equal(entries.length, 3, "health had no key, so it is not logged");
			const [verifyEntry, refused, create] = entries;
			assert.equal(create?.path, "/api/api-keys/create?key=[redacted]");
			assert.equal(create?.status, 200);
			assert.equal(create?.keyId, 1000);
			assert.equal(create?.userAgent, "redaction-test [redacted]");
			assert.match(create?.requestBody ?? "", /"API_Key":"\[redacted\]"/);
			assert.match(create?.responseBody ?? "", /"key":"\[redacted\]"/);
			assert.equal(refused?.status, 403);
			assert.equal(refused?.keyId, 1001, "a key without the scope is still named");
			assert.equal(refused?.requestBody, null, "a GET has no body to log");
			assert.match(verifyEntry?.requestBody ?? "", /\{"key":"\[redacted\]"\}/);
			for (const { where, bytes } of await fixture.store.storedBytes()) {
				for (const secret of [fixture.admin, newKey]) assert.equal(bytes.includes(secret), false, `${where} holds a secret`);
			}
			assert.ok((await withStore(fixture.store, (store) => store.getKey(1000)))?.lastUsedAt, "last used is recorded");
		});

		test("a logged body is cut at the store's cap, set through the server; a key that logs no bodies logs none", async (t) => {
			let quiet = { key: "", id: 0 };
			const fixture = await serve(t, engine, {
				seed: async (store) => {
					const made = await store.createKey({ type: "system", systemApis: ["full-control"], logging: "none" }, { actor: "test" });
					quiet = { key: made.key, id: made.record.id };
				},
			});
			const cap = await post(fixture, "/api/api-keys/settings", JSON.stringify({ logBodyMaxBytes: 16 }));
			assert.equal(cap.status, 200, cap.text);
			const body = JSON.stringify({ key: "not-a-key-but-long-enough-to-cut" });
			const verify = (key: string) =>
				call(fixture, "/api/api-keys/verify", { method: "POST", headers: { "Content-Type": "application/json" }, body }, key);
			assert.equal((await verify(fixture.admin)).status, 200);
			assert.equal((await verify(quiet.key)).status, 200);
			assert.equal(await fixture.server.stop(), 0);
			const [quietEntry, loggedEntry] = await logEntries(fixture.store);
			// The key to verify is redacted first (the route reveals it), then the body is cut.
			assert.equal(loggedEntry?.requestBody, '{"key":"[redacte… [cut at 16 bytes]');
			assert.match(loggedEntry?.responseBody ?? "", /… \[cut at 16 bytes\]$/);
			assert.equal(quietEntry?.keyId, quiet.id);
			assert.equal(quietEntry?.requestBody, null);
			assert.equal(quietEntry?.responseBody, null);
		});

		test("a request with a key whose body cannot be parsed is answered 400 and still logged under that key", async (t) => {
			const fixture = await serve(t, engine);
			const bad = await post(fixture, "/api/api-keys/verify", '{"key": [[[');
			assert.equal(bad.status, 400);
			assert.match(bad.text, /not valid JSON/);
			const huge = await post(fixture, "/api/api-keys/create", "[".repeat(5000));
			assert.equal(huge.status, 400);
			assert.equal(await fixture.server.stop(), 0);
			const entries = await logEntries(fixture.store);
			assert.deepEqual(
				entries.map((e) => [e.path, e.status, e.keyId]),
				[
					["/api/api-keys/create", 400, 1000],
					["/api/api-keys/verify", 400, 1000],
				],
			);
		});
	});

	describe(`stopping (${engine.name})`, { skip: engine.skip }, () => {
		test("SIGTERM under load: every answered request is in the log", async (t) => {
			const fixture = await serve(t, engine, { logging: "none" });
			const { url } = fixture.server;
			let answered = 0;
			const requests = Array.from({ length: 300 }, async (_, i) => {
				try {
					const response = await fetch(`${url}/api/api-keys/list?n=${i}`, { headers: { "X-ApiKey": fixture.admin } });
					await response.text();
					answered++;
					if (answered === 100) fixture.server.process.kill("SIGTERM");
				} catch {
					// Refused after the server stopped accepting: not answered, so not expected in the log.
				}
			});
			await Promise.all(requests);
			assert.equal(await new Promise((done) => {
				if (fixture.server.process.exitCode !== null) done(fixture.server.process.exitCode);
				else fixture.server.process.on("exit", done);
			}), 0);
			assert.ok(answered >= 100);
			assert.equal((await logEntries(fixture.store)).length, answered);
			assert.match(fixture.server.output().stderr, /stopped; the access log is written/);
		});

		test("a stop asked for while a large store's keys are being read is a clean stop", async (t) => {
			const store = await engine.newStore(t);
			await store.addKeysInBulk(20_000);
			const child = spawn(process.execPath, [cliPath, "serve", `--db=${store.db}`, ...store.args, "--port=0"], {
				stdio: ["ignore", "pipe", "pipe"],
				env: { ...process.env, ...store.childEnv },
			});
			let stderr = "";
			child.stderr.setEncoding("utf8").on("data", (d: string) => {
				stderr += d;
			});
			const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
			// The store is open: the server is reading its keys, before it listens.
			while (!(await store.isOpenBy(child.pid ?? 0))) await new Promise((resolve) => setTimeout(resolve, 5));
			child.kill("SIGTERM");
			assert.equal(await exited, 0, stderr);
			assert.match(stderr, /stopped; the access log is written/);
		});
	});
}
