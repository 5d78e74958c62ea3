import assert from "node:assert/strict";
import { test } from "node:test";
import { keys, mountConsole } from "./support/console-harness.js";

test("from the detail screen: change one field and come back; the review marks it; the audit says old → new", async (t) => {
	const ui = await mountConsole(t, {
		setup: async (store) => {
			await store.createKey({ type: "feed", packagePermissions: ["view"], feed: "npm", displayName: "CI" }, { actor: "setup" });
		},
	});
	await ui.press(keys.enter, "e");
	assert.match(ui.frame(), /Edit key 1000: choose a field to change/);
	assert.match(ui.frame(), /› Feeds +one feed/);
	assert.doesNotMatch(ui.frame(), /changed/, "nothing changed yet");
	await ui.press("jjj", keys.enter);
	assert.match(ui.frame(), /: Name/);
	await ui.press("\u0005");
	await ui.type(" npm");
	await ui.press(keys.enter);
	assert.match(ui.frame(), /›\*Name +CI npm {2}\(changed\)/, "straight back to the picker, on the field");
	assert.match(ui.frame(), / {2}Description +\(none\)\n/, "the others unmarked");
	// A choice that opens a step of its own goes through it before coming back.
	await ui.press("ggg".replace(/g/g, "k"), keys.enter, "j", keys.enter);
	assert.match(ui.frame(), /Feed group name/);
	await ui.type("-group");
	await ui.press(keys.escape);
	assert.match(ui.frame(), /choose a field to change/, "Esc in a field returns to the picker");
	await ui.press("G", keys.enter);
	assert.match(ui.frame(), /key 1000 updated: Feeds, Feed group, Name/);
	assert.match(ui.frame(), /Key 1000 · CI npm/, "back on the detail screen");
	const record = await ui.store.getKey(1000);
	assert.equal(record?.displayName, "CI npm");
	assert.equal(record?.feedGroup, "npm-group");
	await ui.press("G");
	assert.match(ui.frame(), /update +tester \(console\)\n +name: "CI" → "CI npm"/);
	assert.match(ui.frame(), /feed: "npm" → \(none\)/);
	assert.match(ui.frame(), /feed group: \(none\) → "npm-group"/);
});

test("saving with nothing changed changes nothing and records nothing", async (t) => {
	const ui = await mountConsole(t, {
		setup: async (store) => {
			await store.createKey({ type: "system", systemApis: ["sca"], displayName: "Scanner" }, { actor: "setup" });
		},
	});
	await ui.press("e", "G", keys.enter);
	assert.match(ui.frame(), /nothing was changed/);
	assert.equal((await ui.store.auditTrail(1000)).filter((entry) => entry.action === "update").length, 0);
});

test("changing a kept expiry date: the first key typed replaces the stored date, as a setting's value is replaced", async (t) => {
	const ui = await mountConsole(t, {
		setup: async (store) => {
			await store.createKey({ type: "system", systemApis: ["sca"], displayName: "Scanner", expiration: "2031-01-01" }, { actor: "setup" });
		},
	});
	await ui.press(keys.enter, "e");
	assert.match(ui.frame(), /Expires +2031-01-01\n/);
	await ui.press("jjj", keys.enter, "G", keys.enter);
	assert.match(ui.frame(), /Expiration date/);
	await ui.type("2031-02-01");
	assert.match(ui.frame(), / {2}2031-02-01█/, "typed over, not appended to the stored text");
	await ui.press(keys.enter);
	assert.match(ui.frame(), /›\*Expires +2031-02-01 {2}\(changed\)/);
});

test("the detail names body logging as the wizard and its review do", async (t) => {
	const ui = await mountConsole(t, {
		setup: async (store) => {
			await store.createKey({ type: "system", systemApis: ["sca"], displayName: "Scanner", logging: "request" }, { actor: "setup" });
		},
	});
	await ui.press(keys.enter);
	assert.match(ui.frame(), /\nBody logging: request bodies\n/);
	await ui.press("e");
	assert.match(ui.frame(), / {2}Body logging {2}request bodies\n/);
});
