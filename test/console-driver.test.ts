/** The end-to-end driver itself: keys from the binding table, screens told apart as a user sees them, the wizard, the end. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { keyHint } from "../source/core/secret.js";
import { LocalStore } from "../source/store/local-store.js";
import type { Command, Screen } from "../source/ui/keys/bindings.js";
import { accessEntry } from "./support/access-entry.js";
import { openConsole } from "./support/console-driver.js";
import { keyBytes, keyFor } from "./support/console-keys.js";
import { tempDbPath } from "./support/temp-store.js";

test("a command's key is the binding table's for the screen; a command not bound there fails by name", () => {
	assert.equal(keyFor("delete", "list"), "d");
	assert.equal(keyFor("confirm-no", "confirm"), "n");
	assert.equal(keyFor("back", "field"), "esc");
	assert.throws(() => keyFor("delete", "confirm"), /"delete" is not bound on the confirm screen/);
	assert.deepEqual(["enter", "esc", "ctrl+r", "shift+tab", "pagedown", "G", "?"].map(keyBytes), ["\r", "\u001b", "\u0012", "\u001b[Z", "\u001b[6~", "G", "?"]);
	assert.throws(() => keyBytes("f13"), /no terminal bytes known for the key "f13"/);
});

async function storeWithAKeyAndARequest(db: string): Promise<void> {
	const store = LocalStore.open(db);
	await store.createKey({ type: "system", systemApis: ["sca"], displayName: "Scanner" }, { actor: "setup" });
	store.logAccess(accessEntry({ at: Date.now(), keyId: 1000, path: "/api/sca/releases" }));
	store.flushAccessLog();
	await store.close();
}

test("in a real terminal, every screen is told apart as it is reached by commands", async (t) => {
	const db = tempDbPath(t);
	await storeWithAKeyAndARequest(db);
	const con = openConsole(t, [`--db=${db}`]);
	await con.expectScreen("list");
	const walk: Array<[Command, Screen]> = [
		["help", "help"],
		["back", "list"],
		["open", "detail"],
		["delete", "confirm"],
		["confirm-no", "detail"],
		["logs-for-key", "logs"],
		["open", "entry"],
		["back", "logs"],
		["filter", "field"],
		["back", "logs"],
		["back", "detail"],
		["back", "list"],
		["filter", "field"],
		["back", "list"],
		["settings", "settings"],
		["down", "settings"],
		["change-setting", "field"],
		["back", "settings"],
		["back", "list"],
		["create", "create"],
	];
	for (const [command, screen] of walk) {
		await con.press(command);
		await con.expectScreen(screen);
	}
	await con.wizard.cancel();
	await con.expectText("nothing was created");
	assert.equal(await con.screen(), "list");
	await assert.rejects(con.press("confirm-yes"), /"confirm-yes" is not bound on the list screen/);
	await assert.rejects(con.expectScreen("confirm", 300), /did not show the confirm screen within 0.3 s; the screen \(list\) was:\n.*apikeys-tui store/);
});

test("the wizard creates a key from a few values and gives back the secret it shows, generated or typed", async (t) => {
	const db = tempDbPath(t);
	await LocalStore.open(db).close();
	const con = openConsole(t, [`--db=${db}`]);
	await con.expectScreen("list");
	const generated = await con.wizard.create({ type: "feed", name: "npm reader", feeds: { feed: "npm" }, permissions: ["View/Download"], expiration: "30 days" });
	assert.match(generated, /^[0-9a-f]{40}$/);
	await con.press("leave-secret");
	await con.expectText("Have you saved the key?");
	await con.press("saved-secret");
	await con.expectScreen("list");
	const custom = await con.wizard.create({ type: "personal", user: "alice", key: "a-custom-key-typed-by-hand", logging: "both" });
	assert.equal(custom, "a-custom-key-typed-by-hand");
	const store = LocalStore.open(db);
	const [feed, personal] = await store.listKeys();
	await store.close();
	assert.deepEqual(
		[feed?.displayName, feed?.feed, feed?.packagePermissions, feed?.hint, personal?.user, personal?.logging, personal?.hint],
		["npm reader", "npm", ["view"], keyHint(generated), "alice", "both", keyHint(custom)],
	);
});

test("close ends the console by its process id; one inside tmux ends with its tmux server when its test ends", async (t) => {
	const db = tempDbPath(t);
	await LocalStore.open(db).close();
	const gone = (pid: number) => {
		try {
			process.kill(pid, 0);
			return false;
		} catch {
			return true;
		}
	};
	const alone = openConsole(t, [`--db=${db}`]);
	await alone.expectText("No API keys yet");
	await alone.close();
	assert.ok(gone(alone.terminal.pid), "the console is still running");

	let left: Array<[string, number]> = [];
	await t.test("a console inside tmux, left to the end of its test", async (inner) => {
		const inTmux = openConsole(inner, [`--db=${db}`], { inTmux: true });
		await inTmux.expectText("No API keys yet");
		left = [
			["the tmux client", inTmux.terminal.pid],
			["the tmux server", Number(inTmux.tmux("display-message", "-p", "#{pid}").trim())],
		];
	});
	// A server ends a moment after its signal: waited for, bounded.
	for (const [what, pid] of left) {
		for (let i = 0; i < 100 && !gone(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
		assert.ok(gone(pid), `${what} is still running`);
	}
});
