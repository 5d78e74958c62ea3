import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseExpiration } from "../source/core/expiration.js";
import type { LocalStore } from "../source/store/local-store.js";
import { hintText } from "../source/ui/format/footer-hints.js";
import { bindings } from "../source/ui/keys/bindings.js";
import { accessEntry } from "./support/access-entry.js";
import { keys, mountConsole } from "./support/console-harness.js";

async function threeKeys(store: LocalStore): Promise<void> {
	await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "Admin key" }, { actor: "setup" });
	await store.createKey({ type: "feed", packagePermissions: ["view", "add"], feed: "npm", displayName: "CI npm" }, { actor: "setup" });
	await store.createKey({ type: "personal", user: "alice", displayName: "Alice laptop" }, { actor: "setup" });
	store.logAccess(accessEntry({ at: Date.now(), keyId: 1000, path: "/api/management/feeds/list" }));
	store.flushAccessLog();
}

const hints = new Set(bindings.filter((b) => b.footer !== undefined).map(hintText));

describe("the footer at 80 and 40 columns", () => {
	for (const [columns, rows] of [
		[80, 24],
		[40, 10],
	] as const) {
		test(`at ${columns}x${rows}: every entry whole, and ? help and q quit always there`, async (t) => {
			const ui = await mountConsole(t, { columns, rows, setup: threeKeys });
			const screens: [string[], RegExp, boolean][] = [
				[[], /Admin key/, true],
				[[keys.enter], /Key 1000 · Admin key/, true],
				[[keys.escape, "L"], /All requests/, true],
				[[keys.escape, "o"], /Store settings/, true],
				[[keys.escape, "d"], /Delete key 1000/, false],
			];
			for (const [input, expected, helpAndQuit] of screens) {
				await ui.press(...input);
				assert.match(ui.frame(), expected);
				const footer = (ui.frame().split("\n").at(-1) ?? "").trimEnd();
				for (const entry of footer.split("  ").filter(Boolean)) assert.ok(hints.has(entry), `"${entry}" is not a whole entry: ${footer}`);
				if (helpAndQuit) {
					assert.match(footer, /\? help/, footer);
					assert.match(footer, /q quit/, footer);
				}
			}
		});
	}
});

/** The frame's text with its lines joined, so a sentence wrapped over lines reads as one. */
function joined(frame: string): string {
	return frame
		.split("\n")
		.map((line) => line.trim())
		.join(" ");
}

describe("messages wrap instead of being cut", () => {
	for (const [columns, rows] of [
		[80, 24],
		[40, 10],
	] as const) {
		test(`at ${columns}x${rows}: a refused setting and a wizard problem are shown whole; the list gives way`, async (t) => {
			const ui = await mountConsole(t, { columns, rows, setup: threeKeys });
			await ui.press("o", "jjjjj", keys.enter);
			await ui.type("abc");
			await ui.press(keys.enter);
			assert.ok(
				joined(ui.frame()).includes('✗ log-retention-days must be a whole number between 1 and 36500, or none, not "abc"'),
				ui.frame(),
			);
			assert.match(ui.frame(), /Esc cancel  Ctrl-C quit/, "the footer keeps its line: the field's keys while the value stays open");
			for (const line of ui.frame().split("\n")) assert.ok([...line].length <= columns, line);
			assert.ok(ui.frame().split("\n").length <= rows - 1, "the frame keeps its height");
			await ui.press(keys.escape, keys.escape, keys.escape, "n", keys.enter, keys.space, keys.enter, keys.enter, keys.enter, "jjj", keys.enter);
			await ui.type("soon");
			const refused = parseExpiration("soon", new Date());
			assert.ok(!refused.ok);
			assert.ok(joined(ui.frame()).includes(`✗ ${refused.error}`), ui.frame());
			assert.match(ui.frame().split("\n")[1] ?? "", /^New key · step \d+ of \d+: Expiration date/, "the title stays on its line");
		});
	}
});

describe("the key id is on screen", () => {
	for (const [columns, rows] of [
		[80, 24],
		[40, 10],
	] as const) {
		test(`at ${columns}x${rows}: an ID column in the list, and the id above the detail`, async (t) => {
			const ui = await mountConsole(t, { columns, rows, setup: threeKeys });
			assert.match(ui.frame(), /^ {2}ID +NAME/m);
			assert.match(ui.frame(), /› +1000 +Admin key/);
			assert.match(ui.frame(), /1002 +Alice laptop/);
			await ui.press(keys.enter, "G");
			assert.match(ui.frame(), /Key 1000 · Admin key/, "still there with the fields scrolled to the end");
		});
	}
});

describe("the access log's columns", () => {
	for (const [columns, rows] of [
		[80, 24],
		[40, 10],
	] as const) {
		test(`at ${columns}x${rows}: columns drop by priority and the path is kept`, async (t) => {
			const ui = await mountConsole(t, { columns, rows, setup: threeKeys });
			await ui.press("L");
			assert.match(ui.frame(), /TIME .*STATUS .*PATH/);
			assert.match(ui.frame(), /› .* 200 .*\/api\/manag/);
		});
	}
});

describe("the wizard's end at 40x10", () => {
	test("the review keeps its action in sight, and the new key is shown whole with what copying did", async (t) => {
		const ui = await mountConsole(t, { columns: 40, rows: 10 });
		await ui.press("n", keys.enter, keys.space, keys.enter, keys.enter, keys.enter, keys.enter, keys.enter, keys.enter);
		assert.match(ui.frame(), /› Create the key/);
		await ui.press(keys.enter);
		const key = /\b[0-9a-f]{40}\b/.exec(ui.frame())?.[0];
		assert.ok(key, ui.frame());
		await ui.press("y");
		assert.match(ui.frame(), /copied for the test/);
		assert.ok(ui.frame().includes(key));
	});
});

describe("the detail and a log entry at 40x10", () => {
	test("a long value wraps under its label instead of being cut, and after G the view scrolls back up at once", async (t) => {
		const ui = await mountConsole(t, {
			columns: 40,
			rows: 10,
			setup: async (store) => {
				const apis = ["feeds", "sca", "sbom-upload"];
				await store.createKey({ type: "system", systemApis: apis, displayName: "CI" }, { actor: "setup" });
				store.logAccess(accessEntry({ keyId: 1000, path: "/nuget/nuget-internal/v3/registration/some.package/index.json" }));
				store.flushAccessLog();
			},
		});
		await ui.press(keys.enter, "jjj");
		const apis = /APIs: +Use\/Manage Feeds, Manage\n {14}SCA \(Projects & Builds\),\n {14}Upload SBOM documents\n/;
		assert.match(ui.frame(), apis, "under its label, whole");
		await ui.press("G");
		const bottom = ui.frame();
		assert.match(bottom, /\n {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GET 200 \/nu\S*\n {4}\S/, "a request's path goes on further in, not as a line of its own");
		await ui.press("k");
		assert.notEqual(ui.frame(), bottom, "k after G scrolls up one line");
		await ui.press(keys.escape, "l", keys.enter);
		const entry = ui.frame().split("\n").slice(1).join("\n");
		assert.ok(entry.replace(/\n {11}/g, "").includes("/nuget/nuget-internal/v3/registration/some.package/index.json"), entry);
		assert.doesNotMatch(entry, /…/, "nothing of the entry is cut");
	});
});

describe("the settings screen says what can be done there, whole", () => {
	test("read-only: no 'Enter changes' in the title; at 40x10 the title and the field's hint are not cut", async (t) => {
		const browsing = await mountConsole(t, { readOnly: true, columns: 80, rows: 24 });
		await browsing.press("o");
		assert.match(browsing.frame(), /Store settings/);
		assert.doesNotMatch(browsing.frame(), /Enter or Space changes/, "read-only: Enter changes nothing");
		const ui = await mountConsole(t, { columns: 40, rows: 10 });
		await ui.press("o");
		assert.doesNotMatch(ui.frame().split("\n")[1] ?? "", /…/, "the title is not cut");
		await ui.press("j", keys.enter);
		assert.match(joined(ui.frame()), /empty means none/, "the field's hint is read whole");
		assert.doesNotMatch(ui.frame().split("\n").slice(1).join("\n"), /\w…/, "no line is cut mid-word");
	});
});

describe("the wizard's titles and hints", () => {
	for (const [columns, rows] of [
		[80, 24],
		[40, 10],
	] as const) {
		test(`at ${columns}x${rows}: no step title is cut, and the first step's Esc says cancel`, async (t) => {
			const ui = await mountConsole(t, {
				columns,
				rows,
				setup: async (store) => {
					await store.createKey({ type: "system", systemApis: ["feeds"], displayName: "CI" }, { actor: "setup" });
				},
			});
			const body = () => ui.frame().split("\n").slice(1).join("\n");
			await ui.press("n");
			assert.match(joined(ui.frame()), /Esc cancel/, "Esc on the first step cancels the new key");
			assert.doesNotMatch(joined(ui.frame()), /Esc back/);
			await ui.press(keys.enter);
			assert.match(joined(ui.frame()), /New key · step 2 of 8: APIs/);
			if (rows === 24) assert.match(joined(ui.frame()), /the first reaches everything/, "what the first choice means is read whole");
			assert.doesNotMatch(body(), /…/, "nothing cut");
			await ui.press(keys.escape, keys.escape, keys.enter, "e", keys.enter);
			assert.match(joined(ui.frame()), /Edit key 1000 · step 1 of \d: APIs/);
			assert.doesNotMatch(body(), /…/, "nothing cut in an edit either");
		});
	}
});

describe("the new key's screen", () => {
	test("after Enter asks whether the key was saved, the footer says Y leaves, not Enter", async (t) => {
		const ui = await mountConsole(t, { columns: 80, rows: 24 });
		await ui.press("n", keys.enter, keys.space, keys.enter, keys.enter, keys.enter, keys.enter, keys.enter, keys.enter, keys.enter);
		const footer = () => ui.frame().split("\n").at(-1) ?? "";
		assert.match(footer(), /Enter leave/);
		await ui.press(keys.enter);
		assert.match(ui.frame(), /Have you saved the key\?/);
		assert.match(footer(), /Y leave/);
		assert.doesNotMatch(footer(), /Enter leave/, "Enter now stays");
	});
});

describe("the wizard at 40x10", () => {
	test("takes the footer's row, which has no keys to show there (the wizard says its own)", async (t) => {
		const ui = await mountConsole(t, { columns: 40, rows: 10 });
		await ui.press("n", keys.enter);
		assert.match(ui.frame(), /step 2 of 8: APIs/);
		assert.match(ui.frame(), /\[ \] Manage SCA/, "a third choice in sight");
		assert.ok(ui.frame().split("\n").length <= 9, "the frame keeps its height");
	});
});
