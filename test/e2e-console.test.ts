import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LocalStore } from "../source/store/local-store.js";
import { accessEntry } from "./support/access-entry.js";
import { type Console, openConsole, promptLine } from "./support/console-driver.js";
import { startServer } from "./support/server-process.js";
import { tempDbPath, tempDir } from "./support/temp-store.js";

/** Leaves the new key's screen as a user does: Enter, then Y (capital) to the question whether it was saved. */
async function leaveSecret(con: Console): Promise<void> {
	await con.press("leave-secret");
	await con.expectText("Have you saved the key?");
	await con.press("saved-secret");
	await con.expectScreen("list");
}

/** Edits the selected key's body logging to `choice` and saves, through the edit picker. */
async function editLogging(con: Console, id: number, choice: string): Promise<void> {
	await con.press("edit");
	await con.expectText(`Edit key ${id}: choose a field to change`);
	await con.press("bottom");
	await con.expectText(/› Save the changes/);
	await con.wizard.select("Body logging");
	await con.press("next");
	await con.expectText(/step \d+ of \d+: Body logging/);
	await con.wizard.select(choice);
	await con.press("next");
	await con.expectText(new RegExp(`\\*Body logging +${choice} {2}\\(changed\\)`));
	await con.press("bottom");
	await con.press("next");
	await con.expectText(`key ${id} updated: Body logging`);
}

test("in a real terminal: create each type, edit, disable, delete, logs, resize, quit", async (t) => {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	await store.createKey({ type: "system", systemApis: ["sca"], displayName: "Existing scanner" }, { actor: "setup" });
	for (let i = 0; i < 40; i++) {
		store.logAccess(
			accessEntry({
				at: Date.now() - (40 - i) * 60_000,
				keyId: 1000,
				path: `/api/sca/releases?page=${i}`,
				status: i % 4 === 0 ? 403 : 200,
				durationMs: 3,
				client: "10.1.1.1",
				userAgent: "scanner/1",
				responseBody: i === 39 ? '{"releases":[]}' : null,
			}),
		);
	}
	store.flushAccessLog();
	await store.close();

	const con = openConsole(t, [`--db=${db}`]);
	await con.expectText("1 of 1");
	const systemKey = await con.wizard.create({ type: "system", apis: ["Full Control"], name: "e2e system" });
	assert.match(systemKey, /^[0-9a-f]{40}$/, "the new key is on the screen");
	await leaveSecret(con);
	await con.expectText("e2e system");
	await con.wizard.create({ type: "feed", feeds: { feed: "public-npm" }, name: "e2e feed" });
	await leaveSecret(con);
	await con.wizard.create({ type: "personal", user: "alice", name: "e2e personal" });
	await leaveSecret(con);
	assert.match(await con.expectText("4 of 4"), /e2e personal +personal +user alice/);

	await con.press("filter");
	await con.expectText(/\/█/);
	await con.type("public-npm");
	await con.expectText("1 of 1");
	await con.press("next");
	await con.expectText("filter: public-npm");
	await editLogging(con, 1002, "both");
	assert.match(await con.frame(), /e2e feed .* both/);
	await con.press("toggle-enabled");
	await con.expectText("key 1002 disabled");
	await con.press("delete");
	await con.expectScreen("confirm");
	await con.expectText("Delete key 1002 (e2e feed)?");
	await con.press("confirm-yes");
	await con.expectText("deleted key 1002");

	await con.press("filter");
	await con.expectText(/\/public-npm█/);
	await con.press("back");
	await con.expectText("1 of 3");
	await con.press("logs-all");
	await con.expectText("All requests");
	await con.press("filter");
	await con.expectText("status:4xx method:post");
	await con.type("status:403");
	await con.expectText(/\/status:403█/);
	await con.press("next");
	// The label changes at once; the rows once the query is back (no "working…" in the header).
	await con.expectText(/^(?![\s\S]*working…)[\s\S]*filter: status:403/);
	assert.doesNotMatch(await con.frame(), / 200 /);
	await con.press("filter");
	await con.expectText(/█/);
	await con.press("back");
	await con.expectText(/All requests *\n/);
	await con.press("open");
	await con.expectText(/Response body:\n {2}\{\n {4}"releases": \[\]/);
	await con.press("back");
	await con.expectText("All requests");
	await con.press("back");
	await con.expectText(/3 of 3|1 of 3/);

	con.size(30, 8);
	await con.expectText("terminal too small");
	con.size(100, 30);
	await con.expectText("apikeys-tui store");
	await con.press("quit");
	assert.equal(await con.expectExit(), 0);
	assert.equal(await con.terminal.onAlternateScreen(), false);
	assert.equal((await con.frame()).trimEnd(), promptLine, "the primary screen is back, untouched");

	const check = LocalStore.open(db);
	const keys = await check.listKeys();
	await check.close();
	assert.deepEqual(keys.map((k) => [k.id, k.type, k.displayName]), [
		[1000, "system", "Existing scanner"],
		[1001, "system", "e2e system"],
		[1003, "personal", "e2e personal"],
	]);
});

test("inside tmux, copying a new key with OSC 52: nothing is sent that tmux drops; with allow-passthrough on, the terminal outside gets it", async (t) => {
	const db = tempDbPath(t);
	await LocalStore.open(db).close();
	const con = openConsole(t, [`--db=${db}`], { inTmux: true });
	await con.expectText("No API keys yet");
	// What the program itself writes, before tmux takes it.
	const written = join(tempDir(t), "pane-output");
	con.tmux("pipe-pane", "-o", `cat >> '${written}'`);
	const programOutput = () => (existsSync(written) ? readFileSync(written, "latin1") : "");
	const key = await con.wizard.create({ type: "system", name: "copied in tmux" });
	const encoded = Buffer.from(key).toString("base64");
	await con.press("copy");
	await con.expectText("not copied: tmux drops OSC 52 here");
	assert.ok(!programOutput().includes(encoded), "nothing sent that tmux drops (allow-passthrough is off by default)");
	con.tmux("set", "-g", "allow-passthrough", "on");
	await con.press("copy");
	await con.expectText("sent through tmux as OSC 52");
	await con.expectText(() => programOutput().includes(`\u001bPtmux;\u001b\u001b]52;c;${encoded}\u0007\u001b\\`));
	// tmux unwraps it and writes the OSC 52 to the terminal it runs in.
	await con.expectText(() => con.terminal.output().includes(`\u001b]52;c;${encoded}\u0007`));
});

test("in a real terminal, on a remote instance: create, edit, delete, browse logs", async (t) => {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const { key } = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin" }, { actor: "setup" });
	await store.close();
	const server = await startServer(db);
	t.after(async () => {
		if (server.process.exitCode === null) await server.stop();
	});
	const con = openConsole(t, [`--source=${server.url}`], { env: { APIKEYS_TUI_API_KEY: key } });
	await con.expectText(/remote http:\/\/127\.0\.0\.1:\d+/);
	await con.expectText("1 of 1");
	await con.wizard.create({ type: "feed", feeds: { group: "prod" }, name: "remote feed" });
	await leaveSecret(con);
	await con.expectText("2 of 2");
	await editLogging(con, 1001, "request bodies");
	await con.press("logs-all");
	await con.expectText("All requests");
	await con.press("follow");
	await con.expectText("All requests · following");
	// The update's log entry, followed live.
	await con.expectText(/POST +200 .*\/api\/api-keys\/update\?id=1001/);
	await con.press("back");
	await con.expectText("2 of 2");
	await con.press("delete");
	await con.expectText("Delete key 1001 (remote feed)?");
	await con.press("confirm-yes");
	await con.expectText("deleted key 1001");
	await con.press("quit");
	assert.equal(await con.expectExit(), 0);
	const check = LocalStore.open(db);
	assert.deepEqual((await check.listKeys()).map((k) => k.id), [1000]);
	const [updateEntry] = (await check.queryAccessLog({ method: "POST", pathPrefix: "/api/api-keys/update" }, { limit: 1 })).entries;
	assert.equal(updateEntry?.status, 200);
	await check.close();
});

test("in a real terminal, colours stay on their text: the selection to its row's end, a disabled key red, headings bold, hints muted", async (t) => {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	await store.createKey({ type: "system", systemApis: ["sca"], displayName: "Selected key" }, { actor: "setup" });
	const disabled = await store.createKey({ type: "personal", user: "bob", displayName: "Disabled key" }, { actor: "setup" });
	await store.setEnabled(disabled.record.id, false, "setup");
	await store.createKey({ type: "personal", user: "carol", displayName: "Plain key" }, { actor: "setup" });
	await store.close();
	const con = openConsole(t, [`--db=${db}`]);
	await con.expectText((frame) => /1 of 3/.test(frame) && /Plain key/.test(frame));
	const lines = (await con.frame()).split("\n");
	const styles = await con.terminal.styles();
	const rowOf = (text: string) => lines.findIndex((line) => line.includes(text));
	const looks = (row: number, from: number, to: number) => new Set((styles[row] ?? []).slice(from, to));
	const textEnd = (row: number) => (lines[row] ?? "").length;

	const selected = rowOf("Selected key");
	assert.deepEqual([...looks(selected, 0, textEnd(selected))], ["inverse"], "the whole selected row is inverse");
	assert.ok(![...looks(selected, textEnd(selected), 100)].some((look) => look.includes("inverse")), "and nothing after it");
	const disabledRow = rowOf("Disabled key");
	assert.deepEqual([...looks(disabledRow, 2, textEnd(disabledRow))], ["fg 1"], "a disabled key is red");
	const plain = rowOf("Plain key");
	assert.deepEqual([...looks(plain, 0, 100)], [""], "the row after it is plain: no colour leaks on");
	const heading = rowOf("NAME");
	assert.deepEqual([...looks(heading, 2, textEnd(heading))], ["bold"]);
	assert.deepEqual([...looks(selected, 0, 1)], ["inverse"], "not bold: the heading's bold ends with it");
	const hints = rowOf("Enter open");
	const hintLooks = new Set((styles[hints] ?? []).filter((_, x) => (lines[hints] ?? "")[x] !== " " && x < textEnd(hints)));
	assert.deepEqual([...hintLooks], ["fg 8"], "the key hints are muted");
});
