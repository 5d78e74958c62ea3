/**
 * What the store options say when they are wrong, found by trying the PostgreSQL store by hand:
 * a secret file in a folder that is not there or a path that is a folder is refused in one line
 * before the database is touched (it used to read "cannot reach the PostgreSQL server" after the
 * schema was made); a refusal names $APIKEYS_TUI_DB when the store came from it, not a --db the
 * user never typed; backup on a PostgreSQL store says how to back it up; --secret-file with a
 * remote instance is refused as with a store file; a PostgreSQL URL or a URL with a password in
 * --source is refused naming --db, its password shown as ***. No cluster is needed: every check comes first,
 * so the URLs point at a port where nothing listens.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { runCli } from "./support/run-cli.js";
import { tempDir } from "./support/temp-store.js";

/** A PostgreSQL URL where nothing answers: reaching it would fail with "cannot reach". */
const nowhere = "postgres://keys@127.0.0.1:1/keys";

function oneLine(stderr: string): void {
	assert.equal(stderr.trimEnd().split("\n").length, 2, `one line and the help pointer:\n${stderr}`);
}

describe("store options refused before anything is opened", () => {
	test("a secret file whose folder is missing is refused naming the folder, from --secret-file and $APIKEYS_TUI_SECRET_FILE alike", async (t) => {
		const dir = tempDir(t);
		const secretFile = join(dir, "etc", "apikeys-tui", "secret");
		const byFlag = await runCli(["create", "system", "--apis=full-control", `--db=${nowhere}`, `--secret-file=${secretFile}`]);
		assert.equal(byFlag.code, 2, byFlag.stderr);
		assert.match(byFlag.stderr, new RegExp(`^--secret-file error: the folder ${join(dir, "etc", "apikeys-tui")} does not exist; make it first \\(install -d -m 700 `));
		assert.doesNotMatch(byFlag.stderr, /cannot reach/);
		oneLine(byFlag.stderr);

		const byEnv = await runCli(["list", `--db=${nowhere}`], { env: { APIKEYS_TUI_SECRET_FILE: secretFile } });
		assert.equal(byEnv.code, 2, byEnv.stderr);
		assert.match(byEnv.stderr, /^\$APIKEYS_TUI_SECRET_FILE error: the folder .* does not exist/);
		assert.deepEqual(readdirSync(dir), []);

		const file = join(dir, "notes.txt");
		writeFileSync(file, "");
		const underFile = await runCli(["list", `--db=${nowhere}`, `--secret-file=${join(file, "secret")}`]);
		assert.equal(underFile.code, 2, underFile.stderr);
		assert.match(underFile.stderr, new RegExp(`^--secret-file error: ${file} is a file, not a folder\n`));
	});

	test("a secret file path that is a folder or a device is refused as not a file, with no chmod advice", async (t) => {
		const folder = join(tempDir(t), "secrets");
		mkdirSync(folder);
		for (const [path, what] of [
			[folder, "a folder"],
			["/dev/null", "a device"],
		] as const) {
			const result = await runCli(["list", `--db=${nowhere}`, `--secret-file=${path}`]);
			assert.equal(result.code, 2, result.stderr);
			assert.match(result.stderr, new RegExp(`^--secret-file error: ${path} is ${what}, not a file: give the path of the store's secret file\\n`));
			assert.doesNotMatch(result.stderr, /chmod|cannot reach/);
		}
	});

	test("a refusal of the store in $APIKEYS_TUI_DB names the variable, not --db", async (t) => {
		const dir = tempDir(t);
		const foreign = await runCli(["list"], { env: { APIKEYS_TUI_DB: "mysql://db.example/keys", HOME: dir, XDG_DATA_HOME: dir } });
		assert.equal(foreign.code, 2, foreign.stderr);
		assert.match(foreign.stderr, /^\$APIKEYS_TUI_DB error: "mysql:\/\/db\.example\/keys" is a URL, and there is no mysql:\/\/ store;/);
		oneLine(foreign.stderr);

		const seed = await runCli(["seed"], { env: { APIKEYS_TUI_DB: nowhere } });
		assert.equal(seed.code, 2, seed.stderr);
		assert.match(seed.stderr, /^\$APIKEYS_TUI_DB error: seed works on an SQLite store file, not a PostgreSQL database\n/);
	});

	test("backup on a PostgreSQL store says how to back one up, and writes nothing", async (t) => {
		const dest = join(tempDir(t), "keys-backup.db");
		const result = await runCli(["backup", dest, `--db=${nowhere}`]);
		assert.equal(result.code, 2, result.stderr);
		assert.match(result.stderr, /^--db error: backup works on an SQLite store file, not a PostgreSQL database: /);
		assert.match(result.stderr, /: back one up with pg_dump plus its secret file \(docs\/SCALE\.md#backup\)\n/);
		oneLine(result.stderr);
		assert.equal(existsSync(dest), false);
	});

	test("--secret-file with a remote instance is refused, as with a store file", async () => {
		const result = await runCli(["status", "--source=http://127.0.0.1:1/", "--secret-file=/tmp/never-read.secret"]);
		assert.equal(result.code, 2, result.stderr);
		assert.match(result.stderr, /^--secret-file error: applies to a PostgreSQL store \(--db=postgres:\/\/…\); a remote instance/);
	});

	test("a PostgreSQL URL or a URL with a password in --source is refused naming --db, and the password is never printed", async () => {
		const database = await runCli(["list", "--source=postgres://keys:hunter2@db.example/keys"]);
		assert.equal(database.code, 2, database.stderr);
		assert.match(database.stderr, /^--source error: "postgres:\/\/keys:\*\*\*@db\.example\/keys" is a PostgreSQL database: give it/);
		oneLine(database.stderr);

		const withPassword = await runCli(["list", "--source=https://admin:hunter2@127.0.0.1:1/"]);
		assert.equal(withPassword.code, 2, withPassword.stderr);
		assert.match(withPassword.stderr, /^--source error: "https:\/\/admin:\*\*\*@127\.0\.0\.1:1\/" holds a user and password/);
		const otherScheme = await runCli(["list", "--source=ftp://admin:hunter2@127.0.0.1:1/"]);
		assert.equal(otherScheme.code, 2, otherScheme.stderr);
		assert.match(otherScheme.stderr, /^--source error: Source ftp:\/\/admin:\*\*\*@127\.0\.0\.1:1\/ not found/);
		for (const result of [database, withPassword, otherScheme]) assert.doesNotMatch(result.stdout + result.stderr, /hunter2/);
	});
});
