/**
 * `apikeys-tui backup DEST` while another process writes: the copy opens as a store with its own
 * secret file, both private, and every key committed before the backup started verifies in it
 * (a plain cp of a live WAL store can lose those). It never overwrites and fails in one line.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { LocalStore } from "../../source/store/local-store.js";
import { runCli } from "../support/run-cli.js";
import { tempDir } from "../support/temp-store.js";
import { looksLikeCrash } from "./support/fixture.js";

const localStoreModule = fileURLToPath(new URL("../../source/store/local-store.ts", import.meta.url));

/** Another process that creates keys without pause and prints each one once committed. */
function startWriter(db: string): { child: ChildProcess; keys: string[]; waitFor: (count: number) => Promise<void> } {
	const script = `
import { LocalStore } from ${JSON.stringify(localStoreModule)};
const store = LocalStore.open(${JSON.stringify(db)});
for (let i = 0; ; i++) {
	const { key } = await store.createKey({ type: "system", systemApis: ["feeds"], displayName: "writer " + i }, { actor: "writer" });
	process.stdout.write(key + "\\n");
}`;
	const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
	const keys: string[] = [];
	let pending = "";
	const waiters: Array<{ count: number; done: () => void }> = [];
	child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
		pending += chunk;
		const lines = pending.split("\n");
		pending = lines.pop() ?? "";
		keys.push(...lines);
		for (const waiter of waiters.filter((w) => keys.length >= w.count)) waiter.done();
	});
	return {
		child,
		keys,
		waitFor: (count) => new Promise((done) => (keys.length >= count ? done() : waiters.push({ count, done }))),
	};
}

test("a backup taken while another process writes opens, and every key committed before it verifies", async (t) => {
	const dir = tempDir(t);
	const db = join(dir, "keys.db");
	assert.equal((await runCli(["create", "system", "--apis=feeds", "--name=admin", `--db=${db}`])).code, 0);
	const writer = startWriter(db);
	t.after(() => writer.child.kill());
	await writer.waitFor(30);
	const committedBefore = [...writer.keys];
	const backup = await runCli(["backup", join(dir, "copy.db"), `--db=${db}`]);
	const writtenDuring = writer.keys.length - committedBefore.length;
	writer.child.kill();
	assert.equal(backup.code, 0, backup.stderr);
	assert.match(backup.stdout, /^Backed up \d+ keys to .*copy\.db and .*copy\.db\.secret\.\n$/);
	assert.ok(writtenDuring > 0, "the writer went on writing while the backup ran");
	for (const file of ["copy.db", "copy.db.secret"]) assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600, file);

	const copy = LocalStore.open(join(dir, "copy.db"), { existing: true });
	t.after(() => copy.close());
	const keys = await copy.listKeys();
	assert.ok(keys.length >= committedBefore.length + 1, `${keys.length} keys in the copy`);
	assert.equal(Number(/Backed up (\d+)/.exec(backup.stdout)?.[1]), keys.length, "the count printed is the copy's");
	for (const key of committedBefore) {
		assert.equal(copy.verifyNow(key, { kind: "system-api", api: "feeds" }).outcome, "valid");
	}
});

test("backup never overwrites, needs a store and its folder, and says so in one line", async (t) => {
	const dir = tempDir(t);
	const db = join(dir, "keys.db");
	assert.equal((await runCli(["create", "system", "--apis=feeds", `--db=${db}`])).code, 0);
	writeFileSync(join(dir, "taken.db.secret"), "mine");
	const refusals: Array<[string[], RegExp, number]> = [
		[["backup", db, `--db=${db}`], /keys\.db: already exists; a backup never overwrites a file/, 1],
		[["backup", join(dir, "taken.db"), `--db=${db}`], /taken\.db\.secret: already exists/, 1],
		[["backup", join(dir, "no", "copy.db"), `--db=${db}`], /no: no such folder; create it first/, 1],
		[["backup", join(dir, "copy.db"), `--db=${join(dir, "typo.db")}`], /no store at .*typo\.db/, 1],
		[["backup", `--db=${db}`], /missing the backup's file name/, 2],
	];
	for (const [args, reason, code] of refusals) {
		const result = await runCli(args);
		assert.equal(result.code, code, result.stderr);
		assert.match(result.stderr.split("\n")[0] ?? "", reason);
		assert.ok(!looksLikeCrash(result.stderr), result.stderr);
	}
	assert.deepEqual(readdirSync(dir).sort(), ["keys.db", "keys.db.secret", "taken.db.secret"], "nothing left behind");
});

test("a backup of a store with one key says 1 key", async (t) => {
	const dir = tempDir(t);
	const db = join(dir, "keys.db");
	assert.equal((await runCli(["create", "system", `--db=${db}`])).code, 0);
	const backup = await runCli(["backup", join(dir, "one.db"), `--db=${db}`]);
	assert.equal(backup.code, 0, backup.stderr);
	assert.match(backup.stdout, /^Backed up 1 key to /);
});
