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
		const whole = '✗ log-retention-days must be a whole number between 1 and 36500, or none, not "90abc"';
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
