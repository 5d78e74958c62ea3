/**
 * The key list in windows on `serve` (the page, ids and by-ids routes) and the remote backend that
 * reads it: against serve it pages, against ProGet (the stand-in) it still sends pgutil's one list
 * request. Filtering and sorting alike in both places is test/key-list-parity.test.ts's part.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, type TestContext, test } from "node:test";
import { RemoteBackend } from "../source/remote/remote-backend.js";
import { seedDemoData } from "../source/store/demo-data.js";
import { LocalStore } from "../source/store/local-store.js";
import { startProGetStandIn, startRecordingProxy } from "./support/proget-standin.js";
import { type RunningServer, startServer } from "./support/server-process.js";
import { tempDbPath } from "./support/temp-store.js";

interface Served {
	db: string;
	admin: string;
	server: RunningServer;
	/** The seeded keys' texts. */
	keys: string[];
}

async function served(t: TestContext, keyCount: number): Promise<Served> {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const { key } = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin" }, { actor: "t" });
	const seeded = await seedDemoData(store, keyCount, 0, "t");
	await store.close();
	const server = await startServer(db);
	t.after(async () => {
		if (server.process.exitCode === null) await server.stop();
	});
	return { db, admin: key, server, keys: seeded.keys };
}

async function get(fixture: Served, path: string, key: string | null = fixture.admin) {
	const response = await fetch(`${fixture.server.url}/api/api-keys/${path}`, { headers: key === null ? {} : { "X-ApiKey": key } });
	return { status: response.status, text: await response.text() };
}

describe("the key list in windows on serve", () => {
	test("a page, the ordered ids and keys by id are the local store's, with the store's own fields", async (t) => {
		const fixture = await served(t, 40);
		const local = LocalStore.open(fixture.db);
		t.after(() => local.close());
		const query = { filter: "feed", sort: { column: "name" as const, descending: true } };

		const page = await get(fixture, "page?filter=feed&sort=name&order=desc&offset=3&limit=5");
		assert.equal(page.status, 200, page.text);
		const answer = JSON.parse(page.text) as { total: number; keys: { id: number; enabled?: boolean; lastUsedAt?: unknown }[] };
		const expected = await local.queryKeys({ ...query, offset: 3, limit: 5 });
		assert.equal(answer.total, expected.total);
		assert.deepEqual(answer.keys.map((k) => k.id), expected.rows.map((k) => k.id));
		assert.ok(answer.keys.every((k) => k.enabled !== undefined && "lastUsedAt" in k), "the fields of get, as the console shows them");

		const ids = JSON.parse((await get(fixture, "ids?filter=feed&sort=name&order=desc")).text) as { ids: number[] };
		assert.deepEqual(ids.ids, await local.keyIds(query));

		const asked = [ids.ids[4], 999_999, ids.ids[0]] as number[];
		const byIds = JSON.parse((await get(fixture, `by-ids?ids=${asked.join(",")}`)).text) as { keys: { id: number }[] };
		assert.deepEqual(byIds.keys.map((k) => k.id), [ids.ids[4], ids.ids[0]], "in the order asked, an unknown id left out");

		const everything = JSON.parse((await get(fixture, "page")).text) as { total: number; keys: unknown[] };
		assert.equal(everything.total, 41);
		assert.equal(everything.keys.length, 41, "no parameters: the first 100 by id");
	});

	test("bad page, sort, filter and id parameters get a 400 with the reason; a key is needed; a filter is only text", async (t) => {
		const fixture = await served(t, 3);
		const bad: [string, RegExp][] = [
			["page?sort=secret", /^sort: must be one of id, name, type, expiration, lastUsed, created$/],
			["page?sort=name;DROP TABLE api_keys", /^sort: must be one of/],
			["page?order=up", /^order: must be asc or desc$/],
			["page?limit=0", /^limit: must be a whole number from 1 to 1000$/],
			["page?limit=1001", /^limit: must be a whole number from 1 to 1000$/],
			["page?offset=-1", /^offset: must be a whole number from 0 to 999999999$/],
			["page?offset=1e3", /^offset: must be a whole number/],
			[`ids?filter=${"x".repeat(501)}`, /^filter: at most 500 characters$/],
			["by-ids?ids=1,two", /^ids: up to 1000 key ids, separated by commas$/],
			[`by-ids?ids=${Array.from({ length: 1001 }, (_, i) => i + 1).join(",")}`, /^ids: up to 1000 key ids/],
		];
		for (const [path, reason] of bad) {
			const reply = await get(fixture, path);
			assert.equal(reply.status, 400, path);
			assert.match(reply.text, reason, path);
		}
		for (const path of ["page", "ids", "by-ids?ids=1"]) assert.equal((await get(fixture, path, null)).status, 403, path);
		const hostile = encodeURIComponent("') OR 1=1; DROP TABLE api_keys; --");
		const none = JSON.parse((await get(fixture, `page?filter=${hostile}`)).text) as { total: number };
		assert.equal(none.total, 0, "the filter is text to look for, never SQL");
		assert.equal((JSON.parse((await get(fixture, "ids")).text) as { ids: number[] }).ids.length, 4);
	});

	test("a verify sent while the whole list of 20,000 keys is being made is answered before the list", async (t) => {
		const fixture = await served(t, 20_000);
		const url = new URL(`${fixture.server.url}/api/api-keys/list`);
		const events: string[] = [];
		const listed = new Promise<void>((resolve, reject) => {
			const asked = request(url, { headers: { "X-ApiKey": fixture.admin } }, (response) => {
				events.push("list answered");
				response.resume().on("end", resolve);
			});
			asked.on("error", reject);
			asked.end();
		});
		// Sent on another connection after the list request has reached the server.
		await new Promise((resolve) => setTimeout(resolve, 30));
		const verified = await fetch(`${fixture.server.url}/api/api-keys/verify`, {
			method: "POST",
			headers: { "X-ApiKey": fixture.admin, "Content-Type": "application/json" },
			body: JSON.stringify({ key: fixture.keys[0] }),
		});
		events.push(`verify answered ${verified.status}`);
		await listed;
		assert.deepEqual(events, ["verify answered 200", "list answered"]);
	});
});

describe("the remote backend's key list", () => {
	test("on serve: a page with the count, then the ordered ids and the window's keys; never the whole list", async (t) => {
		const fixture = await served(t, 30);
		const proxy = await startRecordingProxy(t, fixture.server.url);
		const remote = await RemoteBackend.connect(proxy.url, { credentials: { apiKey: fixture.admin }, discover: true });
		const local = LocalStore.open(fixture.db);
		t.after(() => local.close());
		const sort = { column: "created" as const, descending: true };
		const first = await remote.queryKeys({ sort, offset: 0, limit: 10 });
		assert.equal(first.total, 31);
		assert.deepEqual(first.rows.map((k) => k.id), (await local.queryKeys({ sort, offset: 0, limit: 10 })).rows.map((k) => k.id));
		const ids = await remote.keyIds({ filter: "CI", sort });
		assert.deepEqual(ids, await local.keyIds({ filter: "CI", sort }));
		assert.deepEqual((await remote.keysByIds(ids.slice(2, 6))).map((k) => k.id), ids.slice(2, 6));
		assert.deepEqual(
			proxy.requests.map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ""}`),
			[
				"GET /health",
				"GET /api/api-keys/capabilities",
				"GET /api/api-keys/page?sort=created&order=desc&offset=0&limit=10",
				"GET /api/api-keys/ids?filter=CI&sort=created&order=desc",
				`GET /api/api-keys/by-ids?ids=${ids.slice(2, 6).join("%2C")}`,
			],
		);
	});

	test("on ProGet: the whole list, with pgutil's one request exactly, filtered and sorted here", async (t) => {
		const keys = [
			{ id: 1000, type: "System", displayName: "admin", systemApis: ["full-control"], logging: "None" },
			{ id: 1001, type: "Feed", displayName: "CI", packagePermissions: ["view"], feedGroup: "prod", logging: "None" },
			{ id: 1002, type: "Feed", displayName: "Another CI", packagePermissions: ["view"], feed: "npm", logging: "None" },
		];
		const standIn = await startProGetStandIn(t, { apiKey: "a-proget-admin-key-0001", keys });
		const remote = await RemoteBackend.connect(standIn.url, { credentials: { apiKey: "a-proget-admin-key-0001" }, discover: true });
		const sort = { column: "name" as const, descending: false };
		const page = await remote.queryKeys({ filter: "ci", sort, offset: 0, limit: 10 });
		assert.deepEqual(page.rows.map((k) => k.id), [1002, 1001]);
		assert.deepEqual(await remote.keyIds({ sort }), [1000, 1002, 1001]);
		assert.deepEqual((await remote.keysByIds([1001])).map((k) => k.id), [1001]);
		const [health, ...rest] = standIn.requests;
		assert.equal(health?.path, "/health");
		assert.ok(rest.length > 0);
		for (const sent of rest) {
			assert.deepEqual(
				{ method: sent.method, path: sent.path, query: sent.query, apiKey: sent.apiKey, json: sent.json },
				{ method: "GET", path: "/api/api-keys/list", query: "", apiKey: "a-proget-admin-key-0001", json: undefined },
			);
		}
	});
});
