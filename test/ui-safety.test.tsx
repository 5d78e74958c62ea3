import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { LocalStore } from "../source/store/local-store.js";
import { bindings } from "../source/ui/keys/bindings.js";
import { keys, mountConsole } from "./support/console-harness.js";

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
