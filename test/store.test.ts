import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import Database from "better-sqlite3";
import { AppError, RuleError } from "../source/core/errors.js";
import type { AccessLogFilter } from "../source/core/backend.js";
import { accessLogPageQuery, queryAccessLog } from "../source/store/access-log.js";
import { AccessLogWriter, rowValues } from "../source/store/access-log-writer.js";
import { AccessLogThread } from "../source/store/access-log-thread.js";
import { ChangeMarks } from "../source/store/change-marks.js";
import { migrations } from "../source/store/database.js";
import { demoKey } from "../source/store/demo-data.js";
import { LocalStore } from "../source/store/local-store.js";
import { PostgresStore } from "../source/store/postgres/postgres-store.js";
import { defaultDbPath, resolveDbPath, secretPathFor } from "../source/store/paths.js";
import { Statements } from "../source/store/statements.js";
import { accessEntry } from "./support/access-entry.js";
import { clusterPerFile, postgresSkipReason, waitFor } from "./support/postgres.js";
import { tempDbPath, tempDir } from "./support/temp-store.js";

const actor = "tester (test)";

/**
 * The engines the behaviour tests run against: an SQLite file in a temp folder, and a database of
 * a throw-away PostgreSQL cluster (one per file), serving, so verification reads its key index.
 */
interface Engine {
	name: string;
	skip: string | undefined;
	open: (t: TestContext) => Promise<LocalStore | PostgresStore>;
}

const postgresCluster = clusterPerFile();

async function openPostgres(t: TestContext, url: string, secretFile: string): Promise<PostgresStore> {
	const store = await PostgresStore.open(url, { secretFile });
	t.after(() => store.close());
	await store.startServing();
	return store;
}

const engines: Engine[] = [
	{
		name: "SQLite",
		skip: undefined,
		open: async (t) => {
			const store = LocalStore.open(tempDbPath(t));
			t.after(() => store.close());
			return store;
		},
	},
	{
		name: "PostgreSQL",
		skip: postgresSkipReason(),
		open: async (t) => openPostgres(t, await postgresCluster.database(), join(tempDir(t), "keys.secret")),
	},
];

/** One store opened twice, as the server and another process would: each sees the other's commits. */
function twoConnections(t: TestContext): { server: LocalStore; admin: LocalStore } {
	const path = tempDbPath(t);
	const server = LocalStore.open(path);
	const admin = LocalStore.open(path);
	t.after(async () => {
		await server.close();
		await admin.close();
	});
	return { server, admin };
}

function storeMessage(fn: () => unknown): string {
	try {
		fn();
	} catch (error) {
		assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
		assert.ok(!error.message.includes("\n"), "one line");
		return error.message;
	}
	assert.fail("expected the store to refuse");
}

describe("where the store lives", () => {
	test("XDG_DATA_HOME, then ~/.local/share; --db and APIKEYS_TUI_DB override", () => {
		assert.equal(defaultDbPath({ XDG_DATA_HOME: "/data" }), "/data/apikeys-tui/keys.db");
		assert.match(defaultDbPath({}), /\.local\/share\/apikeys-tui\/keys\.db$/);
		assert.equal(resolveDbPath(undefined, { APIKEYS_TUI_DB: "/x/k.db" }), "/x/k.db");
		assert.equal(resolveDbPath("/y/k.db", { APIKEYS_TUI_DB: "/x/k.db" }), "/y/k.db");
	});
});

describe("opening a store", () => {
	test("a new store is created 0600 in a 0700 folder, with its secret file 0600", async (t) => {
		const dir = tempDir(t);
		const path = join(dir, "nested", "keys.db");
		const store = LocalStore.open(path);
		await store.close();
		assert.equal(statSync(path).mode & 0o777, 0o600);
		assert.equal(statSync(join(dir, "nested")).mode & 0o777, 0o700);
		assert.equal(statSync(secretPathFor(path)).mode & 0o777, 0o600);
		const db = new Database(path, { readonly: true });
		assert.equal(db.pragma("user_version", { simple: true }), migrations().at(-1)?.version);
		assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
		db.close();
	});

	test("a store of schema 1 is brought up to date in place, its keys and access log kept", async (t) => {
		const path = tempDbPath(t);
		const store = LocalStore.open(path);
		const { key } = await store.createKey({ type: "system", systemApis: ["sca"], displayName: "kept" }, { actor });
		for (let i = 0; i < 300; i++) store.logAccess(accessEntry({ at: 1_000_000 + i, status: i % 3 === 0 ? 403 : 200 }));
		store.flushAccessLog();
		await store.close();
		const old = new Database(path);
		// What schema 1 left: four access-log indexes, no change log, no index of key ids.
		old.exec(`DROP INDEX access_log_unusual_status; DROP INDEX api_keys_id;
			DROP TABLE key_changes;
			DROP TRIGGER api_keys_added; DROP TRIGGER api_keys_removed; DROP TRIGGER api_keys_changed;
			DROP TRIGGER settings_added; DROP TRIGGER settings_removed; DROP TRIGGER settings_changed;
			CREATE INDEX access_log_status ON access_log (status_class, id);
			CREATE INDEX access_log_method ON access_log (method, id);
			CREATE INDEX access_log_at ON access_log (at);
			PRAGMA user_version = 1;`);
		old.close();
		const upgraded = LocalStore.open(path);
		t.after(() => upgraded.close());
		const verified = upgraded.verifyNow(key, { kind: "system-api", api: "sca" });
		assert.equal(verified.outcome, "valid", "a key made before the change log is verified");
		assert.equal(verified.record?.displayName, "kept");
		await upgraded.setEnabled(verified.record?.id as number, false, actor);
		assert.equal(upgraded.verifyNow(key, { kind: "any" }).outcome, "disabled", "and its changes followed");
		assert.equal((await upgraded.queryAccessLog({ statusClass: 4 }, { limit: 1000 })).entries.length, 100);
		assert.equal((await upgraded.queryAccessLog({ since: 1_000_200 }, { limit: 1000 })).entries.length, 100);
		const db = new Database(path, { readonly: true });
		t.after(() => db.close());
		assert.equal(db.pragma("user_version", { simple: true }), migrations().at(-1)?.version);
		assert.deepEqual(
			db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'access_log' ORDER BY name").pluck().all(),
			["access_log_key", "access_log_unusual_status"],
		);
		assert.match(
			JSON.stringify(db.prepare("EXPLAIN QUERY PLAN SELECT id FROM api_keys ORDER BY id").all()),
			/COVERING INDEX api_keys_id/,
			"the key ids are read from their own index",
		);
	});

	test("a file that is not SQLite is refused and left untouched", (t) => {
		const path = tempDbPath(t);
		writeFileSync(path, "these are my notes, not a database\n".repeat(100));
		const before = readFileSync(path);
		const message = storeMessage(() => LocalStore.open(path));
		assert.match(message, /not an apikeys-tui store/);
		assert.deepEqual(readFileSync(path), before);
		assert.equal(existsSync(`${path}-wal`), false);
		assert.equal(existsSync(secretPathFor(path)), false);
	});

	test("a damaged store is refused with one line, not a stack trace", async (t) => {
		const path = tempDbPath(t);
		const store = LocalStore.open(path);
		await store.createKey({ type: "personal", user: "bob" }, { actor });
		await store.close();
		const bytes = readFileSync(path);
		bytes.fill(0x5a, 100, 4096 * 2);
		writeFileSync(path, bytes);
		const before = readFileSync(path);
		const message = storeMessage(() => LocalStore.open(path));
		assert.match(message, /damaged|not an apikeys-tui store/);
		assert.deepEqual(readFileSync(path), before);
	});

	test("a store from a newer version is refused and left untouched", async (t) => {
		const path = tempDbPath(t);
		await LocalStore.open(path).close();
		const db = new Database(path);
		db.pragma("user_version = 999");
		db.close();
		const before = readFileSync(path);
		const message = storeMessage(() => LocalStore.open(path));
		assert.match(message, /newer apikeys-tui \(schema 999/);
		assert.deepEqual(readFileSync(path), before);
	});

	test("another program's SQLite database is refused", (t) => {
		const path = tempDbPath(t);
		const db = new Database(path);
		db.exec("CREATE TABLE notes (body TEXT)");
		db.close();
		assert.match(
			storeMessage(() => LocalStore.open(path)),
			/another program/,
		);
	});

	test("a missing or foreign secret file is refused, never silently replaced", async (t) => {
		const path = tempDbPath(t);
		const store = LocalStore.open(path);
		const created = await store.createKey({ type: "personal", user: "bob" }, { actor });
		await store.close();
		const secret = readFileSync(secretPathFor(path));
		writeFileSync(secretPathFor(path), `${"ab".repeat(32)}\n`);
		assert.match(
			storeMessage(() => LocalStore.open(path)),
			/does not belong to this store/,
		);
		rmSync(secretPathFor(path));
		assert.match(
			storeMessage(() => LocalStore.open(path)),
			/secret file is missing/,
		);
		assert.equal(
			existsSync(secretPathFor(path)),
			false,
			"a new secret is never made for a store with keys",
		);
		writeFileSync(secretPathFor(path), "garbage");
		assert.match(
			storeMessage(() => LocalStore.open(path)),
			/damaged/,
		);
		writeFileSync(secretPathFor(path), secret);
		const reopened = LocalStore.open(path);
		assert.equal(reopened.verifyNow(created.key, { kind: "any" }).outcome, "valid");
		await reopened.close();
	});

	test("the profile is fixed when the store is made", async (t) => {
		const path = tempDbPath(t);
		const store = LocalStore.open(path, { profile: "otter" });
		assert.equal(store.profile, "otter");
		await store.close();
		assert.equal(LocalStore.open(path).profile, "otter");
		assert.match(
			storeMessage(() => LocalStore.open(path, { profile: "proget" })),
			/is an otter store; a store's profile cannot be changed/,
		);
	});
});

for (const engine of engines) {
	describe(`keys in the store (${engine.name})`, { skip: engine.skip }, () => {
		test("create, verify, update, disable, roll, delete — each audited", async (t) => {
			const store = await engine.open(t);
			const created = await store.createKey(
				{ type: "feed", packagePermissions: ["view", "add"], feed: "npm", displayName: "CI" },
				{ actor },
			);
			assert.equal(created.record.id, 1000, "ids start at 1000 like ProGet");
			assert.match(created.key, /^[0-9a-f]{40}$/);
			assert.equal(created.record.hint, `${created.key.slice(0, 4)}…${created.key.slice(-4)}`);
			const need = { kind: "feed-permission", permission: "add", feed: "npm" } as const;
			assert.equal(store.verifyNow(created.key, need).outcome, "valid");
			assert.equal(store.verifyNow(`${created.key}x`, need).outcome, "not-found");

			const updated = await store.updateKey(
				created.record.id,
				{ logging: "both", displayName: "CI npm" },
				actor,
			);
			assert.equal(updated.logging, "both");
			assert.equal(updated.displayName, "CI npm");
			await assert.rejects(
				store.updateKey(created.record.id, { packagePermissions: ["fly"] }, actor),
				RuleError,
			);

			await store.setEnabled(created.record.id, false, actor);
			assert.equal(store.verifyNow(created.key, need).outcome, "disabled");
			await store.setEnabled(created.record.id, true, actor);

			const rolled = await store.rollKey(created.record.id, actor);
			assert.equal(
				store.verifyNow(created.key, need).outcome,
				"not-found",
				"the old secret stops at once",
			);
			assert.equal(store.verifyNow(rolled.key, need).outcome, "valid");

			await store.deleteKey(created.record.id, actor);
			assert.equal(await store.getKey(created.record.id), undefined);
			await assert.rejects(store.deleteKey(created.record.id, actor), /no API key has id 1000/);

			const actions = (await store.auditTrail(created.record.id)).map((a) => a.action).reverse();
			assert.deepEqual(actions, ["create", "update", "disable", "enable", "roll", "delete"]);
			const trail = JSON.stringify(await store.auditTrail());
			assert.ok(
				!trail.includes(created.key) && !trail.includes(rolled.key),
				"no secret in the audit trail",
			);
		});

		test("custom keys: the settings are enforced and a duplicate is refused", async (t) => {
			const store = await engine.open(t);
			const key = "artifactory-AKCp8abcdefghijk";
			await store.createKey({ type: "system", systemApis: ["feeds"] }, { key, actor });
			await assert.rejects(
				store.createKey({ type: "system", systemApis: ["sca"] }, { key, actor }),
				/already exists/,
			);
			await assert.rejects(
				store.createKey({ type: "system", systemApis: ["sca"] }, { key: "short", actor }),
				/at least 16/,
			);
			await store.updateSettings({ "custom-keys-allowed": "false" }, actor);
			await assert.rejects(
				store.createKey({ type: "system", systemApis: ["sca"] }, { key: `${key}-2`, actor }),
				/custom keys are disabled/,
			);
			assert.equal((await store.listKeys()).length, 1, "nothing half-written");
		});

		test("settings: defaults, validated changes, policies applied to new keys", async (t) => {
			const store = await engine.open(t);
			const settings = await store.getSettings();
			assert.equal(settings.customKeysAllowed, true);
			assert.equal(settings.minCustomKeyLength, 16);
			assert.equal(settings.nonExpiringAllowed, true);
			assert.equal(settings.maxLifetimeDays, null);
			assert.equal(settings.personalKeysAllowed, true);
			await assert.rejects(
				store.updateSettings({ "max-lifetime-days": "-3" }, actor),
				/between 1 and 36500/,
			);
			await assert.rejects(store.updateSettings({ colour: "blue" }, actor), /unknown setting/);
			await store.updateSettings({ maxLifetimeDays: 30 }, actor);
			await assert.rejects(
				store.createKey({ type: "system", systemApis: ["sca"] }, { actor }),
				/must expire within 30 days/,
			);
			await assert.rejects(
				store.createKey({ type: "system", systemApis: ["sca"], expiration: "60d" }, { actor }),
				/maximum lifetime/,
			);
			assert.ok(
				await store.createKey({ type: "system", systemApis: ["sca"], expiration: "20d" }, { actor }),
			);
		});

		test("the key list filters (smart case, several terms), sorts and pages", async (t) => {
			const store = await engine.open(t);
			await store.createKey(
				{ type: "feed", packagePermissions: ["view"], feed: "npm", displayName: "Build npm" },
				{ actor },
			);
			await store.createKey(
				{ type: "feed", packagePermissions: ["view"], feed: "nuget", displayName: "build NuGet" },
				{ actor },
			);
			await store.createKey({ type: "personal", user: "alice", displayName: "Alice" }, { actor });
			const names = async (filter: string, sort?: { column: "name"; descending: boolean }) =>
				(await store.queryKeys({ filter, offset: 0, limit: 10, ...(sort ? { sort } : {}) })).rows.map(
					(r) => r.displayName,
				);
			assert.deepEqual(await names("build"), ["Build npm", "build NuGet"]);
			assert.deepEqual(await names("Build"), ["Build npm"], "a capital makes the term exact-case");
			assert.deepEqual(await names("build nuget"), ["build NuGet"]);
			assert.deepEqual(await names("personal"), ["Alice"]);
			assert.deepEqual(await names("", { column: "name", descending: true }), [
				"build NuGet",
				"Build npm",
				"Alice",
			]);
			const page = await store.queryKeys({ offset: 1, limit: 1 });
			assert.equal(page.total, 3);
			assert.equal(page.rows[0]?.displayName, "build NuGet");
		});

		test("import is all or nothing, with a reason for every refusal", async (t) => {
			const store = await engine.open(t);
			const items = [
				{ type: "system", systemApis: ["feeds"], key: "migrated-key-0000000001", displayName: "one" },
				{
					type: "feed",
					packagePermissions: ["fly"],
					key: "migrated-key-0000000002",
					displayName: "two",
				},
				{ type: "personal", user: "bob", key: "migrated-key-0000000001", displayName: "dupe" },
				{
					type: "other",
					systemApis: ["native-api"],
					key: "legacy-key-000000000003",
					displayName: "legacy",
				},
				{ type: "personal", user: "bob", displayName: "no key" },
			];
			const report = await store.importKeys(items, { actor, partial: false });
			assert.deepEqual(
				report.refused.map((r) => r.index),
				[1, 2, 4],
			);
			assert.match(report.refused[1]?.reason ?? "", /appears earlier/);
			assert.equal(report.imported.length, 0);
			assert.equal((await store.listKeys()).length, 0, "nothing imported when anything is refused");
			const partial = await store.importKeys(items, { actor, partial: true });
			assert.equal(partial.imported.length, 2);
			assert.equal(
				store.verifyNow("legacy-key-000000000003", { kind: "system-api", api: "sca" }).outcome,
				"valid",
			);
		});

		test("a legacy key converts in place: same id, same secret", async (t) => {
			const store = await engine.open(t);
			const key = "legacy-feed-api-key-0001";
			await store.importKeys([{ type: "other", systemApis: ["feed-api"], user: "builder", key }], {
				actor,
				partial: false,
			});
			const [legacy] = await store.listKeys();
			assert.ok(legacy);
			const converted = await store.convertLegacyKey(legacy.id, actor);
			assert.equal(converted.type, "personal");
			assert.equal(converted.user, "builder");
			assert.equal(store.verifyNow(key, { kind: "any" }).record?.id, legacy.id);
			await assert.rejects(store.convertLegacyKey(legacy.id, actor), /only legacy keys/);
		});
	});
}

for (const engine of engines) {
	describe(`access log (${engine.name})`, { skip: engine.skip }, () => {
		test("entries are written in batches, keyset-paged newest first, filtered by index", async (t) => {
			const store = await engine.open(t);
			const { record } = await store.createKey({ type: "system", systemApis: ["feeds"] }, { actor });
			const start = Date.parse("2026-11-01T00:00:00Z");
			for (let i = 0; i < 250; i++) {
				store.logAccess(
					accessEntry({
						at: start + i * 60_000,
						keyId: i % 2 === 0 ? record.id : null,
						method: i % 3 === 0 ? "POST" : "GET",
						path: i % 5 === 0 ? "/api/api-keys/create" : `/nuget/feed/${i}`,
						status: i % 7 === 0 ? 403 : 200,
						durationMs: 1.5,
						client: "127.0.0.1",
						userAgent: "test",
					}),
				);
			}
			await store.flushAccessLog();
			const first = await store.queryAccessLog({}, { limit: 100 });
			assert.equal(first.entries.length, 100);
			assert.equal(first.entries[0]?.at, start + 249 * 60_000, "newest first");
			const second = await store.queryAccessLog(
				{},
				{ before: first.nextBefore as number, limit: 100 },
			);
			const third = await store.queryAccessLog(
				{},
				{ before: second.nextBefore as number, limit: 100 },
			);
			assert.equal(third.entries.length, 50);
			assert.equal(third.nextBefore, undefined);
			const count = async (filter: Parameters<typeof store.queryAccessLog>[0]) =>
				(await store.queryAccessLog(filter, { limit: 1000 })).entries.length;
			assert.equal(await count({ keyId: record.id }), 125);
			assert.equal(await count({ statusClass: 4 }), 36);
			assert.equal(await count({ status: 403 }), 36);
			assert.equal(await count({ method: "post" }), 84);
			assert.equal(await count({ pathPrefix: "/api/" }), 50);
			assert.equal(await count({ since: start + 200 * 60_000 }), 50);
			assert.equal(
				(await store.getKey(record.id))?.lastUsedAt,
				new Date(start + 248 * 60_000).toISOString(),
			);
			assert.equal(first.entries[0]?.keyName, null);
		});

		test("retention prunes by age and by row cap", async (t) => {
			const store = await engine.open(t);
			const now = Date.now();
			for (let i = 0; i < 3000; i++) {
				store.logAccess(
					accessEntry({
						at: now - (3000 - i) * 3_600_000,
					}),
				);
			}
			await store.flushAccessLog();
			await store.updateSettings({ "log-retention-days": "30" }, actor);
			const removedByAge = await store.pruneAccessLog();
			assert.equal(removedByAge, 3000 - 30 * 24 + 1);
			await store.updateSettings({ "log-max-rows": "1000", "log-retention-days": "none" }, actor);
			assert.equal(await store.pruneAccessLog(), 0);
			await store.updateSettings({ "log-max-rows": "1000", "log-retention-days": "10" }, actor);
			assert.equal((await store.queryAccessLog({}, { limit: 1000 })).entries.length, 719);
		});
	});
}

describe("access log", () => {
	test("a path filter pages through a bounded window; time bounds hold exactly", async (t) => {
		const path = tempDbPath(t);
		const store = LocalStore.open(path);
		const start = Date.parse("2026-10-01T00:00:00Z");
		for (let i = 0; i < 1000; i++) {
			store.logAccess(
				accessEntry({
					at: start + i * 1000,
					path: i % 300 === 0 ? "/rare/thing" : "/common",
				}),
			);
		}
		store.flushAccessLog();
		await store.close();
		const db = new Database(path, { readonly: true });
		t.after(() => db.close());
		const window = 100;
		const found: number[] = [];
		let before: number | undefined;
		let pages = 0;
		do {
			const page = queryAccessLog(db, { pathPrefix: "/rare/" }, { limit: 50, ...(before ? { before } : {}) }, window);
			found.push(...page.entries.map((e) => e.at));
			before = page.nextBefore;
			pages++;
		} while (before !== undefined && pages < 100);
		assert.deepEqual(found, [start + 900_000, start + 600_000, start + 300_000, start]);
		assert.equal(pages, 10, "one window of 100 ids per page over 1000 entries");
		const range = queryAccessLog(db, { since: start + 10_000, until: start + 19_000 }, { limit: 50 });
		assert.deepEqual(
			range.entries.map((e) => e.at),
			Array.from({ length: 10 }, (_, i) => start + (19 - i) * 1000),
		);
		assert.equal(range.nextBefore, undefined);
		assert.deepEqual(queryAccessLog(db, { since: start + 2_000_000 }, { limit: 50 }).entries, []);
	});

	test("every filter's page walks an index or a bounded window of ids, never the whole log", async (t) => {
		const path = tempDbPath(t);
		const store = LocalStore.open(path);
		const start = Date.parse("2026-10-01T00:00:00Z");
		for (let i = 0; i < 600; i++) {
			store.logAccess(
				accessEntry({ at: start + i * 1000, keyId: i % 3, method: i % 4 === 0 ? "DELETE" : "GET", status: i % 5 === 0 ? 404 : 200 }),
			);
		}
		store.flushAccessLog();
		await store.close();
		const db = new Database(path, { readonly: true });
		t.after(() => db.close());
		const filters: Record<string, AccessLogFilter> = {
			key: { keyId: 1 },
			"4xx": { statusClass: 4 },
			404: { status: 404 },
			"2xx": { statusClass: 2 },
			200: { status: 200 },
			method: { method: "delete" },
			path: { pathPrefix: "/api/" },
			since: { since: start + 100_000 },
			until: { until: start + 100_000 },
			"key and 4xx": { keyId: 1, statusClass: 4 },
			"key and method": { keyId: 1, method: "GET" },
			"5xx in a time range": { statusClass: 5, since: start, until: start + 300_000 },
		};
		for (const [name, filter] of Object.entries(filters)) {
			const query = accessLogPageQuery(db, filter, { limit: 50 });
			const plan = (db.prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params) as { detail: string }[])
				.map((row) => row.detail)
				.join("; ");
			assert.match(plan, /^SEARCH l USING (INDEX|INTEGER PRIMARY KEY)/, `${name}: ${plan}`);
			assert.doesNotMatch(plan, /TEMP B-TREE/, `${name}: ${plan}`);
		}
		assert.match(
			(db.prepare(`EXPLAIN QUERY PLAN ${accessLogPageQuery(db, { statusClass: 4 }, { limit: 50 }).sql}`).all(4, 51) as { detail: string }[])[0]
				?.detail ?? "",
			/access_log_unusual_status/,
		);
		const all = (filter: AccessLogFilter) => {
			const found: number[] = [];
			let before: number | undefined;
			do {
				const page = queryAccessLog(db, filter, { limit: 50, ...(before ? { before } : {}) }, 100);
				found.push(...page.entries.map((e) => e.at));
				before = page.nextBefore;
			} while (before !== undefined);
			return found;
		};
		const expected = (keep: (i: number) => boolean) =>
			Array.from({ length: 600 }, (_, i) => 599 - i).filter(keep).map((i) => start + i * 1000);
		assert.deepEqual(all({ method: "DELETE" }), expected((i) => i % 4 === 0), "a method filter pages through every window");
		assert.deepEqual(all({ statusClass: 2 }), expected((i) => i % 5 !== 0));
		assert.deepEqual(all({ statusClass: 4, keyId: 1 }), expected((i) => i % 5 === 0 && i % 3 === 1));
		assert.deepEqual(all({ since: start + 590_000 }), expected((i) => i >= 590));
		assert.deepEqual(all({ until: start + 9_000 }), expected((i) => i <= 9));
	});

	test("keys' last uses are stored together after a delay, and at once by an explicit flush", async (t) => {
		const path = tempDbPath(t);
		const store = LocalStore.open(path);
		const first = await store.createKey({ type: "feed", feed: "npm", packagePermissions: ["view"] }, { actor });
		const second = await store.createKey({ type: "system", systemApis: ["sca"] }, { actor });
		await store.close();
		const db = new Database(path);
		t.after(() => db.close());
		const writer = new AccessLogWriter(db, (error) => assert.fail(String(error)), () => {}, () => {}, 100);
		t.after(() => writer.close());
		const lastUse = (id: number) => db.prepare("SELECT last_used_at FROM api_keys WHERE id = ?").pluck().get(id);
		const start = Date.parse("2026-11-01T12:00:00Z");
		const use = (at: number, keyId: number) => rowValues(accessEntry({ at, keyId }));
		writer.add([use(start, first.record.id), use(start + 5, second.record.id)], true);
		writer.add([use(start + 9, first.record.id)], true);
		assert.equal(db.prepare("SELECT count(*) FROM access_log").pluck().get(), 3, "the entries are written at once");
		assert.equal(lastUse(first.record.id), null, "the last use waits for the delay");
		await new Promise((resolve) => setTimeout(resolve, 250));
		assert.equal(lastUse(first.record.id), new Date(start + 9).toISOString(), "the latest of its uses");
		assert.equal(lastUse(second.record.id), new Date(start + 5).toISOString());
		writer.add([use(start + 60_000, second.record.id)], false);
		writer.flush(true);
		assert.equal(lastUse(second.record.id), new Date(start + 60_000).toISOString(), "an explicit flush stores it at once");
		writer.add([use(start + 1, second.record.id)], false);
		writer.flush(true);
		assert.equal(lastUse(second.record.id), new Date(start + 60_000).toISOString(), "it never moves back");
	});

	test("a backlog that takes longer than the wait limit to write is waited for while it moves", async (t) => {
		const path = tempDbPath(t);
		await LocalStore.open(path).close();
		const stat = statSync(path);
		const errors: unknown[] = [];
		// A 250 ms limit: writing 200,000 entries takes far longer, but the writer never stalls that long.
		const thread = new AccessLogThread(path, { device: stat.dev, inode: stat.ino }, (error) => errors.push(error), 250);
		const db = new Database(path, { readonly: true });
		t.after(() => db.close());
		const written = () => db.prepare("SELECT count(*) FROM access_log").pluck().get() as number;
		// The worker is up once its first entry, written when the batch window closes, is there.
		thread.append(accessEntry({ path: "/first" }));
		while (written() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
		const started = performance.now();
		for (let i = 0; i < 200_000; i++) thread.append(accessEntry({ path: `/backlog/${i}` }));
		assert.equal(thread.close(), 0, "every entry written");
		assert.ok(performance.now() - started > 250, "the backlog outlasted the limit");
		assert.deepEqual(errors, []);
		assert.equal(written(), 200_001);
	});
});

describe("PostgreSQL: several nodes on one database", { skip: postgresSkipReason() }, () => {
	test("a change through one node is verified against by the other once its feed brings it, settings too", async (t) => {
		const url = await postgresCluster.database();
		const secretFile = join(tempDir(t), "keys.secret");
		const admin = await openPostgres(t, url, secretFile);
		const server = await openPostgres(t, url, secretFile);
		const { key, record } = await admin.createKey({ type: "system", systemApis: ["sca"] }, { actor });
		await waitFor(() => server.verifyNow(key, { kind: "any" }).outcome === "valid", "the new key to reach the other node");
		assert.equal((await server.listKeys()).length, 1, "a read sees the commit at once");
		await admin.setEnabled(record.id, false, actor);
		assert.equal((await server.getKey(record.id))?.enabled, false);
		await waitFor(() => server.verifyNow(key, { kind: "any" }).outcome === "disabled", "the disabled key to be refused");
		const rolled = await admin.rollKey(record.id, actor);
		await waitFor(() => server.verifyNow(rolled.key, { kind: "any" }).outcome === "disabled", "the rolled key's new text to be known");
		assert.equal(server.verifyNow(key, { kind: "any" }).outcome, "not-found", "the old text is gone with it");
		await admin.updateSettings({ "min-custom-key-length": "24" }, actor);
		await waitFor(() => server.settingsNow().minCustomKeyLength === 24, "the settings to follow");
		await server.deleteKey(record.id, actor);
		assert.equal(server.verifyNow(rolled.key, { kind: "any" }).outcome, "not-found", "its own change at once");
		await assert.rejects(admin.deleteKey(record.id, actor), /no API key has id/);
	});

	test("a console's change mark moves when another node changes keys or settings", async (t) => {
		const url = await postgresCluster.database();
		const secretFile = join(tempDir(t), "keys.secret");
		const admin = await openPostgres(t, url, secretFile);
		const consoleStore = await PostgresStore.open(url, { secretFile });
		t.after(() => consoleStore.close());
		consoleStore.changeMark();
		await waitFor(() => consoleStore.changeMark() !== "", "the mark to start following");
		let seen = consoleStore.changeMark();
		for (const change of [
			() => admin.createKey({ type: "personal", user: "bob" }, { actor }),
			() => admin.updateSettings({ "min-custom-key-length": "20" }, actor),
		]) {
			await change();
			await waitFor(() => consoleStore.changeMark() !== seen, `the mark to move after ${String(change)}`);
			seen = consoleStore.changeMark();
		}
	});

	test("a node catches up after more changes than are kept", async (t) => {
		const url = await postgresCluster.database();
		const secretFile = join(tempDir(t), "keys.secret");
		const admin = await openPostgres(t, url, secretFile);
		const server = await openPostgres(t, url, secretFile);
		const items = Array.from({ length: 12_000 }, (_, i) => demoKey(i, "proget"));
		const report = await admin.importKeys(items, { actor, partial: true });
		assert.equal(report.imported.length, 12_000);
		await waitFor(
			() => [items[0], items[11_999]].every((item) => server.verifyNow(item?.key as string, { kind: "any" }).outcome !== "not-found"),
			"the imported keys to reach the other node",
		);
		assert.equal(server.verifyNow("a guess that was never a key", { kind: "any" }).outcome, "not-found");
	});
});

describe("concurrency and secrets", () => {
	test("two processes writing at once never see 'database is locked'", async (t) => {
		const path = tempDbPath(t);
		await LocalStore.open(path).close();
		const storeModule = new URL("../source/store/local-store.ts", import.meta.url).href;
		const writer = `
			const { LocalStore } = await import(${JSON.stringify(storeModule)});
			const store = LocalStore.open(${JSON.stringify(path)});
			for (let i = 0; i < 150; i++) {
				await store.createKey({ type: "personal", user: "u" + i }, { actor: "proc" });
				store.logAccess({ at: Date.now(), keyId: null, method: "GET", path: "/", status: 200, durationMs: 1,
					client: "::1", userAgent: null, requestBody: null, responseBody: null });
				if (i % 10 === 0) store.flushAccessLog();
			}
			await store.close();`;
		const run = () =>
			new Promise<{ code: number | null; stderr: string }>((resolve) => {
				const child = spawn(
					process.execPath,
					["--import", "tsx", "--input-type=module", "-e", writer],
					{
						stdio: ["ignore", "ignore", "pipe"],
					},
				);
				let stderr = "";
				child.stderr.on("data", (d) => {
					stderr += d;
				});
				child.on("close", (code) => resolve({ code, stderr }));
			});
		const results = await Promise.all([run(), run(), run()]);
		for (const r of results) assert.equal(r.code, 0, r.stderr);
		const store = LocalStore.open(path);
		t.after(() => store.close());
		assert.equal((await store.listKeys()).length, 450);
		assert.equal((await store.queryAccessLog({}, { limit: 1000 })).entries.length, 450);
	});

	test("a change through another store of this process is read at once, and verified against from the next event-loop turn", async (t) => {
		const { server, admin } = twoConnections(t);
		const { key, record } = await admin.createKey({ type: "system", systemApis: ["sca"] }, { actor });
		const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
		assert.equal(server.verifyNow(key, { kind: "any" }).outcome, "valid");
		assert.equal((await server.listKeys()).length, 1);
		await admin.setEnabled(record.id, false, actor);
		assert.equal((await server.getKey(record.id))?.enabled, false);
		await nextTurn();
		assert.equal(server.verifyNow(key, { kind: "any" }).outcome, "disabled");
		await admin.createKey({ type: "personal", user: "bob" }, { actor });
		assert.equal((await server.listKeys()).length, 2);
		await server.deleteKey(record.id, actor);
		assert.equal(server.verifyNow(key, { kind: "any" }).outcome, "not-found", "its own change at once");
		assert.equal((await server.listKeys()).length, 1);
	});

	test("a change made outside this process's stores is seen in the next event-loop turn, and within 1 ms in a long synchronous run", async (t) => {
		const { server, admin } = twoConnections(t);
		const { key, record } = await admin.createKey({ type: "system", systemApis: ["sca"] }, { actor });
		// Not our store code: what another process (sqlite3, an older build) would do.
		const outside = new Database(admin.location);
		t.after(() => outside.close());
		const setEnabled = outside.prepare("UPDATE api_keys SET enabled = ? WHERE id = ?");
		assert.equal(server.verifyNow(key, { kind: "any" }).outcome, "valid");
		setEnabled.run(0, record.id);
		await new Promise((resolve) => setImmediate(resolve));
		assert.equal(server.verifyNow(key, { kind: "any" }).outcome, "disabled", "in the next turn");
		setEnabled.run(1, record.id);
		const changedAt = performance.now();
		while (performance.now() - changedAt < 1.5);
		assert.equal(server.verifyNow(key, { kind: "any" }).outcome, "valid", "in the same turn, 1 ms on");
		assert.equal(server.settingsNow().minCustomKeyLength, 16);
		outside.prepare("INSERT OR REPLACE INTO settings (name, value) VALUES ('minCustomKeyLength', '24')").run();
		await new Promise((resolve) => setImmediate(resolve));
		assert.equal(server.settingsNow().minCustomKeyLength, 24, "settings follow the same way");
	});

	test("verification follows another process's rolls and imports, and catches up after more changes than are kept", async (t) => {
		const { server, admin } = twoConnections(t);
		const { key, record } = await admin.createKey({ type: "feed", packagePermissions: ["view"] }, { actor });
		const needs = { kind: "feed-permission", permission: "view", feed: "npm" } as const;
		// Another store, as another process: its changes are verified against from the next event-loop turn.
		const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
		assert.equal(server.verifyNow(key, needs).outcome, "valid");
		const rolled = await admin.rollKey(record.id, actor);
		await nextTurn();
		assert.equal(server.verifyNow(key, needs).outcome, "not-found", "the old text stops at once");
		assert.equal(server.verifyNow(rolled.key, needs).outcome, "valid");
		await admin.updateKey(record.id, { packagePermissions: ["add"] }, actor);
		await nextTurn();
		assert.equal(server.verifyNow(rolled.key, needs).outcome, "insufficient-permissions");
		// 12,000 keys imported at once: more changes than the store keeps, so every key is read again.
		const items = Array.from({ length: 12_000 }, (_, i) => demoKey(i, "proget"));
		await admin.importKeys(items, { actor, partial: true });
		await nextTurn();
		const changesKept = new Database(admin.location, { readonly: true });
		t.after(() => changesKept.close());
		assert.ok((changesKept.prepare("SELECT count(*) FROM key_changes").pluck().get() as number) <= 11_000, "old changes pruned");
		for (const item of [items[0], items[11_999]]) assert.notEqual(server.verifyNow(item?.key as string, { kind: "any" }).outcome, "not-found");
		assert.equal(server.verifyNow(rolled.key, needs).outcome, "insufficient-permissions");
		await admin.deleteKey(record.id, actor);
		await nextTurn();
		assert.equal(server.verifyNow(rolled.key, { kind: "any" }).outcome, "not-found");
		assert.equal(server.verifyNow("a guess that was never a key", { kind: "any" }).outcome, "not-found");
	});

	test("the keys' mark outlives access-log writes and last uses, and no change to keys or settings", async (t) => {
		const { server, admin } = twoConnections(t);
		const { key, record } = await admin.createKey({ type: "system", systemApis: ["sca"] }, { actor });
		const connection = new Database(admin.location, { readonly: true });
		t.after(() => connection.close());
		const marks = new ChangeMarks(new Statements(connection));
		const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
		const first = marks.keysMark();
		const proget = await server.servedKeyList(false);
		// Requests logged, and the key's last use stored, by another connection.
		admin.logAccess(accessEntry({ keyId: record.id }));
		admin.flushAccessLog();
		await nextTurn();
		assert.equal(marks.keysMark(), first, "no new mark for a log write or a last use");
		assert.equal(await server.servedKeyList(false), proget);
		const detailed = JSON.parse(Buffer.from(await server.servedKeyList(true)).toString()) as { lastUsedAt?: string }[];
		assert.ok(detailed[0]?.lastUsedAt, "the detailed list follows every commit, last uses included");
		for (const change of [
			() => admin.setEnabled(record.id, false, actor),
			() => admin.updateKey(record.id, { displayName: "renamed" }, actor),
			() => admin.updateSettings({ "min-custom-key-length": "20" }, actor),
			() => admin.createKey({ type: "personal", user: "bob" }, { actor }),
			() => admin.deleteKey(record.id, actor),
		]) {
			const before = marks.keysMark();
			await change();
			await nextTurn();
			assert.notEqual(marks.keysMark(), before, `a new mark after ${String(change)}`);
		}
		assert.equal(JSON.parse(Buffer.from(await server.servedKeyList(false)).toString()).length, 1);
		assert.equal(server.verifyNow(key, { kind: "any" }).outcome, "not-found");
		assert.equal(server.settingsNow().minCustomKeyLength, 20);
	});

	test("no key text ever lands in the database, its WAL or the secret file", async (t) => {
		const path = tempDbPath(t);
		const store = LocalStore.open(path);
		const keys: string[] = [];
		for (let i = 0; i < 20; i++) {
			keys.push(
				(
					await store.createKey(
						{ type: "system", systemApis: ["sca"], displayName: `k${i}` },
						{ actor },
					)
				).key,
			);
		}
		const custom = "custom-secret-key-for-scan-01";
		keys.push(
			(await store.createKey({ type: "personal", user: "bob" }, { key: custom, actor })).key,
		);
		keys.push((await store.rollKey(1000, actor)).key);
		await store.importKeys([{ type: "personal", user: "eve", key: "imported-secret-key-0001" }], {
			actor,
			partial: false,
		});
		keys.push("imported-secret-key-0001");
		const scan = () => {
			for (const file of [path, `${path}-wal`, secretPathFor(path)].filter(existsSync)) {
				const bytes = readFileSync(file);
				for (const key of keys) {
					assert.equal(bytes.includes(Buffer.from(key)), false, `${key} found in ${file}`);
					assert.equal(
						bytes.includes(Buffer.from(key.slice(0, 12))),
						false,
						`part of ${key} found in ${file}`,
					);
				}
			}
		};
		scan();
		await store.close();
		scan();
	});
});
