/**
 * A dropped SSH session: the console gets SIGHUP while a change waits for an answer (the delete
 * confirmation, the create wizard half typed). Nothing may be half-written, the terminal must be
 * back as it was (alternate screen left, cursor shown, the primary screen untouched), and the process
 * gone with exit code 0 (how soon is reported, not asserted).
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { LocalStore } from "../../source/store/local-store.js";
import { type Console, openConsole, promptLine } from "../support/console-driver.js";
import { tempDbPath } from "../support/temp-store.js";
import { tally } from "./support/secrets.js";

const hideCursor = "\u001b[?25l";
const showCursor = "\u001b[?25h";

async function storeWithOneKey(t: TestContext): Promise<{ db: string; id: number }> {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const created = await store.createKey({ type: "system", systemApis: ["feeds"], displayName: "keep-me" }, { actor: "test" });
	await store.close();
	return { db, id: created.record.id };
}

/** The console on `db`, on its key list. */
async function consoleOn(t: TestContext, db: string): Promise<Console> {
	const con = openConsole(t, [`--db=${db}`]);
	await con.expectText("keep-me");
	return con;
}

/** SIGHUP, as the kernel sends it when the session drops; the time to exit and the terminal afterwards. */
async function hangUp(con: Console): Promise<{ exitMs: number }> {
	const started = performance.now();
	con.terminal.kill("SIGHUP");
	assert.equal(await con.expectExit(10_000), 0);
	const exitMs = performance.now() - started;
	assert.equal(await con.terminal.onAlternateScreen(), false, "the terminal was left on the alternate screen");
	assert.equal((await con.frame()).trimEnd(), promptLine, "the primary screen is back, untouched");
	const output = con.terminal.output();
	assert.ok(output.includes(showCursor) && output.lastIndexOf(showCursor) > output.lastIndexOf(hideCursor), "the cursor was left hidden");
	return { exitMs };
}

test("SIGHUP during a delete confirmation: the key is still there, unchanged, and the terminal restored", async (t) => {
	const { db, id } = await storeWithOneKey(t);
	const before = LocalStore.open(db);
	const record = await before.getKey(id);
	await before.close();
	const con = await consoleOn(t, db);
	await con.press("delete");
	await con.expectText(`Delete key ${id}`);
	const { exitMs } = await hangUp(con);
	t.diagnostic(`ended ${exitMs.toFixed(0)} ms after SIGHUP`);
	const after = LocalStore.open(db);
	assert.deepEqual(await after.getKey(id), record);
	assert.deepEqual(
		(await after.auditTrail(id)).map((entry) => entry.action),
		["create"],
	);
	await after.close();
	tally("ssh_drops_survived", 1);
});

test("SIGHUP in the middle of the create wizard: nothing is created, and the terminal restored", async (t) => {
	const { db, id } = await storeWithOneKey(t);
	const con = await consoleOn(t, db);
	await con.wizard.walkTo("Name", { type: "system", apis: ["Full Control"] });
	await con.type("half");
	await con.expectText("half");
	const { exitMs } = await hangUp(con);
	t.diagnostic(`ended ${exitMs.toFixed(0)} ms after SIGHUP`);
	const after = LocalStore.open(db);
	assert.deepEqual(
		(await after.listKeys()).map((k) => k.id),
		[id],
	);
	await after.close();
	tally("ssh_drops_survived", 1);
});
