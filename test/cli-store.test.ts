/**
 * Which commands make a store: a read command on a path with no store says so in one line and
 * creates nothing (a mistyped --db must not leave an empty store and a secret file behind), nor
 * does the console with --readonly; the console and the writing commands create the store on first use.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { openPty } from "./support/pty-terminal.js";
import { cliPath, runCli } from "./support/run-cli.js";
import { tempDir } from "./support/temp-store.js";

describe("read commands never create a store", () => {
	test("list, logs, status, settings and serve on a missing store: one line, exit 1, no file", async (t) => {
		const dir = tempDir(t);
		const db = join(dir, "sub", "typo.db");
		for (const args of [["list"], ["list", "--json"], ["logs"], ["status"], ["settings"], ["settings", "--json"], ["serve", "--port=0"]]) {
			const result = await runCli([...args, `--db=${db}`]);
			assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
			assert.equal(result.stdout, "");
			assert.match(result.stderr, /^apikeys-tui: no store at .*typo\.db; create one with "apikeys-tui create …" or by opening the console on it\n$/, args.join(" "));
			assert.deepEqual(readdirSync(dir), [], `${args.join(" ")} created nothing`);
		}
		const fromEnv = await runCli(["list"], { env: { APIKEYS_TUI_DB: db } });
		assert.equal(fromEnv.code, 1);
		assert.deepEqual(readdirSync(dir), []);
	});

	test("the console with --readonly on a missing store: says so in a terminal and creates nothing (it made the store)", async (t) => {
		const dir = tempDir(t);
		const terminal = openPty([cliPath, "--readonly", `--db=${join(dir, "typo.db")}`], { columns: 80, rows: 24 });
		t.after(() => terminal.close());
		await terminal.waitFor((screen) => /apikeys-tui: no store at .*typo\.db; create one with/.test(screen.replace(/\n/g, "")));
		assert.equal((await terminal.exited).code, 1, terminal.output());
		assert.deepEqual(readdirSync(dir), []);
	});

	test("an empty --db (a script's unset variable) is refused in one line, never the default store", async (t) => {
		const home = tempDir(t);
		const env = { HOME: home, XDG_DATA_HOME: join(home, "data") };
		for (const args of [["create", "system", "--apis=full-control"], ["list"], ["status"]]) {
			const result = await runCli([...args, "--db="], { env });
			assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
			assert.equal(result.stdout, "", args.join(" "));
			assert.match(result.stderr, /^--db error: is empty: give a store file or a postgres:\/\/ URL, or leave --db out for the default store\n/, args.join(" "));
		}
		assert.deepEqual(readdirSync(home), [], "no default store was made");
	});

	test("commands that change a key by id (delete, update, enable, disable, roll, convert) on a missing store: one line, exit 1, no file", async (t) => {
		const dir = tempDir(t);
		const db = join(dir, "typo.db");
		for (const args of [["delete", "--id=1"], ["update", "--id=1", "--name=x"], ["enable", "--id=1"], ["disable", "--id=1"], ["roll", "--id=1"], ["convert", "--id=1"]]) {
			const result = await runCli([...args, `--db=${db}`]);
			assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
			assert.equal(result.stdout, "", args.join(" "));
			assert.match(result.stderr, /^apikeys-tui: no store at .*typo\.db; /, args.join(" "));
			assert.deepEqual(readdirSync(dir), [], `${args.join(" ")} created nothing`);
		}
	});

	test("a --db that is a URL of no store we have is refused in one line, for reads and writes alike", async (t) => {
		const dir = tempDir(t);
		for (const args of [["list"], ["create", "personal", "--user=a"], ["status"]]) {
			const result = await runCli([...args, "--db=mysql://db.example/keys"], { env: { HOME: dir, XDG_DATA_HOME: dir } });
			assert.notEqual(result.code, 0);
			assert.match(result.stderr, /^--db error: "mysql:\/\/db\.example\/keys" is a URL, and there is no mysql:\/\/ store;/);
			assert.equal(result.stderr.split("\n").length, 3, "one line and the help pointer");
		}
		assert.deepEqual(readdirSync(dir), []);
		assert.equal(existsSync("mysql:"), false, "no relative folder made from the URL");
	});

	test("seed and backup work on a store file: a PostgreSQL --db is refused in one line", async () => {
		for (const args of [["seed"], ["backup", "/tmp/never-written.db"]]) {
			const result = await runCli([...args, "--db=postgres://db.example/keys"]);
			assert.equal(result.code, 2, result.stderr);
			assert.match(result.stderr, /^--db error: (seed|backup) works on an SQLite store file, not a PostgreSQL database(\n|: )/);
		}
	});

	test("a writing command and settings --set still create the store on first use", async (t) => {
		const dir = tempDir(t);
		const created = await runCli(["create", "personal", "--user=alice", `--db=${join(dir, "a.db")}`]);
		assert.equal(created.code, 0, created.stderr);
		const set = await runCli(["settings", "--set", "max-lifetime-days=30", `--db=${join(dir, "b.db")}`]);
		assert.equal(set.code, 0, set.stderr);
		assert.deepEqual(readdirSync(dir).sort(), ["a.db", "a.db.secret", "b.db", "b.db.secret"]);
		const listed = await runCli(["list", `--db=${join(dir, "a.db")}`]);
		assert.equal(listed.code, 0, listed.stderr);
	});
});
