/**
 * An import into a remote instance is a create per key, so a failure part-way leaves the keys
 * created before it. The report must say exactly which those are (never "Nothing was imported").
 * The remote is the real `serve` behind a stand-in that passes every request through and drops
 * the connection at the third create, as a server that stops or a network that fails would.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer, request as forward } from "node:http";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { LocalStore } from "../../source/store/local-store.js";
import { runCli } from "../support/run-cli.js";
import { startServer } from "../support/server-process.js";
import { tempDir } from "../support/temp-store.js";

/** Passes requests to `target`, except the `failAt`th create, whose connection it closes unanswered. */
function failingStandIn(t: TestContext, target: URL, failAt: number): Promise<string> {
	let creates = 0;
	const server = createServer((incoming, outgoing) => {
		if (incoming.url?.startsWith("/api/api-keys/create") && ++creates === failAt) {
			incoming.socket.destroy();
			return;
		}
		const onward = forward(
			{ host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
			(answer) => {
				outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(outgoing);
			},
		);
		onward.on("error", () => outgoing.destroy());
		incoming.pipe(onward);
	});
	return new Promise((resolve) => {
		server.listen(0, "127.0.0.1", () => {
			t.after(() => server.close());
			const address = server.address();
			resolve(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
		});
	});
}

async function listStored(db: string) {
	const store = LocalStore.open(db, { existing: true });
	try {
		return await store.listKeys();
	} finally {
		await store.close();
	}
}

test("a remote import cut off at the third key reports the two keys it created, by item and id", async (t) => {
	const dir = tempDir(t);
	const db = join(dir, "keys.db");
	const store = LocalStore.open(db);
	const { key: admin } = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin" }, { actor: "t" });
	await store.close();
	const server = await startServer(db);
	t.after(async () => {
		if (server.process.exitCode === null) await server.stop();
	});
	const url = await failingStandIn(t, new URL(server.url), 3);
	const file = join(dir, "keys.json");
	const items = ["one", "two", "three", "four"].map((name, i) => ({
		type: "system",
		systemApis: ["feeds"],
		displayName: `import ${name}`,
		key: `imported-key-number-${i}-${"x".repeat(20)}`,
	}));
	writeFileSync(file, JSON.stringify(items));
	const result = await runCli(["import", file, `--source=${url}`], { env: { APIKEYS_TUI_API_KEY: admin } });
	assert.equal(result.code, 1, result.stderr);
	assert.doesNotMatch(result.stdout, /Nothing was imported/);
	const created = (await listStored(db)).filter((k) => k.displayName?.startsWith("import "));
	assert.deepEqual(created.map((k) => k.displayName), ["import one", "import two"], "what the server holds");
	const lines = result.stdout.split("\n");
	assert.match(lines[0] ?? "", /^The import stopped at item 3 \(import three\): /);
	assert.deepEqual(lines.slice(1, 4), [
		"Created before it stopped, and kept: 2 API keys.",
		`  item 1 (import one) → id ${created[0]?.id}`,
		`  item 2 (import two) → id ${created[1]?.id}`,
	]);
	assert.match(lines[4] ?? "", /^Not imported: items 3–4\b/);
});
