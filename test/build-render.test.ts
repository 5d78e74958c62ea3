/**
 * The dependency patches (source/build/patches.ts) change how Ink draws, never what: the console
 * built with them (dist/) and built from the dependencies as installed (`--no-patches`) show the
 * same screens in a real terminal, character and style, cell for cell, at 80x24 and at 40x10.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { LocalStore } from "../source/store/local-store.js";
import { openPty, type PtyTerminal } from "./support/pty-terminal.js";
import { tempDbPath } from "./support/temp-store.js";

const root = fileURLToPath(new URL("..", import.meta.url));
let stock = "";

before(() => {
	// Inside the project, as dist/ is: the bundle finds node_modules and db/ by looking up from itself.
	mkdirSync(join(root, ".tmp"), { recursive: true });
	stock = mkdtempSync(join(root, ".tmp", "build-stock-"));
	const run = spawnSync(process.execPath, ["--import", "tsx", "source/build.ts", "--no-patches", `--outdir=${stock}`], { cwd: root, encoding: "utf8" });
	assert.equal(run.status, 0, run.stderr);
});
after(() => rmSync(stock, { recursive: true, force: true }));

/** Keys whose rows hold what the patches touch: the narrow characters measured directly, wide ones, colours, a disabled key. */
async function seededStore(db: string): Promise<void> {
	const store = LocalStore.open(db);
	await store.createKey({ type: "system", systemApis: ["sca", "feeds"], displayName: "Scanner ✓", description: "runs at 2am → reports" }, { actor: "setup" });
	await store.createKey(
		{ type: "feed", packagePermissions: ["view", "add"], feedGroup: "internal", displayName: "CI · publisher — nightly…", description: "── ▶ « » ±" },
		{ actor: "setup" },
	);
	const disabled = await store.createKey({ type: "personal", user: "bob", displayName: "Disabled 鍵 key" }, { actor: "setup" });
	await store.setEnabled(disabled.record.id, false, "setup");
	await store.createKey({ type: "personal", user: "carol", displayName: "Ünïcödé 🚀 carol", expiration: "2099-01-01" }, { actor: "setup" });
	await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin" }, { actor: "setup" });
	await store.close();
}

/** What each step types, and text that shows its screen has come (at both sizes). */
const steps: ReadonlyArray<{ name: string; keys: string; shows: RegExp }> = [
	{ name: "key list", keys: "", shows: /1 of 5/ },
	{ name: "key list, second key selected", keys: "j", shows: /2 of 5/ },
	{ name: "key detail", keys: "\r", shows: /^Key 1001 · /m },
	{ name: "help", keys: "?", shows: /^Keys on this screen/m },
	{ name: "key detail again", keys: "\u001b", shows: /^Key 1001 · /m },
	{ name: "key list, last key selected", keys: "\u001bG", shows: /5 of 5/ },
	{ name: "confirm", keys: "d", shows: /^Delete key 1004/m },
	{ name: "key list after no, with its message", keys: "n", shows: /nothing was deleted/ },
	{ name: "wizard step 1", keys: "n", shows: /step 1 of/ },
	{ name: "wizard step 2", keys: "\r", shows: /step 2 of/ },
	{ name: "wizard step 2, an API chosen", keys: " ", shows: /\[x\]/ },
];

interface Frame {
	step: string;
	cells: string[][];
	styles: string[][];
}

/** The console's spinner: a load is still under way (it shows on a busy machine). */
const busy = "working…";

/** The screen once `shows` is on it, nothing is loading and it has stopped changing. */
async function settledFrame(term: PtyTerminal, step: string, shows: RegExp): Promise<Frame> {
	await term.waitFor((screen) => shows.test(screen) && !screen.includes(busy));
	let last = "";
	for (let tries = 0; tries < 50; tries++) {
		const frame = { step, cells: await term.cells(), styles: await term.styles() };
		const text = JSON.stringify(frame);
		if (text === last && !frame.cells.some((row) => row.join("").includes(busy))) return frame;
		last = text;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`the screen of ${step} never stopped changing`);
}

/** Every step's screen, drawn by the bundle whose cli.js is `cli`. */
async function framesOf(cli: string, db: string, columns: number, rows: number): Promise<Frame[]> {
	const term = openPty([cli, `--db=${db}`], { columns, rows });
	try {
		const frames: Frame[] = [];
		for (const step of steps) {
			// One key at a time: Esc followed at once by another key reads as Alt and that key.
			for (const [index, key] of [...step.keys].entries()) {
				if (index > 0) await new Promise((resolve) => setTimeout(resolve, 100));
				term.write(key);
			}
			frames.push(await settledFrame(term, step.name, step.shows));
		}
		return frames;
	} finally {
		await term.close();
	}
}

for (const [columns, rows] of [
	[80, 24],
	[40, 10],
] as const) {
	test(`at ${columns}x${rows}, the patched console draws list, detail, help, confirm and wizard cell for cell as stock Ink does`, async (t) => {
		const db = tempDbPath(t);
		await seededStore(db);
		const patched = await framesOf(join(root, "dist", "cli.js"), db, columns, rows);
		const unpatched = await framesOf(join(stock, "cli.js"), db, columns, rows);
		for (const [index, frame] of patched.entries()) {
			const expected = unpatched[index];
			assert.ok(expected !== undefined);
			for (let y = 0; y < rows; y++) {
				const row = (drawn: Frame) => (drawn.cells[y] ?? []).join("");
				assert.deepEqual(frame.cells[y], expected.cells[y], `${frame.step}, row ${y + 1}:\npatched: ${row(frame)}\nstock:   ${row(expected)}`);
				assert.deepEqual(frame.styles[y], expected.styles[y], `${frame.step}, row ${y + 1}: the styles differ (${row(frame)})`);
			}
		}
	});
}
