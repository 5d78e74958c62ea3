import assert from "node:assert/strict";
import { test } from "node:test";
import type { AccessLogFilter } from "../source/core/backend.js";
import { filterText } from "../source/core/key-text.js";
import { logFilterQuery, logFilterText, parseLogFilter, parseLogFilterWords } from "../source/core/log-filter.js";
import { matchesFilter } from "../source/remote/key-index.js";
import { LocalStore } from "../source/store/local-store.js";
import { accessEntry } from "./support/access-entry.js";
import { startServer } from "./support/server-process.js";
import { tempDbPath } from "./support/temp-store.js";

test("the list filter finds what the row shows and the description, never the hidden key hint; store and remote agree", async (t) => {
	const store = LocalStore.open(tempDbPath(t));
	t.after(() => store.close());
	const scanner = await store.createKey({ type: "system", systemApis: ["sca", "feeds"], displayName: "Nightly scan 1", description: "runs at 2am" }, { actor: "t" });
	await store.createKey({ type: "feed", packagePermissions: ["view"], feedGroup: "internal" }, { actor: "t" });
	await store.createKey({ type: "feed", packagePermissions: ["view", "add"] }, { actor: "t" });
	await store.createKey({ type: "personal", user: "alice" }, { actor: "t" });
	await store.importKeys([{ type: "other", systemApis: ["native-api", "feed-api"], key: "legacy-native-key-000001", user: "bob", displayName: "Old" }], {
		actor: "t",
		partial: false,
	});
	await store.setEnabled(1003, false, "t");
	const hint = scanner.record.hint.replace(/[^0-9a-f]/g, "").slice(0, 4);
	assert.equal(hint.length, 4, "the hint has hex to search for");
	const cases: [string, number[]][] = [
		[hint, []],
		["legacy", [1004]],
		["other", []],
		["feeds,sca", [1000]],
		["2am", [1000]],
		["group internal", [1001]],
		["all feeds", [1002]],
		["user alice", [1003]],
		["user bob", [1004]],
		["(unnamed key)", [1001, 1002, 1003]],
		["disabled", [1003]],
		["1002", [1002]],
		["[", []],
	];
	const all = await store.listKeys();
	for (const [filter, expected] of cases) {
		const local = await store.keyIds({ filter });
		const remote = all.filter((key) => matchesFilter(key, filter)).map((key) => key.id);
		assert.deepEqual(local, expected, `local store, "${filter}"`);
		assert.deepEqual(remote, expected, `remote list, "${filter}"`);
	}
	assert.ok(!filterText(all[0]!).includes(scanner.record.hint));
});

test("a log filter word anywhere in the path: in the store and through serve's logs route", async (t) => {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const { key } = await store.createKey({ type: "system", systemApis: ["full-control"] }, { actor: "t" });
	for (const path of ["/nuget/v3/reg/a", "/npm/b", "/reg/c"]) store.logAccess(accessEntry({ at: Date.now(), path }));
	store.flushAccessLog();
	const paths = async (filter: AccessLogFilter) => (await store.queryAccessLog(filter, { limit: 10 })).entries.map((e) => e.path);
	assert.deepEqual(await paths({ pathContains: "reg" }), ["/reg/c", "/nuget/v3/reg/a"]);
	assert.deepEqual(await paths({ pathPrefix: "/reg" }), ["/reg/c"]);
	await store.close();
	const server = await startServer(db);
	t.after(() => server.stop());
	const response = await fetch(new URL("api/api-keys/logs?contains=reg", server.url.endsWith("/") ? server.url : `${server.url}/`), {
		headers: { "X-ApiKey": key },
	});
	assert.equal(response.status, 200);
	const page = (await response.json()) as { entries: { path: string }[] };
	assert.deepEqual(page.entries.map((e) => e.path).filter((p) => p !== "/api/api-keys/logs"), ["/reg/c", "/nuget/v3/reg/a"]);
});

test("a log filter read from words, sent as a remote's query string and parsed there is the same filter", () => {
	const now = new Date("2026-06-01T12:00:00Z");
	const typed = parseLogFilterWords("status:4xx METHOD:post path:/api/ since:24h until:2026-06-01 reg", 1001, now);
	assert.ok(typed.ok);
	assert.deepEqual(typed.filter, {
		keyId: 1001,
		statusClass: 4,
		method: "POST",
		pathPrefix: "/api/",
		pathContains: "reg",
		since: Date.parse("2026-05-31T12:00:00Z"),
		until: Date.parse("2026-06-01T00:00:00Z"),
	});
	const query = new URLSearchParams(logFilterQuery(typed.filter));
	const served = parseLogFilter(logFilterText((field) => query.get(field)), now);
	assert.deepEqual(served, typed);
	assert.deepEqual(parseLogFilterWords("colour:red", undefined, now), {
		ok: false,
		field: "path",
		error: 'unknown filter "colour": use key, status, method, path, since, until',
	});
});
