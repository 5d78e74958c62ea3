/**
 * The key list's filter and sort give the same ids in the same order in a local store (SQL), in a
 * PostgreSQL store (its SQL), through `serve` paged by the server, and through a whole list sorted by
 * the remote backend (in memory): all are
 * renderings of one spec (source/core/key-list-spec.ts), and this test is what keeps them one.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import Database from "better-sqlite3";
import { keySortColumns } from "../source/core/backend.js";
import type { KeyInput } from "../source/core/rules.js";
import { orderKeys } from "../source/remote/key-index.js";
import { RemoteBackend } from "../source/remote/remote-backend.js";
import type { Backend } from "../source/core/backend.js";
import { LocalStore } from "../source/store/local-store.js";
import { PostgresStore } from "../source/store/postgres/postgres-store.js";
import { clusterPerFile, connect, postgresSkipReason } from "./support/postgres.js";
import { startServer } from "./support/server-process.js";
import { tempDbPath, tempDir } from "./support/temp-store.js";

/** Names that sort differently by UTF-16 unit than by code point (😀, Ｆ), by case only, or hold LIKE's wildcards. */
const keys: (KeyInput & { lastUsed?: string; created?: string })[] = [
	{ type: "system", systemApis: ["feeds"], displayName: "alpha", expiration: "2031-01-01", lastUsed: "2026-01-02T00:00:00.000Z", created: "2025-01-01T00:00:00Z" },
	{ type: "system", systemApis: ["sca"], displayName: "ALPHA", created: "2025-01-01T00:00:00Z" },
	{ type: "feed", packagePermissions: ["view"], feed: "npm", displayName: "Alpha two", expiration: "2031-01-01", lastUsed: "2026-01-02T00:00:00.000Z", created: "" },
	{ type: "feed", packagePermissions: ["view", "add"], displayName: "100% sure", description: "under_score", expiration: "2030-06-01", created: "2025-03-01T00:00:00Z" },
	{ type: "feed", packagePermissions: ["view"], feedGroup: "50%_off", displayName: "under_score", lastUsed: "2026-02-01T00:00:00.000Z", created: "" },
	{ type: "personal", user: "émile", displayName: "Émile", expiration: "2032-01-01", created: "2025-02-01T00:00:00Z" },
	{ type: "personal", user: "Zoë", displayName: "émile", lastUsed: "2026-01-01T00:00:00.000Z", created: "2025-02-01T00:00:00Z" },
	{ type: "system", systemApis: ["sbom-upload"], displayName: "😀 grin", expiration: "2030-06-01", created: "2025-04-01T00:00:00Z" },
	{ type: "system", systemApis: ["sca", "feeds"], displayName: "Ｆullwidth", lastUsed: "2026-03-01T00:00:00.000Z", created: "2025-05-01T00:00:00Z" },
	{ type: "feed", packagePermissions: ["promote"], description: "100%", created: "2025-05-01T00:00:00Z" },
	{ type: "system", systemApis: ["feeds"], expiration: "2033-01-01", created: "2025-06-01T00:00:00Z" },
];

const filters = ["", "alpha", "Alpha", "ALPHA", "%", "_", "50%_", "100%", "émile", "Émile", "é", "😀", "ｆ", "feed", "user", "(unnamed", "all feeds", "sca feeds", "disabled", "1005", "nothing-matches"];

/** The same keys, in the same order (so with the same ids), in either engine. */
async function fill(store: Backend): Promise<{ admin: Awaited<ReturnType<Backend["createKey"]>>; ids: number[] }> {
	const admin = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin" }, { actor: "t" });
	await store.importKeys([{ type: "other", systemApis: ["native-api", "feed-api"], key: "legacy-native-key-000001", user: "bob", displayName: "alpha legacy" }], { actor: "t", partial: false });
	const ids: number[] = [];
	for (const { lastUsed: _, created: __, ...input } of keys) ids.push((await store.createKey(input, { actor: "t" })).record.id);
	await store.setEnabled(ids[3] as number, false, "t");
	return { admin, ids };
}

const postgresSkip = postgresSkipReason();
const postgresCluster = clusterPerFile();

/** The PostgreSQL side, or undefined where its tests cannot run. Its times are timestamps: a creation time left empty (as SQLite may hold) cannot be, so those keys keep theirs. */
async function postgresSide(t: TestContext): Promise<PostgresStore | undefined> {
	if (postgresSkip !== undefined) return undefined;
	// A character classification where lower() folds É and Ｆ too: the store must fold A-Z only all the same.
	const url = await postgresCluster.database("C.utf8");
	const store = await PostgresStore.open(url, { secretFile: join(tempDir(t), "keys.secret") });
	t.after(() => store.close());
	const { admin, ids } = await fill(store);
	const sql = connect(t, url);
	for (const [index, key] of keys.entries()) {
		await sql`UPDATE api_keys SET last_used_at = ${key.lastUsed ?? null}, created_at = coalesce(${key.created || null}::timestamptz, created_at) WHERE id = ${ids[index] as number}`;
	}
	await sql`UPDATE api_keys SET last_used_at = '9999-01-01T00:00:00.000Z', created_at = '2024-12-01T00:00:00Z' WHERE id = ${admin.record.id}`;
	return store;
}

test("local store, PostgreSQL store and serve's list, read remotely, filter and sort alike: every column, both directions, every filter", async (t) => {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const { admin, ids } = await fill(store);
	await store.close();
	// Last use and creation times are the store's own to write: set here so that they tie and go missing.
	const sqlite = new Database(db);
	const touch = sqlite.prepare("UPDATE api_keys SET last_used_at = ?, created_at = ? WHERE id = ?");
	for (const [index, key] of keys.entries()) touch.run(key.lastUsed ?? null, key.created ?? "2025-01-01T00:00:00Z", ids[index]);
	// serve records the admin key's use as it answers; a last use in year 9999 never moves, so both sides see one value.
	touch.run("9999-01-01T00:00:00.000Z", "2024-12-01T00:00:00Z", admin.record.id);
	sqlite.close();

	const server = await startServer(db);
	t.after(async () => {
		if (server.process.exitCode === null) await server.stop();
	});
	const remote = await RemoteBackend.connect(server.url, { credentials: { apiKey: admin.key }, discover: true });
	const local = LocalStore.open(db);
	t.after(() => local.close());
	assert.equal((await remote.listKeys()).length, keys.length + 2);

	const postgres = await postgresSide(t);
	// Keys created with an empty time exist only in SQLite: the PostgreSQL side is compared on the others' order.
	const emptyCreated = new Set(keys.flatMap((key, index) => (key.created === "" ? [ids[index] as number] : [])));
	const differences: string[] = [];
	for (const column of keySortColumns) {
		for (const descending of [false, true]) {
			for (const filter of filters) {
				const query = { filter, sort: { column, descending }, offset: 0, limit: 1000 };
				const here = (await local.queryKeys(query)).rows.map((k) => k.id);
				const there = (await remote.queryKeys(query)).rows.map((k) => k.id);
				if (here.join() !== there.join()) differences.push(`${column} ${descending ? "desc" : "asc"} "${filter}": local ${here.join(",")} remote ${there.join(",")}`);
				if (postgres === undefined) continue;
				const comparable = (list: number[]) => (column === "created" ? list.filter((id) => !emptyCreated.has(id)) : list);
				const inPostgres = comparable((await postgres.queryKeys(query)).rows.map((k) => k.id));
				if (comparable(here).join() !== inPostgres.join()) differences.push(`${column} ${descending ? "desc" : "asc"} "${filter}": local ${here.join(",")} postgres ${inPostgres.join(",")}`);
			}
		}
	}
	assert.deepEqual(differences, []);
	const byExpiration = (await local.keyIds({ sort: { column: "expiration", descending: true } })).slice(-3);
	const unexpiring = (await local.listKeys()).filter((k) => k.expiration === null).map((k) => k.id);
	assert.ok(unexpiring.length >= 3 && byExpiration.every((id) => unexpiring.includes(id)), "keys that never expire come last, also sorted descending");
});

test("serve's pages and ids, read remotely, and its whole list ordered in memory (the way with ProGet) agree", async (t) => {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const admin = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin" }, { actor: "t" });
	for (const { lastUsed: _, created: __, ...input } of keys) await store.createKey(input, { actor: "t" });
	await store.close();
	const server = await startServer(db);
	t.after(async () => {
		if (server.process.exitCode === null) await server.stop();
	});
	const remote = await RemoteBackend.connect(server.url, { credentials: { apiKey: admin.key }, discover: true });
	const whole = await remote.listKeys();
	assert.equal(whole.length, keys.length + 1);
	const differences: string[] = [];
	for (const column of keySortColumns) {
		for (const descending of [false, true]) {
			for (const filter of filters) {
				const query = { filter, sort: { column, descending }, offset: 0, limit: 1000 };
				const inMemory = orderKeys(whole, query).map((k) => k.id).join();
				const paged = (await remote.queryKeys(query)).rows.map((k) => k.id).join();
				const ids = (await remote.keyIds(query)).join();
				if (paged !== inMemory || ids !== inMemory) differences.push(`${column} ${descending ? "desc" : "asc"} "${filter}": in memory ${inMemory} paged ${paged} ids ${ids}`);
			}
		}
	}
	assert.deepEqual(differences, []);
});
