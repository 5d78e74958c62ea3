import assert from "node:assert/strict";
import { test } from "node:test";
import { LocalStore } from "../source/store/local-store.js";
import { accessEntry } from "./support/access-entry.js";
import { openPty } from "./support/pty-terminal.js";
import { startServer } from "./support/server-process.js";
import { tempDbPath } from "./support/temp-store.js";
import { startInTmux, type Terminal } from "./support/tmux.js";

async function wizardThrough(term: Terminal, steps: [string, RegExp][]): Promise<string> {
	for (const [input, next] of steps) {
		if (input.startsWith("text:")) term.text(input.slice(5));
		else term.key(input);
		await term.waitFor(next);
	}
	return term.screen();
}

test("in a real terminal: create each type, copy with OSC 52, edit, disable, delete, logs, resize, quit", async (t) => {
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

	const term = startInTmux(t, [`--db=${db}`], { env: { SSH_CONNECTION: "10.0.0.2 5555 10.0.0.1 22" } });
	await term.waitFor(/1 of 1/, "the key list");

	let screen = await wizardThrough(term, [
		["n", /Key type/],
		["Enter", /APIs/],
		["Space", /\[x\] Full Control/],
		["Enter", /step \d+ of \d+: Name/],
		["text:e2e system", /e2e system█/],
		["Enter", /Description/],
		["Enter", /Expires/],
		["Enter", /Body logging/],
		["Enter", /Key text/],
		["Enter", /Review/],
		["Enter", /This is the only time/],
	]);
	const key = /\b([0-9a-f]{40})\b/.exec(screen)?.[1];
	assert.ok(key, "the new key is on the screen");
	term.key("y");
	await term.waitFor(/not copied: tmux drops OSC 52 here/);
	assert.ok(!term.output().includes(Buffer.from(key).toString("base64")), "nothing sent that tmux drops (allow-passthrough is off by default)");
	term.tmux("set", "-g", "allow-passthrough", "on");
	term.key("y");
	await term.waitFor(/sent through tmux as OSC 52/);
	const deadline = Date.now() + 5000;
	while (!term.output().includes(Buffer.from(key).toString("base64")) && Date.now() < deadline) {
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	assert.match(term.output(), new RegExp(`\\u001bPtmux;\\u001b\\u001b\\]52;c;${Buffer.from(key).toString("base64")}\\u0007\\u001b\\\\`));
	await wizardThrough(term, [
		["Enter", /Have you saved the key/],
		["Y", /e2e system/],
	]);

	await wizardThrough(term, [
		["n", /Key type/],
		["j", /› Feed/],
		["Enter", /Which feeds/],
		["Enter", /Feed name/],
		["text:public-npm", /public-npm█/],
		["Enter", /Package permissions/],
		["Enter", /: Name/],
		["text:e2e feed", /e2e feed█/],
		["Enter", /Description/],
		["Enter", /Expires/],
		["Enter", /Body logging/],
		["Enter", /Key text/],
		["Enter", /Review/],
		["Enter", /This is the only time/],
		["Enter", /Have you saved/],
		["Y", /e2e feed/],
	]);
	await wizardThrough(term, [
		["n", /Key type/],
		["j", /› Feed/],
		["j", /› Personal/],
		["Enter", /User the key acts as/],
		["text:alice", /alice█/],
		["Enter", /: Name/],
		["text:e2e personal", /e2e personal█/],
		["Enter", /Description/],
		["Enter", /Expires/],
		["Enter", /Body logging/],
		["Enter", /Key text/],
		["Enter", /Review/],
		["Enter", /This is the only time/],
		["Enter", /Have you saved/],
		["Y", /4 of 4/],
	]);
	screen = term.screen();
	assert.match(screen, /e2e personal +personal +user alice/);

	await wizardThrough(term, [
		["/", /\/█/],
		["text:public-npm", /1 of 1/],
		["Enter", /filter: public-npm/],
		["e", /Edit key 1002: choose a field to change/],
		["G", /› Save the changes/],
		["k", /›.Body logging/],
		["Enter", /step \d+ of \d+: Body logging/],
		["text:jjj", /› both/],
		["Enter", /\*Body logging +both {2}\(changed\)/],
		["G", /› Save the changes/],
		["Enter", /key 1002 updated: Body logging/],
	]);
	assert.match(term.screen(), /e2e feed .* both/);
	await wizardThrough(term, [
		["x", /key 1002 disabled/],
		["d", /Delete key 1002 \(e2e feed\)\?/],
		["y", /deleted key 1002/],
	]);

	await wizardThrough(term, [
		["/", /\/public-npm█/],
		["Escape", /1 of 3/],
		["L", /All requests/],
		["/", /status:4xx method:post/],
		["text:status:403", /\/status:403█/],
		// The label changes at once; the rows once the query is back (no "working…" in the header).
		["Enter", /^(?![\s\S]*working…)[\s\S]*filter: status:403/],
	]);
	assert.doesNotMatch(term.screen(), / 200 /);
	await wizardThrough(term, [
		["/", /█/],
		["Escape", /All requests  \n|All requests *\n/],
		["Enter", /Response body:\n {2}\{\n {4}"releases": \[\]/],
		["Escape", /All requests/],
		["Escape", /3 of 3|1 of 3/],
	]);

	term.resize(30, 8);
	await term.waitFor(/terminal too small/);
	term.resize(100, 30);
	await term.waitFor(/apikeys-tui store/);
	term.key("q");
	screen = await term.waitFor(/\[exit 0\]/);
	assert.match(screen, /before-the-console\n\[exit 0\]/, "the primary screen is back, untouched");

	const check = LocalStore.open(db);
	const keys = await check.listKeys();
	await check.close();
	assert.deepEqual(keys.map((k) => [k.id, k.type, k.displayName]), [
		[1000, "system", "Existing scanner"],
		[1001, "system", "e2e system"],
		[1003, "personal", "e2e personal"],
	]);
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
	const term = startInTmux(t, [`--source=${server.url}`], { env: { APIKEYS_TUI_API_KEY: key } });
	await term.waitFor(/remote http:\/\/127\.0\.0\.1:\d+/);
	await term.waitFor(/1 of 1/);
	await wizardThrough(term, [
		["n", /Key type/],
		["j", /› Feed/],
		["Enter", /Which feeds/],
		["j", /› one feed group/],
		["Enter", /Feed group name/],
		["text:prod", /prod█/],
		["Enter", /Package permissions/],
		["Enter", /: Name/],
		["text:remote feed", /remote feed█/],
		["Enter", /Description/],
		["Enter", /Expires/],
		["Enter", /Body logging/],
		["Enter", /Key text/],
		["Enter", /Review/],
		["Enter", /This is the only time/],
		["Enter", /Have you saved/],
		["Y", /2 of 2/],
		["e", /Edit key 1001: choose a field to change/],
		["G", /› Save the changes/],
		["k", /›.Body logging/],
		["Enter", /step \d+ of \d+: Body logging/],
		["j", /› request bodies/],
		["Enter", /\(changed\)/],
		["G", /› Save the changes/],
		["Enter", /key 1001 updated: Body logging/],
		["L", /All requests/],
		["f", /All requests · following/],
	]);
	await term.waitFor(/POST +200 .*\/api\/api-keys\/update\?id=1001/, "the update's log entry, followed live");
	await wizardThrough(term, [
		["Escape", /2 of 2/],
		["d", /Delete key 1001 \(remote feed\)\?/],
		["y", /deleted key 1001/],
		["q", /\[exit 0\]/],
	]);
	const check = LocalStore.open(db);
	assert.deepEqual((await check.listKeys()).map((k) => k.id), [1000]);
	const [updateEntry] = (await check.queryAccessLog({ method: "POST", pathPrefix: "/api/api-keys/update" }, { limit: 1 })).entries;
	assert.equal(updateEntry?.status, 200);
	await check.close();
});

test("a dropped SSH session (SIGHUP) in the middle of the wizard: terminal restored, nothing half-written", async (t) => {
	const db = tempDbPath(t);
	await LocalStore.open(db).close();
	const term = startInTmux(t, [`--db=${db}`]);
	await term.waitFor(/No API keys yet/);
	await wizardThrough(term, [
		["n", /Key type/],
		["Enter", /APIs/],
		["Space", /\[x\] Full Control/],
		["Enter", /: Name/],
		["text:half", /half█/],
	]);
	process.kill(term.programPid(), "SIGHUP");
	const screen = await term.waitFor(/\[exit \d+\]/);
	assert.match(screen, /before-the-console\n\[exit 0\]/);
	const store = LocalStore.open(db);
	assert.deepEqual(await store.listKeys(), []);
	await store.close();
});

test("in a real terminal, colours stay on their text: the selection to its row's end, a disabled key red, headings bold, hints muted", async (t) => {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	await store.createKey({ type: "system", systemApis: ["sca"], displayName: "Selected key" }, { actor: "setup" });
	const disabled = await store.createKey({ type: "personal", user: "bob", displayName: "Disabled key" }, { actor: "setup" });
	await store.setEnabled(disabled.record.id, false, "setup");
	await store.createKey({ type: "personal", user: "carol", displayName: "Plain key" }, { actor: "setup" });
	await store.close();
	const term = openPty(["dist/cli.js", `--db=${db}`], { columns: 100, rows: 30 });
	t.after(() => term.close());
	await term.waitFor((screen) => /1 of 3/.test(screen) && /Plain key/.test(screen));
	const lines = (await term.screen()).split("\n");
	const styles = await term.styles();
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
