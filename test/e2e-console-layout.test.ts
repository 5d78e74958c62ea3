/** What fits at 80x24 and at the minimum 40x10, in a real terminal: footer, messages, columns. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { LocalStore } from "../source/store/local-store.js";
import { accessEntry } from "./support/access-entry.js";
import { openConsole } from "./support/console-driver.js";
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
		const con = openConsole(t, [`--db=${db}`], { columns, rows });
		const home = await con.expectText("1 of 1");
		assert.match(home, /\? help {2}q quit/);
		assert.match(home, /ID +NAME/);
		assert.match(home, /› +1000 +Scanner/);
		await con.press("settings");
		await con.expectText("custom-keys-allowed");
		await con.press("down", 5);
		await con.expectText(/› log-retention-days/);
		await con.press("change-setting");
		await con.expectScreen("field");
		await con.type("abc");
		await con.press("next");
		await con.expectText('✗ log-retention-days must be a whole number between 1 and 36500, or none, not "abc"');
		await con.press("back");
		await con.expectScreen("settings");
		await con.press("back");
		await con.expectText(/ID +NAME/);
		await con.press("logs-all");
		await con.expectText(/› .*200 .*\/api\/sca\//);
		assert.match(await con.frame(), /TIME .*STATUS .*PATH/);
	});
}

test("200 keys in one write (as over SSH) edit a field and move on, none lost or misrouted", async (t) => {
	const db = tempDbPath(t);
	await LocalStore.open(db).close();
	const con = openConsole(t, [`--db=${db}`], { columns: 80, rows: 24 });
	await con.expectText("No API keys yet");
	await con.wizard.walkTo("Name", { type: "system" });
	// 120 + 40 + 1 + 32 + 1 + 1 + 1 + 4 = 200 keys: text, Left ×40, Ctrl-K, Backspace ×32, Home, x, Enter, text.
	const burst = `${"a".repeat(120)}${"\u001b[D".repeat(40)}\u000b${"\u007f".repeat(32)}\u001b[Hx\rdesc`;
	con.terminal.write(burst);
	await con.expectText((frame) => /: Description/.test(frame) && /desc█/.test(frame));
	await con.press("back");
	await con.expectText(": Name");
	assert.match(await con.frame(), new RegExp(`^ {2}x${"a".repeat(48)}█`, "m"));
});
