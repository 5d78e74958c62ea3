/**
 * A dropped SSH session: the console gets SIGHUP while a change waits for an answer (the delete
 * confirmation, the create wizard half typed). Nothing may be half-written, the terminal must be
 * back as it was (alternate screen left, cursor shown), and the process gone within a second.
 */
import assert from "node:assert/strict";
import { test, type TestContext } from "node:test";
import { LocalStore } from "../../source/store/local-store.js";
import { openPty, type PtyTerminal } from "../support/pty-terminal.js";
import { cliPath } from "../support/run-cli.js";
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
async function consoleOn(t: TestContext, db: string): Promise<PtyTerminal> {
	const term = openPty([cliPath, `--db=${db}`], { columns: 100, rows: 30, env: { CI: "false" } });
	t.after(() => term.close());
	await term.waitFor((screen) => screen.includes("keep-me"));
	return term;
}

/** Sends each key and waits for the screen to show what it leads to. */
async function steps(term: PtyTerminal, keys: Array<[string, RegExp]>): Promise<void> {
	for (const [key, expected] of keys) {
		term.write(key);
		await term.waitFor((screen) => expected.test(screen));
	}
}

/** SIGHUP, as the kernel sends it when the session drops; the time to exit and the terminal afterwards. */
async function hangUp(term: PtyTerminal): Promise<{ exitMs: number }> {
	const started = performance.now();
	term.kill("SIGHUP");
	let timer: NodeJS.Timeout | undefined;
	const giveUp = new Promise<undefined>((resolve) => {
		timer = setTimeout(() => resolve(undefined), 10_000);
	});
	const exit = await Promise.race([term.exited, giveUp]);
	clearTimeout(timer);
	const exitMs = performance.now() - started;
	assert.ok(exit, "the console was still running 10 s after SIGHUP");
	assert.equal(await term.onAlternateScreen(), false, "the terminal was left on the alternate screen");
	const output = term.output();
	assert.ok(output.includes(showCursor) && output.lastIndexOf(showCursor) > output.lastIndexOf(hideCursor), "the cursor was left hidden");
	return { exitMs };
}

test("SIGHUP during a delete confirmation: the key is still there, unchanged, and the terminal restored", async (t) => {
	const { db, id } = await storeWithOneKey(t);
	const before = LocalStore.open(db);
	const record = await before.getKey(id);
	await before.close();
	const term = await consoleOn(t, db);
	await steps(term, [["d", new RegExp(`Delete key ${id}`)]]);
	const { exitMs } = await hangUp(term);
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
	const term = await consoleOn(t, db);
	await steps(term, [
		["n", /Key type/],
		["\r", /APIs/],
		[" ", /\[x\] Full Control/],
		["\r", /: Name/],
		["half", /half/],
	]);
	const { exitMs } = await hangUp(term);
	t.diagnostic(`ended ${exitMs.toFixed(0)} ms after SIGHUP`);
	const after = LocalStore.open(db);
	assert.deepEqual(
		(await after.listKeys()).map((k) => k.id),
		[id],
	);
	await after.close();
	tally("ssh_drops_survived", 1);
});
