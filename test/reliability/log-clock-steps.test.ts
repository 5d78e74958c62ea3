/**
 * The access log after the clock stepped back (NTP correcting a fast clock, a VM restored from a
 * snapshot): entries are then written with times out of order, and `logs --since/--until` must
 * still find every entry whose time matches, wherever its id lies.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import type { AccessLogFilter } from "../../source/core/backend.js";
import { LocalStore } from "../../source/store/local-store.js";
import { accessEntry } from "../support/access-entry.js";
import { runCli } from "../support/run-cli.js";
import { tempDir } from "../support/temp-store.js";

const perPhase = 25_000;
const hour = 3_600_000;
const day = 24 * hour;

/** A store whose log holds one phase of entries per start time, in that order (path /phase/N). */
async function steppedLog(t: TestContext, starts: number[]): Promise<{ db: string; store: LocalStore }> {
	const db = join(tempDir(t), "keys.db");
	const store = LocalStore.open(db);
	t.after(() => store.close());
	for (const [phase, start] of starts.entries()) {
		for (let i = 0; i < perPhase; i++) store.logAccess(accessEntry({ at: start + i, path: `/phase/${phase}` }));
		store.flushAccessLog();
	}
	return { db, store };
}

/** How many entries of each phase match, paging through all of them. */
async function everyMatch(store: LocalStore, filter: AccessLogFilter): Promise<Record<string, number>> {
	const byPath: Record<string, number> = {};
	let before: number | undefined;
	let previous = Number.POSITIVE_INFINITY;
	do {
		const page = await store.queryAccessLog(filter, { limit: 1000, ...(before === undefined ? {} : { before }) });
		for (const entry of page.entries) {
			assert.ok(entry.id < previous, "newest id first, each entry once");
			previous = entry.id;
			byPath[entry.path] = (byPath[entry.path] ?? 0) + 1;
		}
		before = page.nextBefore;
	} while (before !== undefined);
	return byPath;
}

test("--since finds every recent entry written before the clock stepped back a day", async (t) => {
	const now = Date.now();
	const { db, store } = await steppedLog(t, [now - 10 * 60_000, now - day, now - day + hour]);
	assert.deepEqual(await everyMatch(store, { since: now - hour }), { "/phase/0": perPhase });
	assert.deepEqual(await everyMatch(store, { since: now - day + hour }), { "/phase/0": perPhase, "/phase/2": perPhase });

	const recent = await runCli(["logs", "--since=1h", "--limit=1000", "--json", `--db=${db}`]);
	assert.equal(recent.code, 0, recent.stderr);
	const page = JSON.parse(recent.stdout) as { entries: Array<{ path: string }> };
	assert.equal(page.entries.length, 1000);
	assert.ok(page.entries.every((entry) => entry.path === "/phase/0"));
});

test("--until finds every old entry written after the clock was set right and stepped back again", async (t) => {
	const now = Date.now();
	const { store } = await steppedLog(t, [now - 2 * day, now - 10 * 60_000, now - 2 * day + hour]);
	assert.deepEqual(await everyMatch(store, { until: now - hour }), { "/phase/2": perPhase, "/phase/0": perPhase });
	assert.deepEqual(await everyMatch(store, { since: now - 2 * day + hour, until: now - hour }), { "/phase/2": perPhase });
});
