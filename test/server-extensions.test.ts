/**
 * `serve`'s routes beyond ProGet's (update, enable, roll, verify, settings, audit), the methods each
 * path takes, and who the audit trail names, on either engine.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bodyOf, rawExchange } from "./support/raw-http.js";
import { call, logEntries, post, serve } from "./support/served-api.js";
import { servedEngines, withStore } from "./support/served-engines.js";

for (const engine of servedEngines()) {
	describe(`extensions (${engine.name})`, { skip: engine.skip }, () => {
		test("update, enable/disable, roll, logs, settings, capabilities, verify", async (t) => {
			const fixture = await serve(t, engine);
			const json = (path: string, body: unknown) => post(fixture, path, JSON.stringify(body));
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

	describe(`methods, settings and the audit trail (${engine.name})`, { skip: engine.skip }, () => {
		test("a method the path does not take is a 405 whose Allow names the ones it takes", async (t) => {
			const fixture = await serve(t, engine);
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
			assert.equal((await logEntries(fixture.store)).filter((entry) => entry.status === 405).length, 5, "each is logged with its key");
		});

		test("/settings reads on GET, even with a body, and changes only on POST, which needs one", async (t) => {
			const fixture = await serve(t, engine);
			const change = JSON.stringify({ "max-lifetime-days": 30 });
			const read = await rawExchange(
				fixture.server.port,
				`GET /api/api-keys/settings HTTP/1.1\r\nHost: 127.0.0.1\r\nX-ApiKey: ${fixture.admin}\r\nConnection: close\r\n` +
				`Content-Type: application/json\r\nContent-Length: ${change.length}\r\n\r\n${change}`,
			);
			assert.match(read, /^HTTP\/1\.1 200 OK\r\n/);
			assert.equal(JSON.parse(bodyOf(read)).maxLifetimeDays, null, "a GET changes nothing");
			const bodiless = await call(fixture, "/api/api-keys/settings", { method: "POST" });
			assert.equal(bodiless.status, 400);
			assert.match(bodiless.text, /must be a JSON object/);
			assert.equal(JSON.parse((await post(fixture, "/api/api-keys/settings", change)).text).maxLifetimeDays, 30);
			assert.equal(JSON.parse((await call(fixture, "/api/api-keys/settings")).text).maxLifetimeDays, 30);
			const audit = JSON.parse((await call(fixture, "/api/api-keys/audit")).text) as { action: string }[];
			assert.deepEqual(audit.map((entry) => entry.action), ["settings", "create"], "one change, by the POST with a body, after the fixture's key");
		});

		test("the audit trail names the key that made a change, never a name the client sends", async (t) => {
			const fixture = await serve(t, engine);
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

	describe(`authorization reads the store's profile (${engine.name})`, { skip: engine.skip }, () => {
		test("in an otter store, native-api manages keys and a jobs key does not", async (t) => {
			const store = await engine.newStore(t);
			const [native, jobs] = await withStore(
				store,
				async (opened) => [
					(await opened.createKey({ type: "system", systemApis: ["native-api"] }, { actor: "t" })).key,
					(await opened.createKey({ type: "system", systemApis: ["jobs-trigger"] }, { actor: "t" })).key,
				],
				{ profile: "otter" },
			);
			const server = await store.serve();
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
}
