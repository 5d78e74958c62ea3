import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { LocalStore } from "../source/store/local-store.js";
import { RemoteBackend } from "../source/remote/remote-backend.js";
import { deobfuscate, ourSourcesPath } from "../source/remote/sources.js";
import { runCli } from "./support/run-cli.js";
import { startServer } from "./support/server-process.js";
import { tempDbPath, tempDir } from "./support/temp-store.js";

async function servedStore(t: TestContext) {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const { key } = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin" }, { actor: "t" });
	await store.createKey({ type: "feed", packagePermissions: ["view"], feedGroup: "prod", displayName: "CI" }, { actor: "t" });
	await store.close();
	const server = await startServer(db);
	t.after(async () => {
		if (server.process.exitCode === null) await server.stop();
	});
	return { db, key, url: server.url };
}

/** Stands in for a real ProGet: only its three API-key routes, 404 for everything else. */
function fakeProGet(t: TestContext, adminKey: string): Promise<string> {
	const keys: Record<string, unknown>[] = [{ id: 1, type: "Personal", logging: "None", user: "Admin" }];
	const server: Server = createServer((request, response) => {
		const url = new URL(request.url ?? "/", "http://x");
		if (request.headers["x-apikey"] !== adminKey) {
			response.writeHead(403).end("The specified API key does not have the proper permissions to perform this action.");
			return;
		}
		let body = "";
		request.on("data", (d) => {
			body += d;
		});
		request.on("end", () => {
			if (url.pathname === "/api/api-keys/list") response.writeHead(200).end(JSON.stringify(keys));
			else if (url.pathname === "/api/api-keys/create") {
				const created = { ...JSON.parse(body), id: keys.length + 1, key: "0123456789abcdef0123456789abcdef01234567" };
				keys.push(created);
				response.writeHead(200).end(JSON.stringify(created));
			} else response.writeHead(404).end("Not found");
		});
	});
	return new Promise((resolve) => {
		server.listen(0, "127.0.0.1", () => {
			t.after(() => server.close());
			const address = server.address();
			resolve(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`);
		});
	});
}

describe("commands on a remote instance", () => {
	test("print exactly what they print locally", async (t) => {
		const { db, key, url } = await servedStore(t);
		const env = { APIKEYS_TUI_API_KEY: key };
		const remote = await runCli(["list", `--source=${url}`], { env });
		const local = await runCli(["list", `--db=${db}`]);
		assert.equal(remote.code, 0, remote.stderr);
		assert.equal(remote.stdout, local.stdout);
		const created = await runCli(["create", "feed", "--feed=npm", "--permissions=view", `--source=${url}`], { env });
		assert.match(created.stdout, /^[0-9a-f]{40}\n$/);
		const deleted = await runCli(["delete", "--id=1002", `--source=${url}`], { env });
		assert.equal(deleted.stdout, "Deleting API key (id=1002)...\nAPI key deleted.\n");
		const again = await runCli(["delete", "--id=1002", `--source=${url}`], { env });
		assert.equal(again.code, 1);
		assert.equal(again.stderr, "apikeys-tui: no API key has id 1002\n");
		const updated = await runCli(["update", "--id=1001", "--logging=response", `--source=${url}`], { env });
		assert.equal(updated.stdout, "API key updated (id=1001).\n");
		const bad = await runCli(["create", "system", "--apis=root", `--source=${url}`], { env });
		assert.equal(bad.code, 2, "the rules run before anything is sent");
		const logs = await runCli(["logs", "--status=2xx", "--limit=2", `--source=${url}`], { env });
		assert.equal(logs.code, 0, logs.stderr);
		assert.equal(logs.stdout.trim().split("\n").length, 2);
	});

	test("a refused key, an unknown source and an unreachable host: one line each", async (t) => {
		const { url } = await servedStore(t);
		const refused = await runCli(["list", `--source=${url}`], { env: { APIKEYS_TUI_API_KEY: "not-a-key" } });
		assert.equal(refused.code, 1);
		assert.equal(
			refused.stderr,
			"apikeys-tui: the server refused the API key (403): The specified API key does not have the proper permissions to perform this action.\n",
		);
		const unknown = await runCli(["list", "--source=nowhere"], { env: { XDG_CONFIG_HOME: tempDir(t) } });
		assert.equal(unknown.code, 2);
		assert.match(unknown.stderr, /--source error: Source nowhere not found/);
		const closed = createServer();
		await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
		const address = closed.address();
		const port = typeof address === "object" && address ? address.port : 0;
		await new Promise((resolve) => closed.close(resolve));
		const unreachable = await runCli(["list", `--source=http://127.0.0.1:${port}`]);
		assert.equal(unreachable.code, 1);
		assert.match(unreachable.stderr, /connection refused; is the server running\?\n$/);
	});
});

describe("capabilities", () => {
	test("our server can do everything; ProGet only list, create and delete, with the reason for the rest", async (t) => {
		const { key, url } = await servedStore(t);
		const ours = await RemoteBackend.connect(url, key);
		assert.equal(ours.capabilities.update.available, true);
		assert.equal((await ours.listKeys())[1]?.feedGroup, "prod");
		const proget = await RemoteBackend.connect(await fakeProGet(t, "pg-key"), "pg-key");
		assert.equal(proget.capabilities.update.available, false);
		assert.match(
			proget.capabilities.update.available ? "" : proget.capabilities.update.reason,
			/ProGet has no API to change a key: delete it and create it again/,
		);
		const [admin] = await proget.listKeys();
		assert.equal(admin?.type, "personal");
		assert.equal(admin?.logging, "none");
		await assert.rejects(proget.updateKey(1, { logging: "both" }), /ProGet has no API to change a key/);
		await assert.rejects(proget.queryAccessLog({}, { limit: 5 }), /ProGet has no API to read access logs/);
		const created = await proget.createKey({ type: "feed", packagePermissions: ["view"], feed: "npm" }, { actor: "t" });
		assert.equal(created.key, "0123456789abcdef0123456789abcdef01234567");
		assert.equal(created.record.type, "feed");
	});
});

describe("sources", () => {
	test("add takes the key from stdin, stores it obfuscated 0600; list, test and remove", async (t) => {
		const { url } = await servedStore(t);
		const home = tempDir(t);
		const env = { XDG_CONFIG_HOME: home };
		const added = await runCli(["sources", "add", "--name=lab", `--url=${url}`, "--api-key=-"], { env, stdin: "lab-secret-key-123\n" });
		assert.equal(added.code, 0, added.stderr);
		assert.match(added.stderr, /obfuscated but not securely encrypted/);
		const file = ourSourcesPath(env);
		assert.equal(statSync(file).mode & 0o777, 0o600);
		const stored = (await import("node:fs")).readFileSync(file, "utf8");
		assert.ok(!stored.includes("lab-secret-key-123"), "never in plain text");
		const listed = await runCli(["sources", "list"], { env });
		assert.equal(listed.stdout, `1. lab\n   ${url.replace("http://", "http://api@")}\n`);
		const tested = await runCli(["sources", "test", "--name=lab"], { env });
		assert.match(tested.stdout, /^\[lab\] Successfully contacted ProGet 0\.1\.0 \(apikeys-tui\)\.\n$/);
		assert.equal((await runCli(["sources", "remove", "--name=lab"], { env })).stdout, "Removed lab source.\n");
		assert.equal((await runCli(["sources", "list"], { env })).stdout, "No sources configured.\n");
		const badUrl = await runCli(["sources", "add", "--name=x", "--url=not a url"], { env });
		assert.equal(badUrl.code, 2);
		assert.match(badUrl.stderr, /--url error: Invalid url\./);
	});

	test("pgutil's own config is read, its obfuscated token included", async (t) => {
		const { key, url, db } = await servedStore(t);
		const home = tempDir(t);
		const iv = randomBytes(16);
		const cipher = createCipheriv("aes-128-cbc", Buffer.from([207, 133, 227, 29, 231, 23, 59, 35, 79, 120, 240, 230, 231, 15, 243, 173]), iv);
		const encryptedToken = Buffer.concat([iv, cipher.update(key, "utf8"), cipher.final()]).toString("base64");
		assert.equal(deobfuscate(encryptedToken), key);
		mkdirSync(join(home, "pgutil"));
		writeFileSync(join(home, "pgutil", "pgutil.config"), JSON.stringify({ sources: [{ name: "Default", url, encryptedToken }] }, null, 2));
		const env = { XDG_CONFIG_HOME: home };
		assert.match((await runCli(["sources", "list"], { env })).stdout, /1\. Default \(from pgutil\)/);
		const remote = await runCli(["list", "--source=default"], { env });
		assert.equal(remote.code, 0, remote.stderr);
		assert.equal(remote.stdout, (await runCli(["list", `--db=${db}`])).stdout);
	});
});

describe("the same errors remotely", () => {
	test("a value the rules refuse prints the same option line as locally; prune runs on the server", async (t) => {
		const { db, key, url } = await servedStore(t);
		const env = { APIKEYS_TUI_API_KEY: key };
		const local = await runCli(["update", "--id=1001", "--permissions=view,fly", `--db=${db}`]);
		const remote = await runCli(["update", "--id=1001", "--permissions=view,fly", `--source=${url}`], { env });
		assert.equal(remote.code, 2);
		assert.equal(remote.stderr, local.stderr);
		assert.match(remote.stderr, /^--permissions error: an invalid value was specified/);
		const pruned = await runCli(["logs", "--prune", `--source=${url}`], { env });
		assert.equal(pruned.code, 0, pruned.stderr);
		assert.match(pruned.stdout, /^Pruned \d+ access-log entries\.\n$/);
	});
});
