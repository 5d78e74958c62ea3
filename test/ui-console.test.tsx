import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { pathScanWindow } from "../source/store/access-log.js";
import type { LocalStore } from "../source/store/local-store.js";
import { accessEntry } from "./support/access-entry.js";
import { keys, mountConsole } from "./support/console-harness.js";
import { legacyKey, pagedLog } from "./support/console-setups.js";

const widths = [40, 80, 120];

async function threeKeys(store: LocalStore): Promise<void> {
	await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "Admin key" }, { actor: "setup" });
	await store.createKey({ type: "feed", packagePermissions: ["view", "add"], feed: "npm", displayName: "CI npm" }, { actor: "setup" });
	await store.createKey({ type: "personal", user: "alice", displayName: "Alice laptop" }, { actor: "setup" });
}

function lines(frame: string): string[] {
	return frame.split("\n");
}

describe("the key list", () => {
	for (const columns of widths) {
		test(`at ${columns} columns: rows, position, sort in words, nothing wider than the terminal`, async (t) => {
			const ui = await mountConsole(t, { columns, setup: threeKeys });
			const frame = ui.frame();
			assert.match(frame, /› +\d+ +Admin key/);
			assert.match(frame, /CI npm/);
			assert.match(frame, /1 of 3/);
			if (columns >= 80) assert.match(frame, /sort: id ▲ \(ascending\)/);
			for (const line of lines(frame)) assert.ok([...line].length <= columns, `${[...line].length} > ${columns}: ${line}`);
			assert.ok(lines(frame).length <= 23, "one row short of the terminal");
		});
	}

	test("the ordered ids load behind the first page with no spinner over the list; j then moves", async (t) => {
		const ui = await mountConsole(t, { setup: threeKeys });
		const frames = ui.frames();
		const firstWithKeys = frames.findIndex((frame) => /› +\d+ +Admin key/.test(frame));
		assert.ok(firstWithKeys >= 0, "the first page was drawn");
		const spinning = frames.slice(firstWithKeys).filter((frame) => /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(frame));
		assert.equal(spinning.length, 0, "no spinner over a list already on screen");
		await ui.press("j");
		assert.match(ui.frame(), /› +\d+ +CI npm/);
	});

	test("a key added between the first page and the rest of the list is counted once the list is in", async (t) => {
		const ui = await mountConsole(t, {
			setup: threeKeys,
			changeAfterFirstPage: async (store) => {
				await store.createKey({ type: "personal", user: "dave", displayName: "Added meanwhile" }, { actor: "elsewhere" });
			},
		});
		assert.match(ui.frame(), /1 of 4/);
		await ui.press("G");
		assert.match(ui.frame(), /› +\d+ +Added meanwhile/);
	});

	test("an empty store says how to create the first key, on one line at 80 columns", async (t) => {
		const ui = await mountConsole(t, { columns: 80 });
		assert.match(ui.frame(), /No API keys yet\. Press n to create the first one \(or: apikeys-tui create\)\./);
	});

	test("an empty store in read-only mode does not offer n, which is off: it says why, as the footer leaves n out", async (t) => {
		const ui = await mountConsole(t, { columns: 80, readOnly: true });
		assert.match(ui.frame(), /No API keys yet\. Creating one is off: read-only \(started with --readonly\)\./);
		assert.doesNotMatch(ui.frame(), /Press n|n new key/);
	});

	test("j/k move, keys typed together all count, the selection stays on its key across a sort", async (t) => {
		const ui = await mountConsole(t, { setup: threeKeys });
		await ui.press("jj");
		assert.match(ui.frame(), /› +\d+ +Alice laptop/);
		await ui.press("k");
		assert.match(ui.frame(), /› +\d+ +CI npm/);
		await ui.press("s");
		assert.match(ui.frame(), /sort: name ▲/);
		assert.match(ui.frame(), /› +\d+ +CI npm/);
		assert.match(ui.frame(), /3 of 3/, "CI npm sorts last by name, and stays selected");
	});

	test("/ filters as you type; Esc clears", async (t) => {
		const ui = await mountConsole(t, { setup: threeKeys });
		await ui.press("/");
		await ui.type("npm");
		assert.match(ui.frame(), /\/npm█/);
		assert.match(ui.frame(), /1 of 1/);
		assert.doesNotMatch(ui.frame(), /Alice laptop/);
		await ui.type("zzz");
		assert.match(ui.frame(), /No key matches "npmzzz"/);
		await ui.press(keys.escape);
		assert.match(ui.frame(), /1 of 3/);
	});

	test("x disables and enables; the status is a word", async (t) => {
		const ui = await mountConsole(t, { setup: threeKeys });
		await ui.press("x");
		assert.match(ui.frame(), /› +\d+ +Admin key.*disabled/);
		assert.match(ui.frame(), /key 1000 disabled/);
		assert.equal((await ui.store.getKey(1000))?.enabled, false);
		await ui.press("x");
		assert.equal((await ui.store.getKey(1000))?.enabled, true);
	});

	test("read-only: every change is refused with the reason", async (t) => {
		const ui = await mountConsole(t, { readOnly: true, setup: threeKeys });
		assert.match(ui.frame(), /READ-ONLY/);
		for (const key of ["x", "d", "n", "e", "R"]) {
			await ui.press(key);
			assert.match(ui.frame(), /read-only \(started with --readonly\)/, key);
		}
		assert.equal((await ui.store.listKeys()).length, 3);
	});
});

describe("delete", () => {
	test("the confirmation defaults to No; y deletes", async (t) => {
		const ui = await mountConsole(t, { setup: threeKeys });
		await ui.press("d");
		assert.match(ui.frame(), /Delete key 1000 \(Admin key\)\?/);
		await ui.press(keys.enter);
		assert.match(ui.frame(), /nothing was deleted/);
		assert.equal((await ui.store.listKeys()).length, 3);
		await ui.press("d", "y");
		assert.match(ui.frame(), /deleted key 1000/);
		assert.deepEqual((await ui.store.listKeys()).map((k) => k.id), [1001, 1002]);
	});

	test("marked keys are deleted together after one question with the count", async (t) => {
		const ui = await mountConsole(t, { setup: threeKeys });
		await ui.press(keys.space, keys.space);
		assert.match(ui.frame(), /2 marked/);
		await ui.press("d");
		assert.match(ui.frame(), /Delete 2 marked keys: key 1000 \(Admin key\) and key 1001 \(CI npm\)\?/);
		await ui.press("y");
		assert.deepEqual((await ui.store.listKeys()).map((k) => k.id), [1002]);
	});
});

describe("the create wizard", () => {
	test("the review shows the day a relative expiry ends on", async (t) => {
		const ui = await mountConsole(t);
		await ui.press("n", keys.enter, keys.space, keys.enter);
		await ui.type("Relative");
		await ui.press(keys.enter, keys.enter);
		assert.match(ui.frame(), /› 90 days/);
		await ui.press(keys.enter, keys.enter, keys.enter);
		assert.match(ui.frame(), /Review/);
		const until = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
		assert.match(ui.frame(), new RegExp(`Expires\\s+90 days \\(until ${until}\\)`));
		assert.match(ui.frame(), /Name +Relative/, "the wizard's labels");
		assert.match(ui.frame(), /APIs +Full Control/, "and its words for the scopes");
		assert.doesNotMatch(ui.frame(), /displayName|systemApis|full-control/, "not API field names");
	});

	test("the step count stays the same once a type is chosen: on the first step it is the highlighted type's", async (t) => {
		const ui = await mountConsole(t);
		await ui.press("n");
		const systemSteps = /step 1 of (\d+): Key type/.exec(ui.frame())?.[1];
		await ui.press("j");
		const feedSteps = /step 1 of (\d+): Key type/.exec(ui.frame())?.[1];
		assert.notEqual(systemSteps, feedSteps, "a feed key has more steps than a system key");
		await ui.press(keys.enter);
		assert.match(ui.frame(), new RegExp(`step 2 of ${feedSteps}: Which feeds`));
	});

	for (const columns of widths) {
		test(`at ${columns} columns: a feed key, step by step, shown once and copied`, async (t) => {
			const ui = await mountConsole(t, { columns });
			await ui.press("n");
			assert.match(ui.frame(), /step 1 of \d+: Key type/);
			await ui.press("j", keys.enter);
			assert.match(ui.frame(), /Which feeds/);
			await ui.press(keys.enter);
			await ui.press(keys.enter);
			assert.match(ui.frame(), /a name is required/, "an empty feed name is refused");
			await ui.type("npm-public");
			await ui.press(keys.enter);
			assert.match(ui.frame(), /\[x\] View\/Download/);
			await ui.press("jj", keys.space, "j", keys.space, keys.enter);
			await ui.type("Publisher");
			await ui.press(keys.enter, keys.enter);
			assert.match(ui.frame(), /Expires/);
			await ui.press("jjj", keys.enter);
			await ui.type("1/1/2001");
			assert.match(ui.frame(), /"1\/1\/2001" is in the past/, "checked as it is typed, naming what was typed");
			for (let i = 0; i < 8; i++) await ui.press(keys.backspace);
			await ui.type("2031-06-30");
			await ui.press(keys.enter);
			await ui.press("jjj", keys.enter);
			assert.match(ui.frame(), /Key text/);
			await ui.press(keys.enter);
			assert.match(ui.frame(), /Review/);
			assert.doesNotMatch(ui.frame(), /until/, "a date typed as a date is shown as it is");
			await ui.press(keys.enter);
			assert.match(ui.frame(), /This is the only time\s+it is shown/);
			const [record] = await ui.store.listKeys();
			assert.equal(record?.type, "feed");
			assert.equal(record?.feed, "npm-public");
			assert.deepEqual(record?.packagePermissions, ["view", "add"]);
			assert.equal(record?.logging, "both");
			assert.equal(record?.expiration, "2031-06-30T00:00:00Z");
			await ui.press("y");
			assert.equal(ui.copied.length, 1);
			assert.equal(ui.store.verifyNow(ui.copied[0] as string, { kind: "any" }).outcome, "valid");
			await ui.press(keys.escape);
			assert.match(ui.frame(), /Have you saved the key\?/);
			await ui.press("n");
			assert.match(ui.frame(), /This is the only time\s+it is shown/, "any other key stays");
			await ui.press(keys.enter, "Y");
			assert.match(ui.frame(), /Publisher/);
			assert.doesNotMatch(ui.frame(), /[0-9a-f]{40}/, "the key is gone from the screen");
		});
	}

	test("system and personal keys; Esc goes back a step keeping what was typed", async (t) => {
		const ui = await mountConsole(t);
		await ui.press("n", keys.enter);
		assert.match(ui.frame(), /APIs/);
		await ui.press(keys.enter);
		assert.match(ui.frame(), /choose at least one API/);
		await ui.press("j", keys.space, "j", keys.space, keys.enter);
		await ui.type("Scanner");
		await ui.press(keys.escape);
		assert.match(ui.frame(), /\[x\] Use\/Manage Feeds/);
		await ui.press(keys.enter);
		assert.match(ui.frame(), /Scanner█/, "the name typed before is still there");
		await ui.press(keys.enter, keys.enter, keys.enter, keys.enter, keys.enter, keys.enter, keys.enter);
		assert.match(ui.frame(), /This is the only time\s+it is shown/);
		await ui.press(keys.enter, "Y", "n", "jj", keys.enter, keys.enter);
		assert.match(ui.frame(), /a user is required/);
		await ui.type("alice");
		await ui.press(keys.enter, keys.enter, keys.enter, keys.enter, keys.enter, "j", keys.enter);
		assert.match(ui.frame(), /Custom key/);
		await ui.type("short");
		assert.match(ui.frame(), /•••••█/, "masked");
		assert.match(ui.frame(), /at least 16 characters/);
		await ui.type("-but-now-long-enough");
		await ui.press(keys.enter, keys.enter);
		const keysNow = await ui.store.listKeys();
		assert.deepEqual(keysNow.map((k) => [k.type, k.systemApis, k.user]), [
			["system", ["feeds", "sca"], null],
			["personal", null, "alice"],
		]);
		assert.equal(ui.store.verifyNow("short-but-now-long-enough", { kind: "any" }).record?.id, 1001);
	});
});

describe("detail, edit, logs, settings, help, size", () => {
	test("Enter opens every field and the audit trail; e edits; Esc goes back", async (t) => {
		const ui = await mountConsole(t, { setup: threeKeys });
		await ui.press("j", keys.enter);
		assert.match(ui.frame(), /Permissions: +View\/Download, Add\/Repackage/);
		assert.match(ui.frame(), /create +setup/);
		await ui.press("e");
		assert.match(ui.frame(), /Edit key 1001: choose a field to change/);
		await ui.press("jjjjjj", keys.enter);
		assert.match(ui.frame(), /Body logging/);
		await ui.press("jj", keys.enter);
		assert.match(ui.frame(), /›\*Body logging +response bodies {2}\(changed\)/, "back on the picker, the change marked");
		await ui.press("j", keys.enter);
		assert.match(ui.frame(), /key 1001 updated: Body logging/);
		assert.equal((await ui.store.getKey(1001))?.logging, "response");
		assert.match(ui.frame(), /update +tester \(console\)/);
		await ui.press(keys.escape);
		assert.match(ui.frame(), /› +\d+ +CI npm/);
	});

	test("access logs: newest first, filter, an entry with its bodies", async (t) => {
		const ui = await mountConsole(t, {
			setup: async (store) => {
				await threeKeys(store);
				for (let i = 0; i < 30; i++) {
					store.logAccess(
						accessEntry({
							at: Date.parse("2026-11-20T10:00:00Z") + i * 1000,
							keyId: 1001,
							method: i % 2 ? "GET" : "POST",
							path: `/npm/npm/pkg-${i}`,
							status: i % 10 === 0 ? 404 : 200,
							durationMs: 2,
							client: "10.0.0.1",
							userAgent: "npm/10",
							requestBody: i === 29 ? '{"name":"pkg","API_Key":"[redacted]"}' : null,
						}),
					);
				}
				store.flushAccessLog();
			},
		});
		await ui.press("j", "l");
		assert.match(ui.frame(), /Requests with key 1001/);
		assert.match(ui.frame(), /› 2026-11-20 10:00:29 +#1001 +GET +200/);
		await ui.press("/");
		await ui.type("status:4xx");
		await ui.press(keys.enter);
		assert.match(ui.frame(), /404/);
		assert.doesNotMatch(ui.frame(), / 200 /);
		await ui.press("/", keys.escape);
		assert.match(ui.frame(), /› 2026-11-20 10:00:29/);
		await ui.press("/");
		await ui.type("status:abc");
		await ui.press(keys.enter);
		assert.match(ui.frame(), /status: "abc" is not a status/);
		assert.match(ui.frame(), /\/status:abc█/, "a filter that does not parse stays open to be mended");
		for (let i = 0; i < 3; i++) await ui.press(keys.backspace);
		await ui.type("4xx");
		await ui.press(keys.enter);
		assert.match(ui.frame(), /filter: status:4xx/);
		assert.doesNotMatch(ui.frame(), / 200 /);
		await ui.press("/", keys.escape);
		await ui.press(keys.enter);
		assert.match(ui.frame(), /"API_Key": "\[redacted\]"/);
		assert.match(ui.frame(), /Response body:\n {2}\(not logged\)/);
	});

	test("access logs page in from the store as the selection moves down", async (t) => {
		const ui = await mountConsole(t, { setup: pagedLog(200) });
		await ui.press("L");
		assert.match(ui.frame(), /1 of 50\+/);
		for (let i = 0; i < 6; i++) await ui.press("j".repeat(30));
		assert.match(ui.frame(), /181 of (200|\d+\+)/, "no key is lost while the next pages load");
		assert.match(ui.frame(), /› .*\/p\/19 *\n/);
		await ui.press("G");
		assert.match(ui.frame(), /200 of 200 *\n/);
		assert.match(ui.frame(), /› .*\/p\/0 *\n/);
	});

	test("a run of keys that passes two pages lands on the right entry, each entry once", async (t) => {
		const ui = await mountConsole(t, { setup: pagedLog(200) });
		await ui.press("L");
		await ui.press("j".repeat(120));
		assert.match(ui.frame(), /› .*\/p\/79 *\n/, "the 121st newest");
		assert.match(ui.frame(), /121 of (150\+|200)/);
		await ui.press("G");
		await ui.press("G");
		assert.match(ui.frame(), /200 of 200 *\n/, "no page read twice");
		assert.match(ui.frame(), /› .*\/p\/0 *\n/);
	});

	for (const logPageDelayMs of [undefined, 40]) {
		const link = logPageDelayMs === undefined ? "" : ", and keys pressed meanwhile over a slow link read no page twice";
		test(`a filter no index serves reads on through the log until it finds its entries${link}`, async (t) => {
			const ui = await mountConsole(t, {
				...(logPageDelayMs === undefined ? {} : { logPageDelayMs }),
				setup: async (store) => {
					const start = Date.parse("2026-11-20T10:00:00Z");
					// Two older DELETEs, then more than one scan window of GETs.
					for (let i = 0; i < 2; i++) store.logAccess(accessEntry({ at: start + i, method: "DELETE", path: `/old/${i}` }));
					for (let i = 0; i < pathScanWindow + 500; i++) store.logAccess(accessEntry({ at: start + 10 + i, path: "/new" }));
					store.flushAccessLog();
				},
			});
			await ui.press("L");
			await new Promise((resolve) => setTimeout(resolve, 3 * (logPageDelayMs ?? 0)));
			await ui.press("/");
			await ui.type("method:delete");
			await ui.press(keys.enter);
			// While the log is read on, page by page: each key asks for the next page too.
			for (let i = 0; i < 6; i++) {
				await ui.press("j");
				await new Promise((resolve) => setTimeout(resolve, (logPageDelayMs ?? 0) / 2));
			}
			await new Promise((resolve) => setTimeout(resolve, 6 * (logPageDelayMs ?? 0)));
			await ui.press("g");
			assert.match(ui.frame(), /› .*DELETE.*\/old\/1/);
			assert.match(ui.frame(), /\/old\/0/);
			assert.match(ui.frame(), /1 of 2\n/, "both found, each once, and nothing more to read");
		});
	}

	test("settings: each with its meaning, changed in place", async (t) => {
		const ui = await mountConsole(t, { setup: threeKeys });
		await ui.press("o");
		assert.match(ui.frame(), /custom-keys-allowed +true/);
		assert.match(ui.frame(), /typed or imported instead of generated/);
		await ui.press(keys.enter);
		assert.match(ui.frame(), /custom-keys-allowed is now false/);
		await ui.press("jjj", keys.enter);
		await ui.type("365");
		await ui.press(keys.enter);
		assert.equal((await ui.store.getSettings()).maxLifetimeDays, 365);
		await ui.press("jj", keys.enter);
		await ui.type("abc");
		await ui.press(keys.enter);
		assert.match(ui.frame(), /log-retention-days must be a whole number/);
		assert.equal((await ui.store.getSettings()).logRetentionDays, 90);
		assert.match(ui.frame(), /log-retention-days +abc█/, "the refused value stays open to be mended");
		for (let i = 0; i < 3; i++) await ui.press(keys.backspace);
		await ui.type("30");
		await ui.press(keys.enter);
		assert.equal((await ui.store.getSettings()).logRetentionDays, 30);
		assert.match(ui.frame(), /log-retention-days is now 30/);
	});

	test("? lists the screen's keys from the binding table", async (t) => {
		const ui = await mountConsole(t, { setup: threeKeys });
		await ui.press("?");
		assert.match(ui.frame(), /Space +mark for delete/);
		assert.match(ui.frame(), /q, Ctrl-C +quit/);
		await ui.press(keys.escape, "q");
		assert.equal(ui.quits(), 1);
	});

	test("too small, and back", async (t) => {
		const ui = await mountConsole(t, { setup: threeKeys });
		await ui.resize(30, 8);
		assert.match(ui.frame(), /terminal too small \(have 30x8,\s+need 40x10\)/);
		await ui.press("j");
		await ui.resize(80, 24);
		assert.match(ui.frame(), /› +\d+ +Admin key/, "keys other than q were ignored while too small");
		await ui.resize(30, 8);
		await ui.press("q");
		assert.equal(ui.quits(), 1);
	});
});

describe("every screen at every width", () => {
	for (const columns of widths) {
		test(`at ${columns} columns nothing is wider than the terminal`, async (t) => {
			const ui = await mountConsole(t, {
				columns,
				setup: async (store) => {
					await threeKeys(store);
					store.logAccess(
						accessEntry({
							at: Date.now(),
							keyId: 1000,
							path: `/api/${"long-segment/".repeat(20)}`,
							userAgent: "ua",
							requestBody: JSON.stringify({ text: "x".repeat(300) }),
						}),
					);
					store.flushAccessLog();
				},
			});
			const screens: [string[], RegExp][] = [
				[[keys.enter], /Audit trail/],
				[[keys.escape, "L"], /All requests/],
				[[keys.enter], /Request body/],
				[[keys.escape, keys.escape, "o"], /Store settings/],
				[[keys.escape, "?"], /Keys on this screen/],
				[[keys.escape, "n"], /Key type/],
				[[keys.enter], /APIs/],
				[[keys.escape, keys.escape, "d"], /Delete key 1000/],
			];
			for (const [input, expected] of screens) {
				await ui.press(...input);
				assert.match(ui.frame(), expected);
				for (const line of ui.frame().split("\n")) assert.ok([...line].length <= columns, `${columns}: ${line}`);
			}
		});
	}
});

describe("profiles", () => {
	test("an otter store's wizard offers Otter's key type and scopes only", async (t) => {
		const ui = await mountConsole(t, { profile: "otter" });
		assert.match(ui.frame(), /Otter/);
		await ui.press("n");
		assert.match(ui.frame(), /System \(manage\/admin Otter\)/);
		assert.doesNotMatch(ui.frame(), /Feed|Personal/);
		await ui.press(keys.enter);
		assert.match(ui.frame(), /Native API \(full control\)/);
		assert.match(ui.frame(), /Job orchestration: trigger/);
		assert.doesNotMatch(ui.frame(), /Use\/Manage Feeds/);
	});

	test("a legacy key is explained, and C converts it keeping its secret", async (t) => {
		const ui = await mountConsole(t, { setup: legacyKey });
		assert.match(ui.frame(), /Old +legacy/);
		await ui.press(keys.enter);
		assert.match(ui.frame(), /cannot be created anew\. C converts it/);
		await ui.press("C", "y");
		assert.match(ui.frame(), /key 1000 is now a system key, with the same secret/);
		assert.equal(ui.store.verifyNow("legacy-native-key-000001", { kind: "any" }).record?.type, "system");
	});
});
