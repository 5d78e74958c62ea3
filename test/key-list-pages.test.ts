/**
 * The remote backend reading the key list: against serve it pages, against ProGet (the stand-in) it
 * still sends pgutil's one list request. The routes themselves, on either engine, are
 * test/server-key-list.test.ts's part; filtering and sorting alike in both places is
 * test/key-list-parity.test.ts's.
 */
import assert from "node:assert/strict";
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
}

async function served(t: TestContext, keyCount: number): Promise<Served> {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const { key } = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin" }, { actor: "t" });
	await seedDemoData(store, keyCount, 0, "t");
	await store.close();
	const server = await startServer(db);
	t.after(async () => {
		if (server.process.exitCode === null) await server.stop();
	});
	return { db, admin: key, server };
}

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
