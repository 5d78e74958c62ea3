/**
 * A monkey at the keyboard: thousands of random keystrokes (letters, digits, arrows, Enter, Esc,
 * Tab, Space, Backspace, control keys) into the console in a real terminal on a seeded demo store.
 * It must never crash or show a stack trace or an unexpected error, must still answer at the end,
 * and must leave the store intact. The seed is printed; RELIABILITY_SEED repeats a run.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import Database from "better-sqlite3";
import { openConsole } from "../support/console-driver.js";
import { keyBytes, keyFor } from "../support/console-keys.js";
import { screenShown } from "../support/console-screens.js";
import { runCli } from "../support/run-cli.js";
import { tempDbPath } from "../support/temp-store.js";
import { looksLikeCrash, pick, seededRandom, suiteSeed } from "./support/fixture.js";
import { tally } from "./support/secrets.js";
import { sized } from "./support/size.js";

const letters = "abcdefghijklmnoprstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const digits = "0123456789";
const arrows = ["\u001b[A", "\u001b[B", "\u001b[C", "\u001b[D", "\u001b[5~", "\u001b[6~", "\u001b[H", "\u001b[F"];
/** Ctrl-A … Ctrl-Y but Ctrl-C (quits, kept for the end) and Ctrl-Z (would stop a job-controlled process). */
const controls = Array.from({ length: 26 }, (_, i) => String.fromCharCode(i + 1)).filter((c) => c !== "\u0003" && c !== "\u001a");

/**
 * One keystroke, weighted roughly as a person mashing keys would hit them. `q` is left out of the
 * letters: it quits cleanly from most screens, which would end the run after a few dozen keys.
 */
function keystroke(random: () => number): string {
	const roll = random();
	if (roll < 0.4) return pick(random, [...letters]);
	if (roll < 0.5) return pick(random, [...digits]);
	if (roll < 0.65) return pick(random, arrows);
	if (roll < 0.73) return "\r";
	if (roll < 0.81) return "\u001b";
	if (roll < 0.84) return "\t";
	if (roll < 0.89) return " ";
	if (roll < 0.92) return "\u007f";
	return pick(random, controls);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keys from the binding table, sent whatever the screen: random keys sent before may still be on their way. */
const escape = keyBytes(keyFor("back", "create"));
const leaveSecret = keyBytes(keyFor("leave-secret", "secret"));
const savedSecret = keyBytes(keyFor("saved-secret", "secret"));

test("thousands of random keystrokes: no crash, no stack trace, still answering, store intact", async (t) => {
	const seed = suiteSeed();
	t.diagnostic(`seed ${seed} (RELIABILITY_SEED=${seed} repeats this run)`);
	const random = seededRandom(seed);
	const db = tempDbPath(t);
	const seeded = await runCli(["seed", `--db=${db}`]);
	assert.equal(seeded.code, 0, seeded.stderr);

	const con = openConsole(t, [`--db=${db}`]);
	await con.expectText(/ of \d+/, 30_000);

	const total = sized(10_000, 3_000);
	let sent = 0;
	const history: string[] = [];
	const visited = new Map<string, number>();
	while (sent < total) {
		const key = keystroke(random);
		con.terminal.write(key);
		history.push(JSON.stringify(key));
		sent++;
		// A short gap, so keys arrive one by one as typed rather than as one pasted block.
		await pause(2);
		// The show-once screen is left only by a capital Y after Enter or Esc, which random keys rarely
		// hit: leave it as a person would, so the run does not spend itself there.
		if (sent % 50 === 0 && (await con.screen()) === "secret") {
			con.terminal.write(leaveSecret);
			await pause(30);
			con.terminal.write(savedSecret);
		}
		if (sent % 250 === 0) {
			// Let it catch up, then check it is alive and showing no crash.
			await pause(150);
			const screen = await con.frame();
			const name = (await con.screen()) ?? "other";
			visited.set(name, (visited.get(name) ?? 0) + 1);
			const last = history.slice(-40).join(" ");
			assert.ok(!looksLikeCrash(screen), `after ${sent} keys (last: ${last}) the screen shows:\n${screen}`);
			assert.ok(con.terminal.running(), `the console ended after ${sent} keys (last: ${last})`);
		}
	}
	tally("keystrokes_sent", sent);

	// Back out of wherever it ended (a wizard step, a filter, the show-once screen), then ask for help.
	for (let i = 0; i < 3; i++) {
		con.terminal.write(escape);
		await pause(50);
	}
	con.terminal.write(savedSecret);
	for (let i = 0; i < 12; i++) {
		con.terminal.write(escape);
		await pause(50);
	}
	await con.press("help");
	await con.expectScreen("help");
	await con.press("back");
	await con.expectText((frame) => screenShown(frame) !== "help");
	// Ctrl-C, which quits from any screen.
	con.terminal.write(keyBytes("ctrl+c"));
	assert.equal(await con.expectExit(15_000), 0, "the console's exit code");

	const output = con.terminal.output();
	assert.ok(!looksLikeCrash(output), "a stack trace or an unhandled error reached the terminal");
	const unexpected = /unexpected error[^\u001b\r\n]*/.exec(output);
	assert.equal(unexpected, null, `the console reported: ${unexpected?.[0]}`);

	const store = new Database(db, { readonly: true });
	t.after(() => store.close());
	assert.equal(store.pragma("integrity_check", { simple: true }), "ok");
	t.diagnostic(`${sent} keystrokes sent; screens at the checkpoints: ${JSON.stringify(Object.fromEntries(visited))}`);
});
