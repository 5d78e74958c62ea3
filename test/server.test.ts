import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { connect } from "node:net";
import { describe, type TestContext, test } from "node:test";
import Database from "better-sqlite3";
import { bodyForLog, redactSecrets } from "../source/server/redact.js";
import { EndOfTurnWrites } from "../source/server/end-of-turn.js";
import { parseJson } from "../source/server/request-body.js";
import { requestTarget } from "../source/server/request-target.js";
import { demoKey } from "../source/store/demo-data.js";
import { LocalStore } from "../source/store/local-store.js";
import { secretPathFor } from "../source/store/paths.js";
import { cliPath, runCli } from "./support/run-cli.js";
import { rawRequest, type RunningServer, startServer } from "./support/server-process.js";
import { tempDbPath } from "./support/temp-store.js";

const forbidden = "The specified API key does not have the proper permissions to perform this action.";

interface Fixture {
	db: string;
	admin: string;
	server: RunningServer;
}

/** A store with one full-control key (logging both), served on an ephemeral loopback port. */
async function serve(t: TestContext, logging = "both"): Promise<Fixture> {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const { key } = await store.createKey(
		{ type: "system", systemApis: ["full-control"], displayName: "admin", logging },
		{ actor: "test" },
	);
	await store.close();
	const server = await startServer(db);
	t.after(async () => {
		if (server.process.exitCode === null) await server.stop();
	});
	return { db, admin: key, server };
}

async function call(fixture: Fixture, path: string, init: RequestInit = {}, key: string | null = fixture.admin) {
	const headers = new Headers(init.headers);
	if (key !== null) headers.set("X-ApiKey", key);
	const response = await fetch(`${fixture.server.url}${path}`, { ...init, headers });
	return { status: response.status, text: await response.text(), headers: response.headers };
}

async function logEntries(db: string) {
	const store = LocalStore.open(db);
	try {
		return (await store.queryAccessLog({}, { limit: 1000 })).entries;
	} finally {
		await store.close();
	}
}

describe("ProGet's routes", () => {
	test("health answers without a key with the fields pgutil needs", async (t) => {
		const fixture = await serve(t);
		const health = await call(fixture, "/health", {}, null);
		assert.equal(health.status, 200);
		const body = JSON.parse(health.text);
		for (const field of ["databaseStatus", "licenseStatus", "versionNumber", "releaseNumber", "serviceStatus"]) {
			assert.equal(typeof body[field], "string", field);
		}
	});

	test("list is a bare array with type and logging on every key, never the secret", async (t) => {
		const fixture = await serve(t);
		const list = await call(fixture, "/api/api-keys/list");
		assert.equal(list.status, 200);
		assert.match(list.headers.get("content-type") ?? "", /^application\/json/);
		assert.equal(list.text, '[{"id":1000,"type":"system","displayName":"admin","systemApis":["full-control"],"logging":"both"}]');
	});

	test("the exact bytes pgutil sends for create (chunked, PascalCase) and delete", async (t) => {
		const fixture = await serve(t);
		const json =
			'{"type":"Feed","key":"abcd12345-custom-key","packagePermissions":["view","add"],"feed":"public-npm","logging":"None"}';
		const chunked = `${Buffer.byteLength(json).toString(16)}\r\n${json}\r\n0\r\n\r\n`;
		const response = await rawRequest(
			fixture.server.port,
			`POST /api/api-keys/create HTTP/1.1\r\nHost: 127.0.0.1:${fixture.server.port}\r\nX-ApiKey: ${fixture.admin}\r\n` +
			`Content-Type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`,
		);
		assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
		const body = JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4));
		assert.deepEqual(body, {
			id: 1001,
			type: "feed",
			key: "abcd12345-custom-key",
			packagePermissions: ["view", "add"],
			feed: "public-npm",
			logging: "none",
		});
		const pgutilDefault = '{"type":"System","systemApis":["feeds","sca","sbom-upload"],"expiration":"2030-08-01T00:00:00","logging":"Both"}';
		const created = await call(fixture, "/api/api-keys/create", {
			method: "POST",
			headers: { "Content-Type": "application/json; charset=utf-8" },
			body: pgutilDefault,
		});
		assert.equal(created.status, 200, created.text);
		const system = JSON.parse(created.text);
		assert.equal(typeof system.id, "number");
		assert.match(system.key, /^[0-9a-f]{40}$/);
		assert.equal(system.expiration, "2030-08-01T00:00:00Z");
		const deleted = await rawRequest(
			fixture.server.port,
			`POST /api/api-keys/delete?id=1001 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-ApiKey: ${fixture.admin}\r\nContent-Length: 0\r\n\r\n`,
		);
		assert.match(deleted, /^HTTP\/1\.1 200 OK\r\n/);
		const again = await call(fixture, "/api/api-keys/delete?id=1001", { method: "DELETE" });
		assert.equal(again.status, 404);
		assert.equal(again.text, "no API key has id 1001");
	});

	test("every way of passing a key works; a wrong, missing, disabled or expired key gets ProGet's 403", async (t) => {
		const fixture = await serve(t);
		const { url } = fixture.server;
		const key = fixture.admin;
		const ways: [string, () => Promise<Response>][] = [
			["header", () => fetch(`${url}/api/api-keys/list`, { headers: { "X-ApiKey": key } })],
			["query", () => fetch(`${url}/api/api-keys/list?key=${encodeURIComponent(key)}`)],
			[
				"form",
				() =>
					fetch(`${url}/api/api-keys/delete?id=4242`, {
						method: "POST",
						headers: { "Content-Type": "application/x-www-form-urlencoded" },
						body: `key=${encodeURIComponent(key)}`,
					}),
			],
			[
				"json",
				() =>
					fetch(`${url}/api/api-keys/create`, {
						method: "POST",
						headers: { "Content-Type": "application/json" },
						body: JSON.stringify({ API_Key: key, type: "personal", user: "bob" }),
					}),
			],
			["basic", () => fetch(`${url}/api/api-keys/list`, { headers: { Authorization: `Basic ${btoa(`api:${key}`)}` } })],
		];
		for (const [name, request] of ways) {
			const response = await request();
			assert.notEqual(response.status, 403, name);
			assert.ok(response.status === 200 || response.status === 404, `${name}: ${response.status}`);
		}
		const wrong = await call(fixture, "/api/api-keys/list", {}, `${key}0`);
		assert.equal(wrong.status, 403);
		assert.equal(wrong.text, forbidden);
		assert.equal((await call(fixture, "/api/api-keys/list", {}, null)).status, 403);
		const basicOtherUser = await fetch(`${url}/api/api-keys/list`, {
			headers: { Authorization: `Basic ${btoa(`admin:${key}`)}` },
		});
		assert.equal(basicOtherUser.status, 403);

		const feedKey = JSON.parse(
			(
				await call(fixture, "/api/api-keys/create", {
					method: "POST",
					headers: { "Content-Type": "application/json" },
					body: '{"type":"feed","packagePermissions":["view"]}',
				})
			).text,
		).key as string;
		assert.equal((await call(fixture, "/api/api-keys/list", {}, feedKey)).status, 403, "a feed key cannot manage keys");

		const store = new Database(fixture.db);
		store.prepare("UPDATE api_keys SET expiration = '2020-01-01T00:00:00Z' WHERE id = 1000").run();
		assert.equal((await call(fixture, "/api/api-keys/list")).status, 403, "expired: refused at once");
		store.prepare("UPDATE api_keys SET expiration = NULL, enabled = 0 WHERE id = 1000").run();
		assert.equal((await call(fixture, "/api/api-keys/list")).status, 403, "disabled: refused at once");
		store.prepare("UPDATE api_keys SET enabled = 1 WHERE id = 1000").run();
		store.close();
		assert.equal((await call(fixture, "/api/api-keys/list")).status, 200);
	});
});

describe("bad requests get a 4xx with a reason, never a crash", () => {
	test("malformed bodies, wrong types, bad ids, unknown routes, wrong methods, huge bodies", async (t) => {
		const fixture = await serve(t);
		const post = (path: string, body: string | Buffer, type = "application/json") =>
			call(fixture, path, { method: "POST", headers: { "Content-Type": type }, body });
		const cases: [Promise<{ status: number; text: string }>, number, RegExp][] = [
			[post("/api/api-keys/create", "{not json"), 400, /not valid JSON/],
			[post("/api/api-keys/create", "[1,2]"), 400, /must be a JSON object/],
			[post("/api/api-keys/create", '{"type":"root"}'), 400, /^type: must be one of/],
			[post("/api/api-keys/create", '{"type":7}'), 400, /^type:/],
			[post("/api/api-keys/create", '{"type":"system","systemApis":"feeds","logging":{}}'), 400, /^logging:/],
			[post("/api/api-keys/create", '{"type":"other","systemApis":["native-api"]}'), 400, /cannot be created/],
			[post("/api/api-keys/create", '{"type":"system","systemApis":["sca"],"key":42}'), 400, /^key: must be a string/],
			[post("/api/api-keys/create", '{"type":"system","systemApis":["sca"],"key":"short"}'), 400, /at least 16/],
			[post("/api/api-keys/create", `${"[".repeat(5000)}${"]".repeat(5000)}`), 400, /nested deeper/],
			[post("/api/api-keys/create", Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400, /not valid UTF-8/],
			[post("/api/api-keys/create", Buffer.alloc(2_000_000, 0x20)), 413, /larger than/],
			[call(fixture, "/api/api-keys/delete", { method: "POST" }), 400, /id parameter is missing/],
			[call(fixture, "/api/api-keys/delete?id=abc", { method: "POST" }), 400, /not an integer/],
			[call(fixture, "/api/api-keys/delete?id=99999", { method: "POST" }), 404, /no API key has id 99999/],
			[call(fixture, "/api/api-keys/nothing"), 404, /Not found/],
			[call(fixture, "/api/api-keys/../api-keys/list?x=1"), 200, /admin/],
			[call(fixture, "/api/api-keys/list", { method: "PATCH" }), 405, /Use GET/],
			[call(fixture, "/api/api-keys/logs?status=teapot"), 400, /^status:/],
			[post("/api/api-keys/settings", '{"min-custom-key-length":"3"}'), 400, /between 8 and 1000/],
			[post("/api/api-keys/update?id=1000", '{"type":"feed"}'), 400, /type cannot be changed/],
		];
		for (const [pending, status, text] of cases) {
			const response = await pending;
			assert.equal(response.status, status, response.text);
			assert.match(response.text, text);
		}
		assert.equal((await call(fixture, "/health", {}, null)).status, 200, "still alive");
		assert.equal(fixture.server.output().stderr, "", "nothing unexpected reported");
	});
});

describe("extensions", () => {
	test("update, enable/disable, roll, logs, settings, capabilities, verify", async (t) => {
		const fixture = await serve(t);
		const json = (path: string, body: unknown) =>
			call(fixture, path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
		const feed = JSON.parse((await json("/api/api-keys/create", { type: "feed", packagePermissions: ["view"], feed: "npm" })).text);
		const updated = JSON.parse((await json(`/api/api-keys/update?id=${feed.id}`, { logging: "Request", feedGroup: "prod" })).text);
		assert.equal(updated.logging, "request");
		assert.equal(updated.feedGroup, "prod");
		assert.equal(updated.feed, undefined);
		assert.equal(updated.enabled, true);
		const verify = async (key: string, extra: Record<string, string> = {}) =>
			JSON.parse((await json("/api/api-keys/verify", { key, ...extra })).text);
		assert.deepEqual(await verify(feed.key, { feedPermission: "view", feedGroup: "PROD" }), {
			valid: true,
			outcome: "valid",
			id: feed.id,
			type: "feed",
			displayName: null,
			user: null,
		});
		assert.equal((await verify(feed.key, { feedPermission: "delete" })).outcome, "insufficient-permissions");
		assert.equal((await verify("nope")).outcome, "not-found");
		await json(`/api/api-keys/disable?id=${feed.id}`, {});
		assert.equal((await verify(feed.key)).outcome, "disabled");
		await json(`/api/api-keys/enable?id=${feed.id}`, {});
		const rolled = JSON.parse((await json(`/api/api-keys/roll?id=${feed.id}`, {})).text);
		assert.equal((await verify(feed.key)).outcome, "not-found");
		assert.equal((await verify(rolled.key)).outcome, "valid");
		const settings = JSON.parse((await json("/api/api-keys/settings", { "max-lifetime-days": 30 })).text);
		assert.equal(settings.maxLifetimeDays, 30);
		const capabilities = JSON.parse((await call(fixture, "/api/api-keys/capabilities")).text);
		assert.equal(capabilities.profile, "proget");
		assert.equal(capabilities.capabilities.update.available, true);
		const audit = JSON.parse((await call(fixture, `/api/api-keys/audit?id=${feed.id}`)).text);
		assert.deepEqual(
			audit.map((a: { action: string }) => a.action),
			["roll", "enable", "disable", "update", "create"],
		);
		assert.match(audit[4].actor, /^key 1000 \(admin\) via http$/);
	});
});

describe("methods, settings and the audit trail", () => {
	test("a method the path does not take is a 405 whose Allow names the ones it takes", async (t) => {
		const fixture = await serve(t);
		for (const [path, method, allow] of [
			["/api/api-keys/list", "PATCH", "GET"],
			["/api/api-keys/create", "GET", "POST, PUT"],
			["/api/api-keys/delete?id=1000", "PUT", "POST, DELETE"],
			["/api/api-keys/settings", "DELETE", "GET, POST"],
			["/health", "POST", "GET"],
		] as const) {
			const response = await call(fixture, path, { method });
			assert.equal(response.status, 405, `${method} ${path}`);
			assert.equal(response.headers.get("allow"), allow, `${method} ${path}`);
			assert.match(response.text, /^Use /);
		}
		await fixture.server.stop();
		assert.equal((await logEntries(fixture.db)).filter((entry) => entry.status === 405).length, 5, "each is logged with its key");
	});

	test("/settings reads on GET, even with a body, and changes only on POST, which needs one", async (t) => {
		const fixture = await serve(t);
		const change = JSON.stringify({ "max-lifetime-days": 30 });
		const read = await rawRequest(
			fixture.server.port,
			`GET /api/api-keys/settings HTTP/1.1\r\nHost: 127.0.0.1\r\nX-ApiKey: ${fixture.admin}\r\nConnection: close\r\n` +
			`Content-Type: application/json\r\nContent-Length: ${change.length}\r\n\r\n${change}`,
		);
		assert.match(read, /^HTTP\/1\.1 200 OK\r\n/);
		assert.equal(JSON.parse(read.slice(read.indexOf("\r\n\r\n") + 4)).maxLifetimeDays, null, "a GET changes nothing");
		const bodiless = await call(fixture, "/api/api-keys/settings", { method: "POST" });
		assert.equal(bodiless.status, 400);
		assert.match(bodiless.text, /must be a JSON object/);
		const post = (body: string) =>
			call(fixture, "/api/api-keys/settings", { method: "POST", headers: { "Content-Type": "application/json" }, body });
		assert.equal(JSON.parse((await post(change)).text).maxLifetimeDays, 30);
		assert.equal(JSON.parse((await call(fixture, "/api/api-keys/settings")).text).maxLifetimeDays, 30);
		const audit = JSON.parse((await call(fixture, "/api/api-keys/audit")).text) as { action: string }[];
		assert.deepEqual(audit.map((entry) => entry.action), ["settings", "create"], "one change, by the POST with a body, after the fixture's key");
	});

	test("the audit trail names the key that made a change, never a name the client sends", async (t) => {
		const fixture = await serve(t);
		const asserted = {
			"Content-Type": "application/json",
			"X-ApiKeys-Tui-Actor": "mallory",
			"X-Forwarded-User": "mallory",
			"X-Remote-User": "mallory",
			"User-Agent": "mallory",
		};
		const created = await call(fixture, "/api/api-keys/create?actor=mallory&createdBy=mallory", {
			method: "POST",
			headers: asserted,
			body: JSON.stringify({ type: "system", systemApis: ["sca"], createdBy: "mallory", actor: "mallory" }),
		});
		assert.equal(created.status, 200, created.text);
		const { id } = JSON.parse(created.text) as { id: number };
		await call(fixture, `/api/api-keys/update?id=${id}&actor=mallory`, {
			method: "POST",
			headers: asserted,
			body: JSON.stringify({ displayName: "renamed", actor: "mallory", createdBy: "mallory" }),
		});
		await call(fixture, "/api/api-keys/settings?actor=mallory", {
			method: "POST",
			headers: asserted,
			body: JSON.stringify({ "max-lifetime-days": 30 }),
		});
		const audit = JSON.parse((await call(fixture, "/api/api-keys/audit")).text) as { action: string; actor: string }[];
		const changes = audit.slice(0, 3);
		assert.deepEqual(changes.map((entry) => entry.action), ["settings", "update", "create"]);
		for (const entry of changes) assert.equal(entry.actor, "key 1000 (admin) via http", entry.action);
		const key = JSON.parse((await call(fixture, `/api/api-keys/get?id=${id}`)).text) as { createdBy: string };
		assert.equal(key.createdBy, "key 1000 (admin) via http");
	});
});

test("the server reaches a store only through the ServedStore seam: no file of it imports a store engine", () => {
	const folder = new URL("../source/server/", import.meta.url);
	const files = readdirSync(folder, { recursive: true, encoding: "utf8" }).filter((name) => /\.tsx?$/.test(name));
	assert.ok(files.includes("api-server.ts") && files.includes("routes.ts"));
	for (const name of files) {
		const text = readFileSync(new URL(name, folder), "utf8");
		assert.doesNotMatch(text, /["'](\.\.\/)+store\//, `${name} imports from source/store`);
		assert.doesNotMatch(text, /local-store/, `${name} names the SQLite engine`);
	}
});

describe("the access log", () => {
	test("every request made with a key is logged, bodies per its logging, every secret redacted", async (t) => {
		const fixture = await serve(t);
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
		const entries = await logEntries(fixture.db);
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
		for (const file of [fixture.db, `${fixture.db}-wal`, secretPathFor(fixture.db)].filter(existsSync)) {
			const bytes = readFileSync(file);
			for (const secret of [fixture.admin, newKey]) assert.equal(bytes.includes(secret), false, `${file} holds a secret`);
		}
		const store = LocalStore.open(fixture.db);
		assert.ok((await store.getKey(1000))?.lastUsedAt, "last used is recorded");
		await store.close();
	});

	test("a logged body is cut at the store's cap, set through the server; a key that logs no bodies logs none", async (t) => {
		const fixture = await serve(t);
		const cap = await call(fixture, "/api/api-keys/settings", {
			method: "POST",
			headers: { "Content-Type": "application/json" },
			body: JSON.stringify({ logBodyMaxBytes: 16 }),
		});
		assert.equal(cap.status, 200, cap.text);
		const store = LocalStore.open(fixture.db);
		const quiet = await store.createKey({ type: "system", systemApis: ["full-control"], logging: "none" }, { actor: "test" });
		await store.close();
		const body = JSON.stringify({ key: "not-a-key-but-long-enough-to-cut" });
		const verify = (key: string) =>
			call(fixture, "/api/api-keys/verify", { method: "POST", headers: { "Content-Type": "application/json" }, body }, key);
		assert.equal((await verify(fixture.admin)).status, 200);
		assert.equal((await verify(quiet.key)).status, 200);
		assert.equal(await fixture.server.stop(), 0);
		const [quietEntry, loggedEntry] = await logEntries(fixture.db);
		// The key to verify is redacted first (the route reveals it), then the body is cut.
		assert.equal(loggedEntry?.requestBody, '{"key":"[redacte… [cut at 16 bytes]');
		assert.match(loggedEntry?.responseBody ?? "", /… \[cut at 16 bytes\]$/);
		assert.equal(quietEntry?.keyId, quiet.record.id);
		assert.equal(quietEntry?.requestBody, null);
		assert.equal(quietEntry?.responseBody, null);
	});

	test("SIGTERM under load: every answered request is in the log", async (t) => {
		const fixture = await serve(t, "none");
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
		assert.equal((await logEntries(fixture.db)).length, answered);
		assert.match(fixture.server.output().stderr, /stopped; the access log is written/);
	});

	test("a stop asked for while a large store's keys are being read is a clean stop", async (t) => {
		const db = tempDbPath(t);
		const store = LocalStore.open(db);
		await store.importKeys(
			Array.from({ length: 20_000 }, (_, i) => demoKey(i, "proget")),
			{ actor: "test", partial: true },
		);
		await store.close();
		const child = spawn(process.execPath, [cliPath, "serve", `--db=${db}`, "--port=0"], { stdio: ["ignore", "pipe", "pipe"] });
		let stderr = "";
		child.stderr.setEncoding("utf8").on("data", (d: string) => {
			stderr += d;
		});
		const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
		// The store is open: the server is reading its keys, before it listens.
		const opened = () => readdirSync(`/proc/${child.pid}/fd`).some((fd) => {
			try {
				return readlinkSync(`/proc/${child.pid}/fd/${fd}`) === db;
			} catch {
				return false;
			}
		});
		while (!opened()) await new Promise((resolve) => setTimeout(resolve, 5));
		child.kill("SIGTERM");
		assert.equal(await exited, 0, stderr);
		assert.match(stderr, /stopped; the access log is written/);
	});

	test("repeated failures from one address are slowed down", async (t) => {
		const fixture = await serve(t);
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

describe("authorization reads the store's profile", () => {
	test("in an otter store, native-api manages keys and a jobs key does not", async (t) => {
		const db = tempDbPath(t);
		const store = LocalStore.open(db, { profile: "otter" });
		const native = (await store.createKey({ type: "system", systemApis: ["native-api"] }, { actor: "t" })).key;
		const jobs = (await store.createKey({ type: "system", systemApis: ["jobs-trigger"] }, { actor: "t" })).key;
		await store.close();
		const server = await startServer(db);
		t.after(async () => {
			if (server.process.exitCode === null) await server.stop();
		});
		const list = (key: string) => fetch(`${server.url}/api/api-keys/list`, { headers: { "X-ApiKey": key } });
		assert.equal((await list(native)).status, 200);
		assert.equal((await list(jobs)).status, 403);
		const feed = await fetch(`${server.url}/api/api-keys/create`, {
			method: "POST",
			headers: { "X-ApiKey": native, "Content-Type": "application/json" },
			body: '{"type":"feed","packagePermissions":["view"]}',
		});
		assert.equal(feed.status, 400);
		assert.match(await feed.text(), /^type: must be one of system in the otter profile/);
		const verify = await fetch(`${server.url}/api/api-keys/verify`, {
			method: "POST",
			headers: { "X-ApiKey": native, "Content-Type": "application/json" },
			body: JSON.stringify({ key: jobs, systemApi: "jobs-view" }),
		});
		assert.equal(((await verify.json()) as { outcome: string }).outcome, "valid", "triggering jobs implies viewing them");
	});
});

test("redaction: a key is replaced as typed, URL-encoded, form-encoded and JSON-escaped", () => {
	const plain = "0123456789abcdef0123456789abcdef01234567";
	assert.equal(redactSecrets(`/x?key=${plain}&a=${plain}`, [plain]), "/x?key=[redacted]&a=[redacted]");
	const custom = 'my key & "quoted" é+/';
	const text = [custom, encodeURIComponent(custom), new URLSearchParams({ k: custom }).toString().slice(2), JSON.stringify(custom).slice(1, -1)].join(" | ");
	assert.equal(redactSecrets(text, [custom]), "[redacted] | [redacted] | [redacted] | [redacted]");
	assert.equal(redactSecrets("nothing here", [custom, ""]), "nothing here");
});

test("a logged body is cut at the store's cap on a character boundary, and not logged at a cap of 0", () => {
	assert.equal(bodyForLog("short", false, [], 100), "short");
	assert.equal(bodyForLog("ééééé", false, [], 5), "éé… [cut at 5 bytes]");
	assert.equal(bodyForLog("x".repeat(10), false, [], 10), "x".repeat(10));
	assert.equal(bodyForLog(Buffer.from("abc"), false, [], 0), null);
});

test("request targets split as URL parsing would: plain ones directly, the rest through URL", () => {
	for (const raw of ["/api/api-keys/list", "/api/api-keys/get?id=5", "/api/api-keys/list?", "/health/", "/a?b=c+d&e=%2Fx", "/api/../api/api-keys/list", "//x", "/a%20b?x=%ZZ", "/x?#frag"]) {
		const url = new URL(raw, "http://localhost");
		const target = requestTarget(raw);
		assert.equal(target.pathname, url.pathname, raw);
		assert.equal(target.search, url.search, raw);
		assert.deepEqual([...target.query], [...url.searchParams], raw);
	}
});

/** One kept-alive connection that sends GET requests with the key given and resolves to each status. */
function oneConnection(port: number): { status: (path: string, key: string) => Promise<number>; close: () => void } {
	const socket = connect(port, "127.0.0.1");
	let pending: ((status: number) => void) | undefined;
	let received = "";
	socket.setEncoding("latin1").on("data", (chunk: string) => {
		received += chunk;
		const end = received.indexOf("\r\n\r\n");
		if (end < 0) return;
		const length = Number(/content-length: (\d+)/i.exec(received.slice(0, end))?.[1] ?? 0);
		if (received.length < end + 4 + length) return;
		const status = Number(received.slice(9, 12));
		received = received.slice(end + 4 + length);
		pending?.(status);
	});
	return {
		status: (path, key) =>
			new Promise((resolve) => {
				pending = resolve;
				socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nX-ApiKey: ${key}\r\n\r\n`);
			}),
		close: () => socket.destroy(),
	};
}

test("each request on a kept-alive connection is judged by the key it presents, and by the key's state now", async (t) => {
	const fixture = await serve(t, "none");
	const store = LocalStore.open(fixture.db);
	const other = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "other" }, { actor: "test" });
	const feedKey = await store.createKey({ type: "feed", feed: "npm", packagePermissions: ["view"] }, { actor: "test" });
	await store.close();
	const connection = oneConnection(fixture.server.port);
	t.after(() => connection.close());
	assert.equal(await connection.status("/api/api-keys/list", fixture.admin), 200);
	assert.equal(await connection.status("/api/api-keys/list", fixture.admin), 200);
	assert.equal(await connection.status("/api/api-keys/list", `${fixture.admin}0`), 403, "a different key on the same connection");
	assert.equal(await connection.status("/api/api-keys/list", feedKey.key), 403, "a key without the scope on the same connection");
	assert.equal(await connection.status("/api/api-keys/list", other.key), 200);
	assert.equal(await connection.status("/api/api-keys/list", fixture.admin), 200);
	const disabled = await runCli(["disable", `--id=${other.record.id}`, `--db=${fixture.db}`]);
	assert.equal(disabled.code, 0, disabled.stderr);
	assert.equal(await connection.status("/api/api-keys/list", other.key), 403, "disabled by another process since it was last presented");
	assert.equal(await connection.status("/api/api-keys/list", fixture.admin), 200);
});

test("a JSON body is refused only for real nesting past 32 levels or bad UTF-8, whatever its brackets inside strings", () => {
	const deep = (levels: number) => Buffer.from(`${"[".repeat(levels)}${"]".repeat(levels)}`);
	assert.deepEqual(parseJson(Buffer.from(JSON.stringify({ name: "[".repeat(40) + "{".repeat(40) }))), { name: "[".repeat(40) + "{".repeat(40) });
	assert.equal((parseJson(deep(32)) as unknown[]).length, 1);
	assert.throws(() => parseJson(deep(33)), /nested deeper than 32/);
	assert.deepEqual(parseJson(Buffer.from('{"name":"Zoë ✓"}')), { name: "Zoë ✓" });
	assert.throws(() => parseJson(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])), /not valid UTF-8/);
});

test("a request with a key whose body cannot be parsed is answered 400 and still logged under that key", async (t) => {
	const fixture = await serve(t);
	const bad = await call(fixture, "/api/api-keys/verify", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"key": [[[' });
	assert.equal(bad.status, 400);
	assert.match(bad.text, /not valid JSON/);
	const huge = await call(fixture, "/api/api-keys/create", { method: "POST", headers: { "Content-Type": "application/json" }, body: "[".repeat(5000) });
	assert.equal(huge.status, 400);
	assert.equal(await fixture.server.stop(), 0);
	const entries = await logEntries(fixture.db);
	assert.deepEqual(
		entries.map((e) => [e.path, e.status, e.keyId]),
		[
			["/api/api-keys/create", 400, 1000],
			["/api/api-keys/verify", 400, 1000],
		],
	);
});

test("replies made in one event-loop turn are written together at its end, in order, and at once when maxHeld are held", async () => {
	const writes = new EndOfTurnWrites(3);
	const written: string[] = [];
	writes.add(() => written.push("a"));
	writes.add(() => written.push("b"));
	assert.equal(written.length, 0, "held while the turn runs");
	await new Promise((resolve) => setImmediate(resolve));
	assert.deepEqual(written, ["a", "b"]);
	writes.add(() => written.push("c"));
	writes.add(() => written.push("d"));
	writes.add(() => written.push("e"));
	assert.deepEqual(written, ["a", "b", "c", "d", "e"], "the third held reply sends all three");
	writes.add(() => written.push("f"));
	await new Promise((resolve) => setImmediate(resolve));
	assert.deepEqual(written, ["a", "b", "c", "d", "e", "f"]);
});

test("many requests at once, on many connections and pipelined on one, each get their own answer", async (t) => {
	const fixture = await serve(t, "none");
	const store = LocalStore.open(fixture.db);
	const keys = [];
	for (let i = 0; i < 40; i++) keys.push(await store.createKey({ type: "personal", user: `user${i}` }, { actor: "test" }));
	await store.close();
	const verify = (key: string) =>
		call(fixture, "/api/api-keys/verify", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ key }) });
	const answers = await Promise.all([...keys.map((k) => verify(k.key)), ...keys.map((k) => verify(`${k.key}x`))]);
	assert.deepEqual(
		answers.map((a) => [a.status, (JSON.parse(a.text) as { id?: number }).id]),
		[...keys.map((k) => [200, k.record.id]), ...keys.map(() => [200, undefined])],
	);
	const body = (key: string) => JSON.stringify({ key });
	const pipelined = keys
		.slice(0, 3)
		.map(
			(k) =>
				`POST /api/api-keys/verify HTTP/1.1\r\nHost: x\r\nX-ApiKey: ${fixture.admin}\r\nContent-Type: application/json\r\nContent-Length: ${body(k.key).length}\r\n\r\n${body(k.key)}`,
		)
		.join("");
	const text = await rawRequest(fixture.server.port, pipelined);
	assert.deepEqual(
		[...text.matchAll(/"id":(\d+)/g)].map((m) => Number(m[1])),
		keys.slice(0, 3).map((k) => k.record.id),
		"pipelined answers come back in the order asked",
	);
});
