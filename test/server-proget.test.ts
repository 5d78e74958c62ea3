/**
 * `serve` answers ProGet's own routes as pgutil calls them, and a bad request with a 4xx and its
 * reason, on either engine.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bodyOf, rawExchange } from "./support/raw-http.js";
import { call, post, serve } from "./support/served-api.js";
import { answerAfterChange, servedEngines } from "./support/served-engines.js";

const forbidden = "The specified API key does not have the proper permissions to perform this action.";

for (const engine of servedEngines()) {
	describe(`ProGet's routes (${engine.name})`, { skip: engine.skip }, () => {
		test("health answers without a key with the fields pgutil needs", async (t) => {
			const fixture = await serve(t, engine);
			const health = await call(fixture, "/health", {}, null);
			assert.equal(health.status, 200);
			const body = JSON.parse(health.text);
			for (const field of ["databaseStatus", "licenseStatus", "versionNumber", "releaseNumber", "serviceStatus"]) {
				assert.equal(typeof body[field], "string", field);
			}
		});

		test("list is a bare array with type and logging on every key, never the secret", async (t) => {
			const fixture = await serve(t, engine);
			const list = await call(fixture, "/api/api-keys/list");
			assert.equal(list.status, 200);
			assert.match(list.headers.get("content-type") ?? "", /^application\/json/);
			assert.equal(list.text, '[{"id":1000,"type":"system","displayName":"admin","systemApis":["full-control"],"logging":"both"}]');
		});

		test("the exact bytes pgutil sends for create (chunked, PascalCase) and delete", async (t) => {
			const fixture = await serve(t, engine);
			const json =
				'{"type":"Feed","key":"abcd12345-custom-key","packagePermissions":["view","add"],"feed":"public-npm","logging":"None"}';
			const chunked = `${Buffer.byteLength(json).toString(16)}\r\n${json}\r\n0\r\n\r\n`;
			const response = await rawExchange(
				fixture.server.port,
				`POST /api/api-keys/create HTTP/1.1\r\nHost: 127.0.0.1:${fixture.server.port}\r\nX-ApiKey: ${fixture.admin}\r\n` +
				`Content-Type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`,
			);
			assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
			const body = JSON.parse(bodyOf(response));
			assert.deepEqual(body, {
				id: 1001,
				type: "feed",
				key: "abcd12345-custom-key",
				packagePermissions: ["view", "add"],
				feed: "public-npm",
				logging: "none",
			});
			const pgutilDefault = '{"type":"System","systemApis":["feeds","sca","sbom-upload"],"expiration":"2030-08-01T00:00:00","logging":"Both"}';
			const created = await post(fixture, "/api/api-keys/create", pgutilDefault, "application/json; charset=utf-8");
			assert.equal(created.status, 200, created.text);
			const system = JSON.parse(created.text);
			assert.equal(typeof system.id, "number");
			assert.match(system.key, /^[0-9a-f]{40}$/);
			assert.equal(system.expiration, "2030-08-01T00:00:00Z");
			const deleted = await rawExchange(
				fixture.server.port,
				`POST /api/api-keys/delete?id=1001 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-ApiKey: ${fixture.admin}\r\nContent-Length: 0\r\n\r\n`,
			);
			assert.match(deleted, /^HTTP\/1\.1 200 OK\r\n/);
			const again = await call(fixture, "/api/api-keys/delete?id=1001", { method: "DELETE" });
			assert.equal(again.status, 404);
			assert.equal(again.text, "no API key has id 1001");
		});

		test("every way of passing a key works; a wrong, missing, disabled or expired key gets ProGet's 403", async (t) => {
			const fixture = await serve(t, engine);
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

			const feedKey = JSON.parse((await post(fixture, "/api/api-keys/create", '{"type":"feed","packagePermissions":["view"]}')).text).key as string;
			assert.equal((await call(fixture, "/api/api-keys/list", {}, feedKey)).status, 403, "a feed key cannot manage keys");

			const listStatus = async () => (await call(fixture, "/api/api-keys/list")).status;
			await fixture.store.alterKey(1000, { expiration: "2020-01-01T00:00:00Z" });
			await answerAfterChange(engine, listStatus, 403, "expired: refused at once");
			await fixture.store.alterKey(1000, { expiration: null, enabled: false });
			await answerAfterChange(engine, listStatus, 403, "disabled: refused at once");
			await fixture.store.alterKey(1000, { enabled: true });
			await answerAfterChange(engine, listStatus, 200, "enabled again");
		});
	});

	describe(`bad requests get a 4xx with a reason, never a crash (${engine.name})`, { skip: engine.skip }, () => {
		test("malformed bodies, wrong types, bad ids, unknown routes, wrong methods, huge bodies", async (t) => {
			const fixture = await serve(t, engine);
			const create = (body: string | Buffer) => post(fixture, "/api/api-keys/create", body);
			const cases: [Promise<{ status: number; text: string }>, number, RegExp][] = [
				[create("{not json"), 400, /not valid JSON/],
				[create("[1,2]"), 400, /must be a JSON object/],
				[create('{"type":"root"}'), 400, /^type: must be one of/],
				[create('{"type":7}'), 400, /^type:/],
				[create('{"type":"system","systemApis":"feeds","logging":{}}'), 400, /^logging:/],
				[create('{"type":"other","systemApis":["native-api"]}'), 400, /cannot be created/],
				[create('{"type":"system","systemApis":["sca"],"key":42}'), 400, /^key: must be a string/],
				[create('{"type":"system","systemApis":["sca"],"key":"short"}'), 400, /at least 16/],
				[create(`${"[".repeat(5000)}${"]".repeat(5000)}`), 400, /nested deeper/],
				[create(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400, /not valid UTF-8/],
				[create(Buffer.alloc(2_000_000, 0x20)), 413, /larger than/],
				[call(fixture, "/api/api-keys/delete", { method: "POST" }), 400, /id parameter is missing/],
				[call(fixture, "/api/api-keys/delete?id=abc", { method: "POST" }), 400, /not an integer/],
				[call(fixture, "/api/api-keys/delete?id=99999", { method: "POST" }), 404, /no API key has id 99999/],
				[call(fixture, "/api/api-keys/nothing"), 404, /Not found/],
				[call(fixture, "/api/api-keys/../api-keys/list?x=1"), 200, /admin/],
				[call(fixture, "/api/api-keys/list", { method: "PATCH" }), 405, /Use GET/],
				[call(fixture, "/api/api-keys/logs?status=teapot"), 400, /^status:/],
				[post(fixture, "/api/api-keys/settings", '{"min-custom-key-length":"3"}'), 400, /between 8 and 1000/],
				[post(fixture, "/api/api-keys/update?id=1000", '{"type":"feed"}'), 400, /type cannot be changed/],
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
}
