import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { accessEntry } from "./support/access-entry.js";
import { keys, mountConsole } from "./support/console-harness.js";
import { pagedLog } from "./support/console-setups.js";

describe("the access log", () => {
	test("G goes to the oldest entry, reading every page on the way, not to the last page loaded", async (t) => {
		const ui = await mountConsole(t, { setup: pagedLog(260) });
		await ui.press("L");
		assert.match(ui.frame(), /1 of 50\+/);
		await ui.press("G");
		for (let i = 0; i < 20 && !/260 of 260 *\n/.test(ui.frame()); i++) await ui.press("");
		assert.match(ui.frame(), /260 of 260 *\n/);
		assert.match(ui.frame(), /› .*\/p\/0 *\n/);
		await ui.press("g");
		assert.match(ui.frame(), /› .*\/p\/259 *\n/);
	});

	test("the filter applies as you type; a bare word matches anywhere in the path", async (t) => {
		const ui = await mountConsole(t, {
			setup: async (store) => {
				for (let i = 0; i < 30; i++) {
					store.logAccess(
						accessEntry({
							at: Date.parse("2026-11-20T10:00:00Z") + i * 1000,
							path: i % 3 === 0 ? `/nuget/v3/reg/pkg-${i}` : `/npm/feed/pkg-${i}`,
							status: i % 10 === 0 ? 404 : 200,
						}),
					);
				}
				store.flushAccessLog();
			},
		});
		await ui.press("L", "/");
		await ui.type("reg");
		assert.match(ui.frame(), /\/reg█/, "still typing");
		assert.match(ui.frame(), /› .*\/nuget\/v3\/reg\/pkg-27/);
		assert.doesNotMatch(ui.frame(), /\/npm\//);
		assert.match(ui.frame(), /1 of 10\n/);
		await ui.type(" status:4");
		assert.doesNotMatch(ui.frame(), /✗/, "a word still being typed is no error");
		await ui.type("xx");
		assert.match(ui.frame(), /› .* 404 .*\/nuget\/v3\/reg\/pkg-0\n1 of 1\n/);
		await ui.press(keys.escape);
		assert.match(ui.frame(), /1 of 30\n/);
	});
});

test("with the server down the log says why, and not that no requests match", async (t) => {
	const ui = await mountConsole(t, { unreachable: ["queryAccessLog"] });
	await ui.press("L");
	assert.match(ui.frame(), /✗ cannot reach http:\/\/127\.0\.0\.1:9\/: connection refused \(Ctrl-R retries\)/);
	assert.doesNotMatch(ui.frame(), /No requests match/);
});

test("a screen without a refresh key does not offer one when the server is down", async (t) => {
	const ui = await mountConsole(t, { unreachable: ["getSettings"] });
	await ui.press("o");
	assert.match(ui.frame(), /✗ cannot reach http:\/\/127\.0\.0\.1:9\/: connection refused/);
	assert.doesNotMatch(ui.frame(), /Ctrl-R retries/, "Ctrl-R does nothing on the settings screen");
});
