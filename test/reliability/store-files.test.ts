/**
 * Where a store is made: never into a file that is already there (even an empty one someone left
 * in a shared folder), never through a symbolic link, never with a secret file that is a link; an
 * existing secret file others can read is used with a warning that says how to fix it.
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../support/run-cli.js";
import { tempDir } from "../support/temp-store.js";
import { assertRefused } from "./support/fixture.js";

const create = (db: string) => runCli(["create", "system", "--name=admin", `--db=${db}`]);

test("a store is never created into an empty file someone left there", async (t) => {
	const dir = tempDir(t);
	const db = join(dir, "keys.db");
	writeFileSync(db, "", { mode: 0o644 });
	assertRefused(await create(db), /keys\.db: is an empty file, not a store; it was left untouched/);
	assert.equal(statSync(db).size, 0);
	assert.equal(statSync(db).mode & 0o777, 0o644);
	assert.deepEqual(readdirSync(dir), ["keys.db"], "no secret file, no journal");
});

test("a store is never created through a symbolic link", async (t) => {
	const dir = tempDir(t);
	const db = join(dir, "keys.db");
	const target = join(dir, "elsewhere.db");
	symlinkSync(target, db);
	assertRefused(await create(db), /is a symbolic link to nothing; a store is never created through a link/);
	assert.equal(existsSync(target), false, "nothing written where the link points");
	assert.deepEqual(readdirSync(dir), ["keys.db"]);
});

test("a secret file that is a symbolic link is refused, for a new store and an existing one", async (t) => {
	const dir = tempDir(t);
	const planted = join(dir, "planted");
	writeFileSync(planted, `${"ab".repeat(32)}\n`);
	const fresh = join(dir, "fresh.db");
	symlinkSync(planted, `${fresh}.secret`);
	assertRefused(await create(fresh), /fresh\.db\.secret: is a symbolic link; a store's secret file must be the file itself/);
	assert.equal(existsSync(fresh), false);
	assert.equal(readFileSync(planted, "utf8"), `${"ab".repeat(32)}\n`);

	const existing = join(dir, "existing.db");
	assert.equal((await create(existing)).code, 0);
	const real = readFileSync(`${existing}.secret`);
	writeFileSync(planted, real);
	rmSync(`${existing}.secret`);
	symlinkSync(planted, `${existing}.secret`);
	assertRefused(await runCli(["list", `--db=${existing}`]), /existing\.db\.secret: is a symbolic link/);
});

test("a secret file others can read: the store opens with a one-line warning that says how to fix it", async (t) => {
	const dir = tempDir(t);
	const db = join(dir, "keys.db");
	assert.equal((await create(db)).code, 0);
	chmodSync(`${db}.secret`, 0o644);
	const listed = await runCli(["list", `--db=${db}`]);
	assert.equal(listed.code, 0, listed.stderr);
	assert.match(listed.stdout, /admin/);
	assert.equal(
		listed.stderr,
		`apikeys-tui: warning: ${db}.secret: the store's secret file can be read by other users; fix with: chmod 600 '${db}.secret'\n`,
	);
	chmodSync(`${db}.secret`, 0o600);
	assert.equal((await runCli(["list", `--db=${db}`])).stderr, "");
});

test("a new store's files are made by this program, private, with no temporary file left", async (t) => {
	const dir = tempDir(t);
	const db = join(dir, "made", "keys.db");
	const created = await Promise.all([create(db), create(db), create(db)]);
	for (const result of created) assert.equal(result.code, 0, result.stderr);
	assert.deepEqual(readdirSync(join(dir, "made")).sort(), ["keys.db", "keys.db.secret"]);
	assert.equal(statSync(db).mode & 0o777, 0o600);
	const listed = await runCli(["list", `--db=${db}`]);
	assert.equal(listed.stdout.split("\n").filter((line) => line === "admin").length, 3, "three processes creating at once share one store");
});
