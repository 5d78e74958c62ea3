import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { LocalStore } from "../source/store/local-store.js";
import { bindingsFor } from "../source/ui/keys/bindings.js";
import { accessEntry } from "./support/access-entry.js";
import { keys, mountConsole } from "./support/console-harness.js";

async function twoKeys(store: LocalStore): Promise<void> {
	await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "Admin key" }, { actor: "setup" });
	await store.createKey({ type: "personal", user: "alice", displayName: "Alice laptop" }, { actor: "setup" });
}

describe("keys as they arrive", () => {
	test("Esc and a letter in one read are Esc, then the letter", async (t) => {
		const ui = await mountConsole(t, { setup: twoKeys });
		await ui.press(keys.enter);
		assert.match(ui.frame(), /Key 1000/);
		await ui.press("\u001bj");
		assert.match(ui.frame(), /› +1001 +Alice laptop/, "back in the list, then down");
		await ui.press(keys.enter, "\u001bG");
		assert.match(ui.frame(), /› +1001 +Alice laptop/);
		assert.match(ui.frame(), /2 of 2/);
		await ui.press("n", keys.enter, "\u001b\u001b");
		assert.match(ui.frame(), /nothing was created/, "two Escs in one read are two: back a step, then out");
	});

	test("select lists stop at their ends instead of wrapping", async (t) => {
		const ui = await mountConsole(t);
		await ui.press("n");
		assert.match(ui.frame(), /› System/);
		await ui.press("k");
		assert.match(ui.frame(), /› System/, "up from the first stays on it");
		await ui.press("jjjjjjjjjj");
		const last = /› (\w+)/.exec(ui.frame())?.[1];
		await ui.press("j");
		assert.equal(/› (\w+)/.exec(ui.frame())?.[1], last, "down from the last stays on it");
	});

	test("? inside the wizard shows its keys, and Esc returns to the same step", async (t) => {
		const ui = await mountConsole(t);
		await ui.press("n", keys.enter);
		assert.match(ui.frame(), /APIs/);
		await ui.press("?");
		assert.match(ui.frame(), /Keys on this screen/);
		assert.match(ui.frame(), /Space +choose/);
		await ui.press(keys.escape);
		assert.match(ui.frame(), /step 2 of \d+: APIs/);
	});

	test("the log entry has its own footer: no open, filter or follow that it does not do", async (t) => {
		const ui = await mountConsole(t, {
			setup: async (store) => {
				store.logAccess(accessEntry({ at: Date.now(), path: "/api/x" }));
				store.flushAccessLog();
			},
		});
		await ui.press("L");
		assert.match(ui.frame(), /f follow/);
		await ui.press(keys.enter);
		assert.match(ui.frame(), /Request body/);
		const footer = ui.frame().split("\n").at(-1) ?? "";
		assert.doesNotMatch(footer, /open|filter|follow/);
		assert.match(footer, /Esc back/);
		assert.match(footer, /q quit/);
	});
});

describe("the help overlay", () => {
	for (const [columns, rows] of [
		[80, 24],
		[40, 10],
	] as const) {
		test(`at ${columns}x${rows}: every key's label whole (wrapped under itself, scrolled), none cut`, async (t) => {
			const ui = await mountConsole(t, { columns, rows });
			await ui.press("?");
			const seen: string[] = [];
			for (let i = 0; i < 40; i++) {
				const body = ui.frame().split("\n").slice(2, -2);
				seen.push(...body);
				await ui.press("j");
			}
			for (const line of seen) {
				assert.doesNotMatch(line, /…/, `cut: ${line}`);
				assert.doesNotMatch(line, /^ \S/, `a wrapped line starting with a space: ${line}`);
			}
			const text = seen.join(" ").replace(/\s+/g, " ");
			for (const label of bindingsFor("list").map((b) => b.label)) assert.ok(text.includes(label), `${label} in:\n${seen.join("\n")}`);
		});
	}
});
