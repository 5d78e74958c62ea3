/**
 * The storage under a store fails while the console, a command and the server use it: the disk
 * fills up, the file system turns read-only, the store file is deleted or replaced. Each must say
 * so in one line (a command: exit 1, no stack trace; the server: 503, the reason in its own log and
 * not told to the client, and it stays up; the console: a message on screen, and q still quits) and leave nothing damaged or half-written.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import Database from "better-sqlite3";
import { storeFailedText } from "../../source/server/store-failures.js";
import { LocalStore } from "../../source/store/local-store.js";
import type { Command } from "../../source/ui/keys/bindings.js";
import { type Console, openConsole } from "../support/console-driver.js";
import { runCli } from "../support/run-cli.js";
import { type RunningServer, startServer } from "../support/server-process.js";
import { tempDir } from "../support/temp-store.js";
import { apiClient, type ApiAnswer, type ApiClient } from "./support/api-client.js";
import { assertRefused, integrityOf, looksLikeCrash } from "./support/fixture.js";
import { tally } from "./support/secrets.js";
import { smallDisk } from "./support/small-disk.js";

interface Scene {
	db: string;
	victimId: number;
	server: RunningServer;
	api: ApiClient;
	con: Console;
}

/** A store in `dir` with an admin key and a key to change; `db` is where it is. */
async function seedStore(dir: string): Promise<{ db: string; admin: string; victimId: number }> {
	const db = join(dir, "keys.db");
	const store = LocalStore.open(db);
	const admin = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin" }, { actor: "test" });
	const victim = await store.createKey({ type: "system", systemApis: ["sca"], displayName: "victim" }, { actor: "test" });
	await store.close();
	return { db, admin: admin.key, victimId: victim.record.id };
}

/**
 * A store in `dir` with the server and the console on it (the console on the key list);
 * `prepare` runs on the store file before either starts.
 */
async function scene(t: TestContext, dir: string, prepare: (db: string) => void = () => {}): Promise<Scene> {
	const { db, admin, victimId } = await seedStore(dir);
	prepare(db);
	const server = await startServer(db);
	t.after(async () => {
		if (server.process.exitCode === null && server.process.signalCode === null) await server.stop();
	});
	const api = apiClient(server.port, admin);
	t.after(() => api.close());
	const con = openConsole(t, [`--db=${db}`], { columns: 200, rows: 20 });
	await con.expectText("victim");
	return { db, victimId, server, api, con };
}

function createBody(name: string): unknown {
	return { type: "system", systemApis: ["feeds"], displayName: name, description: "d".repeat(1500) };
}

/**
 * A 503 whose body names no path: the fixed sentence, or what /health tells anyone once the server
 * refuses every key check (its store file gone); the server's log gives the reason, naming the store.
 */
async function assertUnavailable(s: Scene, answer: ApiAnswer, reason: RegExp, body = storeFailedText): Promise<void> {
	assert.equal(answer.status, 503, answer.text);
	assert.equal(answer.text, body);
	// The server's output arrives through a pipe of its own, maybe after the answer.
	const told = () => s.server.output().stderr.split("\n").find((line) => line.includes("failed on the key store"));
	for (let tries = 0; tries < 100 && told() === undefined; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
	assert.ok(told()?.includes(s.db), s.server.output().stderr);
	assert.match(told() ?? "", reason);
}

/** Asks until the server answers other than 200 (reads may go on for a moment after a fault); bounded. */
async function firstRefusal(api: ApiClient, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const answer = await api.call(method, path, body);
		if (answer.status !== 200 || Date.now() > deadline) return answer;
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

/** The server answers (`/health` with `health`: 503 once it refuses every key check) and has not crashed. */
async function assertServerUp(s: Scene, health = 200): Promise<void> {
	assert.equal((await s.api.call("GET", "/health")).status, health);
	assert.equal(s.server.process.exitCode, null);
	const { stderr } = s.server.output();
	assert.ok(!looksLikeCrash(stderr) && !/unexpected error/.test(stderr), stderr);
}

/** The console shows `reason` (after a change when `command` is given), and still quits on q. */
async function assertConsoleSays(con: Console, reason: RegExp, command?: Command): Promise<void> {
	if (command) await con.press(command);
	await con.expectText(reason);
	await con.press("quit");
	assert.equal(await con.expectExit(), 0);
	assert.equal(await con.terminal.onAlternateScreen(), false);
}

function keyNames(db: string): string[] {
	const raw = new Database(db, { readonly: true });
	try {
		return raw.prepare("SELECT coalesce(display_name, '') FROM api_keys ORDER BY id").pluck().all() as string[];
	} finally {
		raw.close();
	}
}

test("a full disk: the command, the server and the console each say so; nothing is damaged; freeing space is enough", async (t) => {
	const disk = smallDisk(t, "4m");
	if (typeof disk === "string") return t.skip(disk);
	const s = await scene(t, disk.dir);
	assert.equal((await s.api.call("POST", "/api/api-keys/create", createBody("before"))).status, 200);
	const filler = disk.fill();

	assertRefused(await runCli(["create", "system", "--apis=feeds", "--name=on-full-disk", `--db=${s.db}`]), /disk is full/);
	const created: string[] = [];
	let refusal: ApiAnswer | undefined;
	for (let n = 0; n < 50 && !refusal; n++) {
		const answer = await s.api.call("POST", "/api/api-keys/create", createBody(`full-${n}`));
		if (answer.status === 200) created.push(`full-${n}`);
		else refusal = answer;
	}
	assert.ok(refusal, "50 keys were created on a full disk");
	await assertUnavailable(s, refusal, /disk is full/);
	await assertServerUp(s);
	await assertConsoleSays(s.con, /disk is full/, "toggle-enabled");

	rmSync(filler);
	assert.equal((await s.api.call("POST", "/api/api-keys/create", createBody("after"))).status, 200);
	assert.equal(await s.server.stop(), 0, s.server.output().stderr);
	assert.equal(integrityOf(s.db), "ok");
	const names = keyNames(s.db);
	for (const name of ["before", ...created, "after"]) assert.ok(names.includes(name), `${name} is missing`);
	assert.ok(!names.includes("on-full-disk") && !names.includes(`full-${created.length}`), "a refused create was written");
	// The refusal's log entry waited for the space and was written then.
	const raw = new Database(s.db, { readonly: true });
	const refusalsLogged = raw.prepare("SELECT count(*) FROM access_log WHERE status = 503").pluck().get() as number;
	raw.close();
	assert.ok(refusalsLogged >= 1, "the access log lost what was answered while the disk was full");
	tally("storage_faults_survived", 1);
});

/** Makes the file immutable, which even root cannot write; undone after the test. */
function immutable(t: TestContext, file: string): string | undefined {
	try {
		execFileSync("chattr", ["+i", file], { stdio: "pipe" });
	} catch (error) {
		return `chattr +i does not work here (${(error as Error).message.split("\n")[0]})`;
	}
	t.after(() => {
		// The test undoes it itself; this is for a test that failed half-way.
		if (existsSync(file)) execFileSync("chattr", ["-i", file], { stdio: "pipe" });
	});
	return undefined;
}

test("a read-only store file: changes are refused in one line, reads go on, nothing is damaged", async (t) => {
	let skipped: string | undefined;
	const s = await scene(t, tempDir(t), (db) => {
		skipped = immutable(t, db);
	});
	if (skipped) return t.skip(skipped);

	assertRefused(await runCli(["create", "system", "--apis=feeds", "--name=read-only", `--db=${s.db}`]), /read-only/);
	const listed = await runCli(["list", `--db=${s.db}`]);
	assert.equal(listed.code, 0, listed.stderr);
	assert.match(listed.stdout, /victim/);
	await assertUnavailable(s, await s.api.call("POST", "/api/api-keys/create", createBody("read-only")), /read-only/);
	assert.equal((await s.api.call("GET", "/api/api-keys/list")).status, 200);
	await assertServerUp(s);
	await assertConsoleSays(s.con, /read-only/, "toggle-enabled");
	// Its access log could not be written either: the stop says so in one line.
	assert.equal(await s.server.stop(), 1);
	assert.match(s.server.output().stderr.trim().split("\n").at(-1) ?? "", /access-log entr(y|ies) could not be written: .*read-only/);

	execFileSync("chattr", ["-i", s.db]);
	assert.equal(integrityOf(s.db), "ok");
	assert.deepEqual(keyNames(s.db), ["admin", "victim"]);
	const victim = new Database(s.db, { readonly: true });
	assert.equal(victim.prepare("SELECT enabled FROM api_keys WHERE id = ?").pluck().get(s.victimId), 1);
	victim.close();
	tally("storage_faults_survived", 1);
});

test("a read-only file system: every program refuses to open the store, in one line", async (t) => {
	const disk = smallDisk(t, "4m");
	if (typeof disk === "string") return t.skip(disk);
	const { db } = await seedStore(disk.dir);
	disk.readOnly();
	const reason = /read-only file system/;

	assertRefused(await runCli(["list", `--db=${db}`]), reason);
	assertRefused(await runCli(["create", "system", "--apis=feeds", `--db=${db}`]), reason);
	await assert.rejects(startServer(db), (error: Error) => reason.test(error.message) && !looksLikeCrash(error.message));
	const con = openConsole(t, [`--db=${db}`], { columns: 200, rows: 20 });
	assert.equal(await con.expectExit(), 1);
	assert.match(await con.frame(), reason);
	assert.ok(!looksLikeCrash(con.terminal.output()));

	disk.writable();
	assert.equal(integrityOf(db), "ok");
	assert.deepEqual(keyNames(db), ["admin", "victim"]);
	tally("storage_faults_survived", 1);
});

test("the store file deleted under a running server and console: refused with the reason, never recreated", async (t) => {
	const s = await scene(t, tempDir(t));
	rmSync(s.db);

	await assertUnavailable(s, await firstRefusal(s.api, "GET", "/api/api-keys/list"), /deleted while in use/, "the store file was deleted while in use");
	await assertUnavailable(s, await s.api.call("POST", "/api/api-keys/create", createBody("into-the-void")), /deleted while in use/, "the store file was deleted while in use");
	await assertServerUp(s, 503);
	// No key pressed: the console notices on its own.
	await assertConsoleSays(s.con, /deleted while in use/);
	// Nor does a command make a new, empty store in its place (over the old one's WAL).
	assertRefused(await runCli(["list", `--db=${s.db}`]), /missing but its secret file is there/);

	// The log entries of the refused requests have nowhere to go: the stop says so, in one line.
	assert.equal(await s.server.stop(), 1);
	const lastLine = s.server.output().stderr.trim().split("\n").at(-1) ?? "";
	assert.match(lastLine, /access-log entr(y|ies) could not be written: .*deleted while in use/);
	assert.ok(!looksLikeCrash(s.server.output().stderr));
	assert.ok(!existsSync(s.db), "the deleted store was recreated");
	tally("storage_faults_survived", 1);
});

test("the store file replaced under a running server and console: refused with the reason, the new file untouched", async (t) => {
	const dir = tempDir(t);
	const s = await scene(t, dir);
	const copy = join(dir, "restored.db");
	const source = new Database(s.db, { readonly: true });
	source.exec(`VACUUM INTO '${copy}'`);
	source.close();
	const namesBefore = keyNames(copy);
	renameSync(copy, s.db);

	await assertUnavailable(s, await firstRefusal(s.api, "GET", "/api/api-keys/list"), /replaced by another file/, "the store file was replaced by another file while in use");
	await assertUnavailable(s, await s.api.call("POST", "/api/api-keys/create", createBody("into-the-old-file")), /replaced by another file/, "the store file was replaced by another file while in use");
	await assertServerUp(s, 503);
	await assertConsoleSays(s.con, /replaced by another file/, "toggle-enabled");
	assert.equal(await s.server.stop(), 1);
	assert.ok(!looksLikeCrash(s.server.output().stderr));

	// Checked once nothing holds the old file's WAL, which still sits beside the new one until then.
	assert.equal(integrityOf(s.db), "ok");
	assert.deepEqual(keyNames(s.db), namesBefore);
	tally("storage_faults_survived", 1);
});
