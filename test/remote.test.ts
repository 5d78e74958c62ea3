/**
 * The commands on a remote instance, each run against the ProGet stand-in (as strict as pgutil's
 * source shows ProGet) and against our `serve` behind a recorder: every request recorded is the
 * one pgutil sends for the same command (method, path, query, X-ApiKey, JSON body byte for byte).
 */
import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { RemoteBackend } from "../source/remote/remote-backend.js";
import { deobfuscate, ourSourcesPath } from "../source/remote/sources.js";
import { LocalStore } from "../source/store/local-store.js";
import { type RecordedRequest, startProGetStandIn, startRecordingProxy } from "./support/proget-standin.js";
import { runCli } from "./support/run-cli.js";
import { startServer } from "./support/server-process.js";
import { tempDbPath, tempDir } from "./support/temp-store.js";

interface Target {
	url: string;
	requests: RecordedRequest[];
	adminKey: string;
	/** What `list` prints for the two keys every target starts with (from a local store holding them). */
	listed: string;
	kind: "stand-in" | "serve";
}

/** Two keys, as a local store and our server hold them and as ProGet lists them. */
async function seededStore(t: TestContext): Promise<{ db: string; adminKey: string; listed: string }> {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const { key } = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin" }, { actor: "t" });
	await store.createKey({ type: "feed", packagePermissions: ["view"], feedGroup: "prod", displayName: "CI" }, { actor: "t" });
	await store.close();
	return { db, adminKey: key, listed: (await runCli(["list", `--db=${db}`])).stdout };
}

async function standIn(t: TestContext, options: { createWithoutId?: boolean; keys?: Record<string, unknown>[] } = {}): Promise<Target> {
	const { adminKey, listed } = await seededStore(t);
	const keys = options.keys ?? [
		{ id: 1000, type: "System", displayName: "admin", systemApis: ["full-control"], logging: "None" },
		{ id: 1001, type: "Feed", displayName: "CI", packagePermissions: ["view"], feedGroup: "prod", logging: "None" },
	];
	const server = await startProGetStandIn(t, { apiKey: adminKey, user: { name: "jrdobbs", password: "hunter42" }, keys, ...options });
	return { url: server.url, requests: server.requests, adminKey, listed, kind: "stand-in" };
}

async function served(t: TestContext): Promise<Target> {
	const { db, adminKey, listed } = await seededStore(t);
	const server = await startServer(db);
	t.after(async () => {
		if (server.process.exitCode === null) await server.stop();
	});
	const proxy = await startRecordingProxy(t, server.url);
	return { url: proxy.url, requests: proxy.requests, adminKey, listed, kind: "serve" };
}

const targets: [string, (t: TestContext) => Promise<Target>][] = [
	["the ProGet stand-in", standIn],
	["apikeys-tui serve", served],
];

/**
 * A request as pgutil's ProGetClient sends it
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetClient.cs#L390-L411).
 */
function assertRequest(
	actual: RecordedRequest | undefined,
	expected: { method: string; path: string; query?: string; apiKey: string; body?: string },
): void {
	assert.ok(actual, `no request for ${expected.method} ${expected.path}`);
	assert.equal(actual.method, expected.method);
	assert.equal(actual.path, expected.path);
	assert.equal(actual.query, expected.query ?? "");
	assert.equal(actual.apiKey, expected.apiKey);
	assert.deepEqual(actual.otherCredentials, []);
	if (expected.body === undefined) assert.equal(actual.json, undefined);
	else {
		assert.equal(actual.contentType, "application/json; charset=utf-8");
		assert.equal(JSON.stringify(actual.json), expected.body, "the body pgutil writes: names, order, enum names, date form");
	}
}

for (const [name, start] of targets) {
	describe(`pgutil's commands on ${name}`, () => {
		test("list, create and delete send one request each, exactly pgutil's, and print what they print locally", async (t) => {
			const target = await start(t);
			const env = { APIKEYS_TUI_API_KEY: target.adminKey };
			const listed = await runCli(["list", `--source=${target.url}`], { env });
			assert.equal(listed.code, 0, listed.stderr);
			assert.equal(listed.stdout, target.listed);
			assert.equal(target.requests.length, 1, "no probe, nothing else first");
			assertRequest(target.requests[0], { method: "GET", path: "/api/api-keys/list", apiKey: target.adminKey });

			const created = await runCli(["create", "system", `--source=${target.url}`], { env });
			assert.equal(created.code, 0, created.stderr);
			assert.match(created.stdout, /^[0-9a-f]{40}\n$/);
			assert.equal(target.requests.length, 2);
			assertRequest(target.requests[1], {
				method: "POST",
				path: "/api/api-keys/create",
				apiKey: target.adminKey,
				body: '{"type":"System","systemApis":["feeds","sca","sbom-upload"],"logging":"None"}',
			});

			const deleted = await runCli(["apikeys", "delete", "--id=1002", `--source=${target.url}`], { env });
			assert.equal(deleted.stdout, "Deleting API key (id=1002)...\nAPI key deleted.\n", deleted.stderr);
			assert.equal(target.requests.length, 3);
			assertRequest(target.requests[2], { method: "POST", path: "/api/api-keys/delete", query: "id=1002", apiKey: target.adminKey });
			const again = await runCli(["delete", "--id=1002", `--source=${target.url}`], { env });
			assert.equal(again.code, 1);
			assert.equal(again.stderr.split("\n").length, 2, "one line");
		});

		test("every date form pgutil reads is sent as the ISO form of the DateTime it parses; past and unreadable dates send nothing", async (t) => {
			const target = await start(t);
			const env = { APIKEYS_TUI_API_KEY: target.adminKey };
			const forms: [string, string | undefined][] = [
				["2030/08/01", "2030-08-01T00:00:00"],
				["08/01/2030", "2030-08-01T00:00:00"],
				["8/1/2030", "2030-08-01T00:00:00"],
				["Aug 1, 2030", "2030-08-01T00:00:00"],
				["2030-08-01", "2030-08-01T00:00:00"],
				["2030-08-01 12:30", "2030-08-01T12:30:00"],
				["2030-08-01T12:30:00+02:00", "2030-08-01T10:30:00Z"],
				["never", undefined],
			];
			for (const [typed, sent] of forms) {
				const before = target.requests.length;
				const created = await runCli(["create", "feed", "--feed=npm", "--permissions=view", "--name=CI", `--expiration=${typed}`, `--source=${target.url}`], { env });
				assert.equal(created.code, 0, `${typed}: ${created.stderr}`);
				assert.equal(target.requests.length, before + 1);
				const expiration = sent === undefined ? "" : `,"expiration":"${sent}"`;
				assertRequest(target.requests.at(-1), {
					method: "POST",
					path: "/api/api-keys/create",
					apiKey: target.adminKey,
					body: `{"type":"Feed","displayName":"CI","packagePermissions":["view"],"feed":"npm"${expiration},"logging":"None"}`,
				});
			}
			const asked = Date.now();
			const span = await runCli(["create", "feed", "--group=prod", "--expiration=30d", `--source=${target.url}`], { env });
			const answered = Date.now();
			assert.equal(span.code, 0, span.stderr);
			const sent = (target.requests.at(-1)?.json as { expiration: string }).expiration;
			assert.match(sent, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, "a span is an instant, with Z");
			const days = 30 * 86_400_000;
			assert.ok(Date.parse(sent) >= asked - 1000 + days && Date.parse(sent) <= answered + days, "30 days after the command ran");

			const before = target.requests.length;
			for (const [typed, reason] of [
				["2001-01-01", /^--expiration error: "2001-01-01" is in the past\n$/],
				["Jan 1, 2001", /^--expiration error: "Jan 1, 2001" is in the past\n$/],
				["soon", /^--expiration error: "soon" is not a date: /],
				["31/12/2030", /^--expiration error: "31\/12\/2030" is not a valid date \(read month first/],
			] as const) {
				const refused = await runCli(["create", "system", `--expiration=${typed}`, `--source=${target.url}`], { env });
				assert.equal(refused.code, 2, typed);
				assert.match(refused.stderr, reason);
			}
			assert.equal(target.requests.length, before, "nothing sent");
		});

		test("--username and --password are sent as X-ApiKey user:password; a personal key defaults to that user", async (t) => {
			const target = await start(t);
			const created = await runCli(["create", "personal", "--username=jrdobbs", "--password=-", `--source=${target.url}`], { stdin: "hunter42\n" });
			const expected = '{"type":"Personal","logging":"None","user":"jrdobbs"}';
			assertRequest(target.requests[0], { method: "POST", path: "/api/api-keys/create", apiKey: "jrdobbs:hunter42", body: expected });
			if (target.kind === "stand-in") {
				assert.equal(created.code, 0, created.stderr);
				assert.match(created.stdout, /^[0-9a-f]{40}\n$/);
			} else {
				// serve has no users: a user:password is a key that matches nothing, refused as ProGet refuses.
				assert.equal(created.code, 1);
				assert.match(created.stderr, /^apikeys-tui: the server refused the user name and password \(403\):/);
			}
			const fromEnv = await runCli(["list", "--username=jrdobbs", `--source=${target.url}`], { env: { APIKEYS_TUI_PASSWORD: "hunter42" } });
			assert.equal(fromEnv.code, target.kind === "stand-in" ? 0 : 1, fromEnv.stderr);
			assertRequest(target.requests[1], { method: "GET", path: "/api/api-keys/list", apiKey: "jrdobbs:hunter42" });
			const piped = await runCli(["list", "--api-key=-", `--source=${target.url}`], { stdin: `${target.adminKey}\n`, env: { APIKEYS_TUI_API_KEY: "" } });
			assert.equal(piped.code, 0, piped.stderr);
			assertRequest(target.requests[2], { method: "GET", path: "/api/api-keys/list", apiKey: target.adminKey });
			const both = await runCli(["create", "system", "--key=-", "--username=jrdobbs", "--password=-", `--source=${target.url}`], { stdin: "x\n" });
			assert.equal(both.code, 2);
			assert.match(both.stderr, /^--key=- and --password=- both read standard input/);
			const noPassword = await runCli(["list", "--username=jrdobbs", `--source=${target.url}`], { env: { APIKEYS_TUI_PASSWORD: "" } });
			assert.equal(noPassword.code, 2);
			assert.match(noPassword.stderr, /^--password error: required with --username/);
			const none = await runCli(["list", `--source=${target.url}`], { env: { APIKEYS_TUI_API_KEY: "" } });
			assert.equal(none.code, 1);
			assert.match(none.stderr, /^apikeys-tui: No API key or user given/);
			assert.equal(target.requests.at(-1)?.apiKey, undefined, "nothing sent as a key");
			const personal = await runCli(["create", "personal", `--source=${target.url}`], { env: { APIKEYS_TUI_API_KEY: target.adminKey } });
			assert.equal(personal.code, 2);
			assert.equal(personal.stderr, "--user error: required when not using --username/--password to authenticate\n(see apikeys-tui create --help)\n");
			// pgutil: --user, else --username, even when --api-key is what authenticates (PersonalCommand.cs#L38).
			const forUser = await runCli(["create", "personal", "--api-key=-", "--username=jrdobbs", `--source=${target.url}`], { stdin: `${target.adminKey}\n` });
			assert.equal(forUser.code, 0, forUser.stderr);
			assertRequest(target.requests.at(-1), { method: "POST", path: "/api/api-keys/create", apiKey: target.adminKey, body: '{"type":"Personal","logging":"None","user":"jrdobbs"}' });
		});

		test("commands pgutil lacks ask GET /health first; on ProGet they say what ProGet has no API for", async (t) => {
			const target = await start(t);
			const env = { APIKEYS_TUI_API_KEY: target.adminKey };
			const updated = await runCli(["update", "--id=1001", "--logging=response", `--source=${target.url}`], { env });
			assertRequest(target.requests[0], { method: "GET", path: "/health", apiKey: target.adminKey });
			let logs = await runCli(["logs", "--limit=2", `--source=${target.url}`], { env });
			// serve writes its access log in batches (within 200 ms): the update's entries may be a moment behind it.
			for (let tries = 0; target.kind === "serve" && logs.code === 0 && logs.stdout.trim().split("\n").length < 2 && tries < 20; tries++) {
				await new Promise((resolve) => setTimeout(resolve, 100));
				logs = await runCli(["logs", "--limit=2", `--source=${target.url}`], { env });
			}
			if (target.kind === "stand-in") {
				assert.equal(updated.code, 2);
				// One line, no "see --help": the command was right, the instance cannot do it.
				assert.equal(updated.stderr, "apikeys-tui: ProGet has no API to change a key: delete it and create it again (a custom key keeps its text)\n");
				assert.equal(logs.code, 2);
				assert.equal(logs.stderr, "apikeys-tui: ProGet has no API to read access logs (see Administration > API Keys in ProGet)\n");
				assert.deepEqual(target.requests.map((r) => r.path), ["/health", "/health"], "nothing ProGet lacks is asked for");
			} else {
				assert.equal(updated.stdout, "API key updated (id=1001).\n", updated.stderr);
				assert.equal(logs.code, 0, logs.stderr);
				assert.equal(logs.stdout.trim().split("\n").length, 2);
			}
			// ProGet cannot disable a key: status counts keys, and claims nothing about how many are enabled.
			const status = await runCli(["status", `--source=${target.url}`], { env });
			assert.equal(status.code, 0, status.stderr);
			assert.match(status.stdout, target.kind === "stand-in" ? /^Keys: {4}2\n/m : /^Keys: {4}2 \(2 enabled\)\n/m);
			const json = JSON.parse((await runCli(["status", "--json", `--source=${target.url}`], { env })).stdout) as { enabled?: number };
			assert.equal(json.enabled, target.kind === "stand-in" ? undefined : 2);
		});

		test("apikeys list is list, -? is help, and the rules refuse a bad value before anything is sent", async (t) => {
			const target = await start(t);
			const env = { APIKEYS_TUI_API_KEY: target.adminKey };
			const plain = await runCli(["list", `--source=${target.url}`], { env });
			const spelled = await runCli(["apikeys", "list", `--source=${target.url}`], { env });
			assert.equal(spelled.stdout, plain.stdout);
			const help = await runCli(["apikeys", "create", "-?"]);
			assert.equal(help.code, 0);
			assert.match(help.stdout, /^Creates an API key/);
			const before = target.requests.length;
			const bad = await runCli(["create", "system", "--apis=root", `--source=${target.url}`], { env });
			assert.equal(bad.code, 2);
			assert.match(bad.stderr, /^--apis error: /);
			assert.equal(target.requests.length, before);
		});
	});
}

describe("what ProGet is sent", () => {
	test("scopes and names as pgutil could send them: scope values in lower case, once each; text trimmed", async (t) => {
		const target = await standIn(t);
		const env = { APIKEYS_TUI_API_KEY: target.adminKey };
		const system = await runCli(["create", "system", "--apis=SCA,Feeds,feeds", "--name=  CI  ", `--source=${target.url}`], { env });
		assert.equal(system.code, 0, system.stderr);
		assertRequest(target.requests.at(-1), { method: "POST", path: "/api/api-keys/create", apiKey: target.adminKey, body: '{"type":"System","displayName":"CI","systemApis":["feeds","sca"],"logging":"None"}' });
		const feed = await runCli(["create", "feed", "--feed= npm ", "--permissions=add, VIEW", `--source=${target.url}`], { env });
		assert.equal(feed.code, 0, feed.stderr);
		assertRequest(target.requests.at(-1), { method: "POST", path: "/api/api-keys/create", apiKey: target.adminKey, body: '{"type":"Feed","packagePermissions":["view","add"],"feed":"npm","logging":"None"}' });
	});
});

describe("what ProGet may answer", () => {
	test("a create answer without an id still prints the key; the id is said to be unknown", async (t) => {
		const target = await standIn(t, { createWithoutId: true });
		const created = await runCli(["create", "feed", "--feed=npm", `--source=${target.url}`], { env: { APIKEYS_TUI_API_KEY: target.adminKey } });
		assert.equal(created.code, 0, created.stderr);
		assert.match(created.stdout, /^[0-9a-f]{40}\n$/);
		assert.equal(created.stderr, "apikeys-tui: the key was created, but the server did not say its id (see apikeys-tui list)\n");
	});

	test("an import whose creates answer without an id says the ids are unknown, never a made-up one", async (t) => {
		const target = await standIn(t, { createWithoutId: true });
		const file = join(tempDir(t), "keys.json");
		writeFileSync(file, JSON.stringify([{ type: "system", displayName: "a", key: "a".repeat(24), systemApis: ["feeds"] }]));
		const env = { APIKEYS_TUI_API_KEY: target.adminKey };
		const text = await runCli(["import", file, `--source=${target.url}`], { env });
		assert.equal(text.code, 0, text.stderr);
		assert.equal(text.stdout, "Imported 1 API key.\n  item 1 (a) → id unknown (the server did not say it)\n");
		const json = await runCli(["import", file, `--source=${target.url}`, "--json"], { env });
		assert.deepEqual(JSON.parse(json.stdout), { imported: [{ index: 0, displayName: "a" }], refused: [] }, "no id, as list --json leaves it out");
	});

	test("keys without an id are listed, not deletable; enums in any case or as numbers; scopes as sent", async (t) => {
		const target = await standIn(t, {
			keys: [
				{ type: "personal", user: "Admin", logging: 3, expiration: "2030-08-01T00:00:00" },
				{ id: 7, type: 0, systemApis: ["Feeds", "SCA"], logging: "RESPONSE" },
			],
		});
		const listed = await runCli(["list", `--source=${target.url}`], { env: { APIKEYS_TUI_API_KEY: target.adminKey } });
		assert.equal(listed.code, 0, listed.stderr);
		assert.equal(
			listed.stdout,
			"(unnamed key)\n  Id:          \n  Expiration:  08/01/2030\n  Logging:     Both\n  Type:        Personal\n  User:        Admin\n\n" +
			"(unnamed key)\n  Id:          7\n  Expiration:  None\n  Logging:     Response\n  Type:        System\n  APIs:        Feeds, SCA\n\n",
		);
		const backend = await RemoteBackend.connect(target.url, { credentials: { apiKey: target.adminKey } });
		const [unknown] = await backend.listKeys();
		assert.ok(unknown && unknown.id < 0);
		await assert.rejects(backend.deleteKey(unknown.id), /listed this key without an id, so it cannot be deleted/);
	});

	test("a /health answer that is not ours (an HTML page, a log-in redirect, an error) means ProGet, never a failure", async (t) => {
		for (const answer of [
			{ status: 200, headers: { "content-type": "text/html" }, body: "<html>hello</html>" },
			{ status: 302, headers: { location: "/log-in?ReturnUrl=%2Fhealth" }, body: "" },
			{ status: 500, headers: {}, body: "boom" },
			{ status: 200, headers: { "x-apikeys-tui-version": "9" }, body: "{\"applicationName\":\"ProGet\"}" },
		]) {
			const server = createServer((request, response) => response.writeHead(answer.status, answer.headers).end(answer.body));
			await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
			t.after(() => server.close());
			const address = server.address();
			const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
			const backend = await RemoteBackend.connect(url, { credentials: { apiKey: "k" }, discover: true });
			assert.equal(backend.capabilities.update.available, false, JSON.stringify(answer));
		}
	});

	test("a URL that is not the instance's base (ProGet's HTML 404 page) says so, never prints the page's first line", async (t) => {
		const target = await standIn(t);
		const wrong = `${target.url}proget/`;
		const env = { APIKEYS_TUI_API_KEY: target.adminKey };
		for (const [args, path] of [[["list"], "api/api-keys/list"], [["delete", "--id=1000"], "api/api-keys/delete"], [["create", "system"], "api/api-keys/create"]] as const) {
			const result = await runCli([...args, `--source=${wrong}`], { env });
			assert.equal(result.code, 1, args.join(" "));
			assert.match(result.stderr, new RegExp(`^apikeys-tui: ${wrong.replace(/[.]/g, "\\.")}: ${path} answered 404 with a web page \\("Not Found"\\), not the API: is this the instance's base URL\\?\n$`, "m"), args.join(" "));
			assert.doesNotMatch(result.stderr, /DOCTYPE/);
		}
	});

	test("an http URL that redirects to https on the same host says which URL to use", async (t) => {
		const server = createServer((request, response) => {
			const port = typeof server.address() === "object" ? (server.address() as { port: number }).port : 0;
			response.writeHead(301, { location: `https://127.0.0.1:${port + 1}${request.url}` }).end();
		});
		await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
		t.after(() => server.close());
		const port = (server.address() as { port: number }).port;
		const listed = await runCli(["list", `--source=http://127.0.0.1:${port}/proget/`], { env: { APIKEYS_TUI_API_KEY: "k" } });
		assert.equal(listed.code, 2);
		assert.equal(listed.stderr, `apikeys-tui: http://127.0.0.1:${port}/proget/ redirects to https: use --source=https://127.0.0.1:${port + 1}/proget/\n`);
	});
});

describe("sources", () => {
	test("add takes the key from stdin, stores it obfuscated 0600; list, test and remove", async (t) => {
		const target = await served(t);
		const home = tempDir(t);
		const env = { XDG_CONFIG_HOME: home };
		const added = await runCli(["sources", "add", "--name=lab", `--url=${target.url}`, "--api-key=-"], { env, stdin: "lab-secret-key-123\n" });
		assert.equal(added.code, 0, added.stderr);
		assert.match(added.stderr, /obfuscated but not securely encrypted/);
		const file = ourSourcesPath(env);
		assert.equal(statSync(file).mode & 0o777, 0o600);
		assert.ok(!readFileSync(file, "utf8").includes("lab-secret-key-123"), "never in plain text");
		const listed = await runCli(["sources", "list"], { env });
		assert.equal(listed.stdout, `1. lab\n   ${target.url.replace("http://", "http://api@")}\n`);
		const tested = await runCli(["sources", "test", "--name=lab"], { env });
		assert.match(tested.stdout, /^\[lab\] Successfully contacted ProGet 0\.1\.0 \(apikeys-tui\)\.\n$/);
		assert.equal((await runCli(["sources", "remove", "--name=lab"], { env })).stdout, "Removed lab source.\n");
		assert.equal((await runCli(["sources", "list"], { env })).stdout, "No sources configured.\n");
		const badUrl = await runCli(["sources", "add", "--name=x", "--url=not a url"], { env });
		assert.equal(badUrl.code, 2);
		assert.match(badUrl.stderr, /--url error: Invalid url\./);
	});

	test("add --username --password=- stores the password obfuscated; requests then go as user:password", async (t) => {
		const target = await standIn(t);
		const env = { XDG_CONFIG_HOME: tempDir(t) };
		const added = await runCli(["sources", "add", "--name=pg", `--url=${target.url}`, "--username=jrdobbs", "--password=-"], { env, stdin: "hunter42\n" });
		assert.equal(added.code, 0, added.stderr);
		const stored = JSON.parse(readFileSync(ourSourcesPath(env), "utf8")) as { sources: { username: string; encryptedPassword: string }[] };
		assert.equal(stored.sources[0]?.username, "jrdobbs");
		assert.equal(deobfuscate(stored.sources[0]?.encryptedPassword ?? ""), "hunter42");
		assert.ok(!JSON.stringify(stored).includes("hunter42"));
		assert.equal(statSync(ourSourcesPath(env)).mode & 0o777, 0o600);
		assert.equal((await runCli(["sources", "list"], { env })).stdout, `1. pg\n   ${target.url.replace("http://", "http://jrdobbs@")}\n`);
		const created = await runCli(["create", "personal", "--source=pg"], { env });
		assert.equal(created.code, 0, created.stderr);
		assertRequest(target.requests[0], { method: "POST", path: "/api/api-keys/create", apiKey: "jrdobbs:hunter42", body: '{"type":"Personal","logging":"None","user":"jrdobbs"}' });
	});

	test("add with --api-key=- or --password=- and nothing on standard input is refused, nothing stored", async (t) => {
		const env = { XDG_CONFIG_HOME: tempDir(t), APIKEYS_TUI_API_KEY: "", APIKEYS_TUI_PASSWORD: "" };
		for (const secret of [["--api-key=-"], ["--username=jrdobbs", "--password=-"]]) {
			const added = await runCli(["sources", "add", "--name=pg", "--url=https://proget.example/", ...secret], { env, stdin: "" });
			assert.equal(added.code, 2, `${secret.join(" ")}: ${added.stdout}`);
			assert.match(added.stderr, /error: standard input held nothing/);
		}
		assert.equal((await runCli(["sources", "list"], { env })).stdout, "No sources configured.\n");
		const spaced = await runCli(["sources", "add", "--name=pg", "--url=https://proget.example/", "--username=jrdobbs", "--password=-"], { env, stdin: " two words \n" });
		assert.equal(spaced.code, 0, spaced.stderr);
		const stored = JSON.parse(readFileSync(ourSourcesPath(env), "utf8")) as { sources: { encryptedPassword: string }[] };
		assert.equal(deobfuscate(stored.sources[0]?.encryptedPassword ?? ""), " two words ", "a password is kept as typed, as --password=- sends it");
	});

	test("a source stored with a user and no password takes the password as --username does; none is never sent as an empty one", async (t) => {
		const target = await standIn(t);
		const env = { XDG_CONFIG_HOME: tempDir(t), APIKEYS_TUI_API_KEY: "", APIKEYS_TUI_PASSWORD: "" };
		const added = await runCli(["sources", "add", "--name=pg", `--url=${target.url}`, "--username=jrdobbs"], { env });
		assert.equal(added.code, 0, added.stderr);
		assert.equal(added.stderr, "No password stored for jrdobbs: each command takes it from --password=-, $APIKEYS_TUI_PASSWORD or the console's prompt.\n");
		const missing = await runCli(["list", "--source=pg"], { env });
		assert.equal(missing.code, 2);
		assert.match(missing.stderr, /^--password error: required with the user of source pg: --password=- reads it/);
		assert.equal(target.requests.length, 0, "no request with an empty password");
		const piped = await runCli(["list", "--source=pg", "--password=-"], { env, stdin: "hunter42\n" });
		assert.equal(piped.code, 0, piped.stderr);
		assertRequest(target.requests.at(-1), { method: "GET", path: "/api/api-keys/list", apiKey: "jrdobbs:hunter42" });
		const fromEnv = await runCli(["create", "personal", "--source=pg"], { env: { ...env, APIKEYS_TUI_PASSWORD: "hunter42" } });
		assert.equal(fromEnv.code, 0, fromEnv.stderr);
		assertRequest(target.requests.at(-1), { method: "POST", path: "/api/api-keys/create", apiKey: "jrdobbs:hunter42", body: '{"type":"Personal","logging":"None","user":"jrdobbs"}' });
	});

	for (const [name, start] of targets) {
		test(`pgutil's own config is read, its obfuscated token and password included (${name})`, async (t) => {
			const target = await start(t);
			const home = tempDir(t);
			const obfuscated = (text: string) => {
				const iv = randomBytes(16);
				const cipher = createCipheriv("aes-128-cbc", Buffer.from([207, 133, 227, 29, 231, 23, 59, 35, 79, 120, 240, 230, 231, 15, 243, 173]), iv);
				return Buffer.concat([iv, cipher.update(text, "utf8"), cipher.final()]).toString("base64");
			};
			mkdirSync(join(home, "pgutil"));
			const sources = [
				{ name: "Default", url: target.url, encryptedToken: obfuscated(target.adminKey) },
				{ name: "asuser", url: target.url, username: "jrdobbs", encryptedPassword: obfuscated("hunter42") },
			];
			writeFileSync(join(home, "pgutil", "pgutil.config"), JSON.stringify({ sources }, null, 2));
			const env = { XDG_CONFIG_HOME: home, APIKEYS_TUI_API_KEY: "" };
			assert.match((await runCli(["sources", "list"], { env })).stdout, /1\. Default \(from pgutil\)/);
			const remote = await runCli(["list", "--source=default"], { env });
			assert.equal(remote.code, 0, remote.stderr);
			assert.equal(remote.stdout, target.listed);
			await runCli(["list", "--source=asuser"], { env });
			assertRequest(target.requests.at(-1), { method: "GET", path: "/api/api-keys/list", apiKey: "jrdobbs:hunter42" });
		});
	}
});

describe("serve and a user:password", () => {
	test("is refused with ProGet's 403; the log entry notes the pseudo-key and its user, never the password", async (t) => {
		const { db } = await seededStore(t);
		const server = await startServer(db);
		const listed = await runCli(["list", "--username=jrdobbs", "--password=-", `--source=${server.url}`], { stdin: "hunter42\n" });
		assert.equal(listed.code, 1);
		assert.match(listed.stderr, /refused the user name and password \(403\): The specified API key does not/);
		await server.stop();
		const store = LocalStore.open(db);
		t.after(() => store.close());
		const { entries } = await store.queryAccessLog({}, { limit: 5 });
		assert.equal(entries.length, 1);
		assert.equal(entries[0]?.keyId, null);
		assert.match(entries[0]?.client ?? "", /^127\.0\.0\.1 \(user:password pseudo-key for "jrdobbs"; no such key here\)$/);
		assert.ok(!JSON.stringify(entries).includes("hunter42"), "the password is never logged");
	});
});

describe("the same errors remotely", () => {
	test("a value the rules refuse prints the same option line as locally; prune runs on the server", async (t) => {
		const { db, adminKey } = await seededStore(t);
		const server = await startServer(db);
		t.after(async () => {
			if (server.process.exitCode === null) await server.stop();
		});
		const env = { APIKEYS_TUI_API_KEY: adminKey };
		const local = await runCli(["update", "--id=1001", "--permissions=view,fly", `--db=${db}`]);
		const remote = await runCli(["update", "--id=1001", "--permissions=view,fly", `--source=${server.url}`], { env });
		assert.equal(remote.code, 2);
		assert.equal(remote.stderr, local.stderr);
		assert.match(remote.stderr, /^--permissions error: an invalid value was specified/);
		const pruned = await runCli(["logs", "--prune", `--source=${server.url}`], { env });
		assert.equal(pruned.code, 0, pruned.stderr);
		assert.match(pruned.stdout, /^Pruned \d+ access-log entries\.\n$/);
	});
});
