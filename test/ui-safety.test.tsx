import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import { act } from "react";
import { RemoteBackend } from "../source/remote/remote-backend.js";
import { LocalStore } from "../source/store/local-store.js";
import { bindings } from "../source/ui/keys/bindings.js";
import { type Harness, keys, mountConsole } from "./support/console-harness.js";
import { legacyKey } from "./support/console-setups.js";
import { startServer } from "./support/server-process.js";
import { tempDbPath } from "./support/temp-store.js";

async function threeKeys(store: LocalStore): Promise<void> {
	await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "Admin key" }, { actor: "setup" });
	await store.createKey({ type: "feed", packagePermissions: ["view", "add"], feed: "npm", displayName: "CI npm" }, { actor: "setup" });
	await store.createKey({ type: "personal", user: "alice", displayName: "Alice laptop" }, { actor: "setup" });
}

describe("read-only, decided from the binding table", () => {
	test("a store setting cannot be changed with --readonly, and nothing is recorded", async (t) => {
		const ui = await mountConsole(t, { readOnly: true, setup: threeKeys });
		await ui.press("o");
		assert.match(ui.frame(), /custom-keys-allowed +true/);
		await ui.press(keys.enter);
		assert.match(ui.frame(), /read-only \(started with --readonly\)/);
		await ui.press(keys.space);
		assert.match(ui.frame(), /read-only \(started with --readonly\)/);
		assert.equal((await ui.store.getSettings()).customKeysAllowed, true);
	});

	test("every binding marked as changing the store is refused in read-only mode", async (t) => {
		const ui = await mountConsole(t, { readOnly: true, setup: threeKeys });
		for (const binding of bindings.filter((b) => b.mutates)) {
			assert.match(ui.model.disabledReason(binding.command) ?? "", /read-only/, binding.command);
		}
		assert.equal(ui.model.disabledReason("open"), undefined);
	});
});

describe("roll and convert ask first, defaulting to No", () => {
	test("R asks; Enter keeps the secret; y rolls it; R is in the detail footer", async (t) => {
		let secret = "";
		const ui = await mountConsole(t, {
			columns: 120,
			setup: async (store) => {
				secret = (await store.createKey({ type: "system", systemApis: ["sca"], displayName: "Scanner" }, { actor: "setup" })).key;
			},
		});
		await ui.press(keys.enter);
		assert.match(ui.frame(), /R roll/, "in the detail footer");
		await ui.press("R");
		assert.match(ui.frame(), /Roll key 1000 \(Scanner\)\?/);
		assert.match(ui.frame(), /y: yes, roll · n, Esc or Enter: no \(the default\)/);
		await ui.press(keys.enter);
		assert.match(ui.frame(), /nothing was changed/);
		assert.equal(ui.store.verifyNow(secret, { kind: "any" }).outcome, "valid");
		await ui.press("R", "y");
		assert.match(ui.frame(), /New secret for key 1000/);
		assert.notEqual(ui.store.verifyNow(secret, { kind: "any" }).outcome, "valid");
	});

	test("C asks; Esc leaves the legacy key as it was; y converts it", async (t) => {
		const ui = await mountConsole(t, { setup: legacyKey });
		await ui.press("C");
		assert.match(ui.frame(), /Convert key 1000 \(Old\)/);
		await ui.press(keys.escape);
		assert.equal((await ui.store.getKey(1000))?.type, "other");
		await ui.press("C", "y");
		assert.match(ui.frame(), /key 1000 is now a system key/);
		assert.equal((await ui.store.getKey(1000))?.type, "system");
	});
});

describe("Ctrl-C in the wizard", () => {
	test("with typed values it asks; any other key stays, with the values; y quits", async (t) => {
		const ui = await mountConsole(t);
		await ui.press("n", keys.enter, keys.space, keys.enter);
		await ui.type("Half done");
		await ui.press("\u0003");
		assert.equal(ui.quits(), 0);
		assert.match(ui.frame(), /Quit and lose what you typed\?/);
		await ui.press("n");
		assert.match(ui.frame(), /Half done█/, "back in the wizard, nothing lost and the n not typed");
		await ui.press("\u0003", "y");
		assert.equal(ui.quits(), 1);
	});

	test("q or Ctrl-C in the help overlay opened from the wizard asks as well, back in the wizard", async (t) => {
		const ui = await mountConsole(t);
		await ui.press("n", keys.enter, keys.space);
		await ui.press("?");
		assert.match(ui.frame(), /Keys on this screen/);
		await ui.press("q");
		assert.equal(ui.quits(), 0, "what was chosen is not dropped at one key");
		assert.match(ui.frame(), /Quit and lose what you typed\?/);
		await ui.press("n");
		assert.match(ui.frame(), /› \[x\] Full Control/, "back in the wizard, the choice kept");
		await ui.press("?", "\u0003", "y");
		assert.equal(ui.quits(), 1);
	});

	test("with nothing typed it quits at once, and q in the list still quits at once", async (t) => {
		const ui = await mountConsole(t);
		await ui.press("n", "\u0003");
		assert.equal(ui.quits(), 1);
		await ui.press(keys.escape, "q");
		assert.equal(ui.quits(), 2);
	});
});

describe("the bulk-delete question", () => {
	test("names the first few marked keys, then says how many more", async (t) => {
		const ui = await mountConsole(t, {
			setup: async (store) => {
				for (let i = 0; i < 6; i++) await store.createKey({ type: "personal", user: `u${i}`, displayName: `Laptop ${i}` }, { actor: "setup" });
			},
		});
		await ui.press(keys.space, keys.space, keys.space, keys.space, keys.space, "d");
		const question = ui.frame().split("\n").map((line) => line.trim()).join(" ");
		assert.match(question, /Delete 5 marked keys: key 1000 \(Laptop 0\), key 1001 \(Laptop 1\), key 1002 \(Laptop 2\) and 2 more\?/);
		await ui.press("n");
		assert.equal((await ui.store.listKeys()).length, 6);
	});
});

describe("the key the console itself uses, on a remote serve", () => {
	test("deleting or disabling it warns in the question; another key's question does not", async (t) => {
		const db = tempDbPath(t);
		const store = LocalStore.open(db);
		const { key } = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "Console admin" }, { actor: "setup" });
		await store.createKey({ type: "personal", user: "alice", displayName: "Alice laptop" }, { actor: "setup" });
		await store.close();
		const server = await startServer(db);
		t.after(() => server.stop());
		const backend = await RemoteBackend.connect(server.url, { credentials: { apiKey: key }, discover: true });
		const ui = await mountConsole(t, { backend });
		// `serve` pages: the first frame comes before the list's index, and keys wait for it.
		await act(() => ui.model.whenIndexed());
		assert.match(ui.frame(), /› +1000 +Console admin/);
		const flat = () => ui.frame().split("\n").map((line) => line.trim()).join(" ");
		await ui.press("d");
		const ownWarning = /Key 1000 is the key this console signs in with: the console loses access to http/;
		assert.match(flat(), /Delete key 1000 \(Console admin\)\? Whatever uses it stops working\./);
		assert.match(flat(), ownWarning);
		await ui.press(keys.enter, "x");
		assert.match(flat(), /Disable key 1000 \(Console admin\)\? Key 1000 is the key this console signs in with/);
		await ui.press("n");
		assert.equal((await backend.getKey(1000))?.enabled, true);
		await ui.press("j", "d");
		assert.match(flat(), /Delete key 1001 \(Alice laptop\)\?/);
		assert.doesNotMatch(flat(), /signs in with/);
		await ui.press(keys.escape, "x");
		// The remote call is answered over HTTP: wait for it (a bound on rounds, not on time).
		for (let round = 0; round < 1000 && !/key 1001 disabled/.test(flat()); round++) {
			await new Promise((resolve) => setTimeout(resolve, 10));
			await ui.press("");
		}
		assert.match(flat(), /key 1001 disabled/, "another key is disabled at once, as before");
	});
});

/** The console on a real `serve` signed in with its one key, and a way to stop that server mid-test. */
async function consoleOnServe(t: TestContext): Promise<{ ui: Harness; stopServer: () => Promise<void> }> {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const { key } = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "Console admin" }, { actor: "setup" });
	await store.close();
	const server = await startServer(db);
	let stopped = false;
	t.after(() => (stopped ? undefined : server.stop()));
	const backend = await RemoteBackend.connect(server.url, { credentials: { apiKey: key }, discover: true });
	const ui = await mountConsole(t, { backend });
	await act(() => ui.model.whenIndexed());
	const stopServer = async () => {
		stopped = true;
		await server.stop();
	};
	return { ui, stopServer };
}

/** Until the frame matches, in short pauses (a bounded number: no time is asserted). */
async function frameShows(ui: Harness, pattern: RegExp): Promise<void> {
	for (let i = 0; i < 50 && !pattern.test(ui.frame()); i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe("a remote instance that goes down", () => {
	test("on the key's detail, Ctrl-R and the next key say the server is down; the console keeps running", async (t) => {
		// What the console leaves unanswered would stop it (run-console ends on an unhandled rejection).
		const unhandled: unknown[] = [];
		const hear = (reason: unknown) => unhandled.push(reason);
		process.on("unhandledRejection", hear);
		t.after(() => process.off("unhandledRejection", hear));
		const { ui, stopServer } = await consoleOnServe(t);
		await ui.press(keys.enter);
		assert.match(ui.frame(), /Key 1000 · Console admin/);
		await stopServer();
		// A retry fails with a message of two lines, which takes a row from the list; the next key
		// clears it and gives the row back: each time the list's rows are read again, and fail.
		await ui.press("\u0012");
		await frameShows(ui, /Ctrl-R\s+retries/);
		assert.match(ui.frame(), /connection refused/);
		await ui.press("j");
		await frameShows(ui, /connection refused/);
		await ui.press(keys.escape);
		await frameShows(ui, /connection refused/);
		assert.deepEqual(unhandled.map((e) => (e as Error).message), [], "every failure is answered on the message line");
	});

	test("a key opened while the server is down shows no empty audit trail or requests: they were not read", async (t) => {
		const { ui, stopServer } = await consoleOnServe(t);
		await stopServer();
		await ui.press(keys.enter);
		await frameShows(ui, /connection refused/);
		assert.match(ui.frame(), /Key 1000 · Console admin/);
		assert.match(ui.frame(), /connection refused/);
		assert.doesNotMatch(ui.frame(), /\(nothing recorded\)|Recent requests:\n {2}\(none\)/, "what was not read is not shown empty");
		assert.match(ui.frame(), /Audit trail:\n {2}\(not read\)/);
	});
});
