/** What fits at 80x24 and at the minimum 40x10, in a real terminal: footer, messages, columns. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { LocalStore } from "../source/store/local-store.js";
import { accessEntry } from "./support/access-entry.js";
import { openPty } from "./support/pty-terminal.js";
import { tempDbPath } from "./support/temp-store.js";

for (const [columns, rows] of [
	[80, 24],
	[40, 10],
] as const) {
	test(`at ${columns}x${rows}: ? help and q quit in the footer, an ID column, a wrapped message, the log's path`, async (t) => {
		const db = tempDbPath(t);
		const store = LocalStore.open(db);
		await store.createKey({ type: "system", systemApis: ["sca"], displayName: "Scanner" }, { actor: "setup" });
		store.logAccess(accessEntry({ at: Date.now(), keyId: 1000, path: "/api/sca/releases" }));
		store.flushAccessLog();
		await store.close();
		const term = openPty(["dist/cli.js", `--db=${db}`], { columns, rows });
		t.after(() => term.close());
		await term.waitFor((screen) => /1 of 1/.test(screen));
		const home = await term.screen();
		assert.match(home, /\? help {2}q quit/);
		assert.match(home, /ID +NAME/);
		assert.match(home, /› +1000 +Scanner/);
		term.write("o");
		await term.waitFor((screen) => /custom-keys-allowed/.test(screen));
		term.write("jjjjj\r");
		term.write("abc\r");
		const flat = (screen: string) => screen.split("\n").map((line) => line.trim()).join(" ");
		const whole = '✗ log-retention-days must be a whole number between 1 and 36500, or none, not "abc"';
		await term.waitFor((screen) => flat(screen).includes(whole));
		term.write("\u001b");
		await new Promise((resolve) => setTimeout(resolve, 100));
		term.write("\u001b");
		await term.waitFor((screen) => /ID +NAME/.test(screen));
		term.write("L");
		await term.waitFor((screen) => /› .*200 .*\/api\/sca\//.test(screen));
		assert.match(await term.screen(), /TIME .*STATUS .*PATH/);
	});
}

test("200 keys in one write (as over SSH) edit a field and move on, none lost or misrouted", async (t) => {
	const db = tempDbPath(t);
	await LocalStore.open(db).close();
	const term = openPty(["dist/cli.js", `--db=${db}`], { columns: 80, rows: 24 });
	t.after(() => term.close());
	await term.waitFor((screen) => /No API keys yet/.test(screen));
	for (const [input, next] of [
		["n", /Key type/],
		["\r", /APIs/],
		[" ", /\[x\]/],
		["\r", /: Name/],
	] as const) {
		term.write(input);
		await term.waitFor((screen) => next.test(screen));
	}
	// 120 + 40 + 1 + 32 + 1 + 1 + 1 + 4 = 200 keys: text, Left ×40, Ctrl-K, Backspace ×32, Home, x, Enter, text.
	const burst = `${"a".repeat(120)}${"\u001b[D".repeat(40)}\u000b${"\u007f".repeat(32)}\u001b[Hx\rdesc`;
	term.write(burst);
	await term.waitFor((screen) => /: Description/.test(screen) && /desc█/.test(screen));
	term.write("\u001b");
	await term.waitFor((screen) => /: Name/.test(screen));
	assert.match(await term.screen(), new RegExp(`^ {2}x${"a".repeat(48)}█`, "m"));
});
