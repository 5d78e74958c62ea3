import assert from "node:assert/strict";
import { test } from "node:test";
import { accessEntry } from "./support/access-entry.js";
import { keys, mountConsole } from "./support/console-harness.js";

/** Every time the console shows, in one form: local, to the second, no `T`, no zone letter. */
test("one readable local form for every time on the detail, the edit picker, the log and its entry", async (t) => {
	const zone = process.env.TZ;
	// A zone away from UTC, so a time shown in UTC would show a different hour.
	process.env.TZ = "America/New_York";
	t.after(() => {
		if (zone === undefined) delete process.env.TZ;
		else process.env.TZ = zone;
	});
	const ui = await mountConsole(t, {
		setup: async (store) => {
			const { record: key } = await store.createKey({ type: "system", systemApis: ["feeds"], displayName: "CI", expiration: "2030-08-01T12:30:00Z" }, { actor: "setup" });
			await store.updateKey(key.id, { description: "nightly", expiration: "2031-01-01" }, "setup");
			store.logAccess(accessEntry({ at: Date.parse("2026-11-20T10:00:00Z"), keyId: key.id, path: "/npm/left-pad" }));
			store.flushAccessLog();
		},
	});
	const record = await ui.store.getKey(1000);
	const created = new Date(record?.createdAt ?? "");
	const pad = (n: number) => String(n).padStart(2, "0");
	const local = `${created.getFullYear()}-${pad(created.getMonth() + 1)}-${pad(created.getDate())} ${pad(created.getHours())}:${pad(created.getMinutes())}:${pad(created.getSeconds())}`;
	await ui.press(keys.enter);
	assert.match(ui.frame(), new RegExp(`Created: +${local} by setup`), "created in local time, as the audit trail beside it");
	assert.match(ui.frame(), new RegExp(`\\n  ${local}  create `), "the audit trail in the same form");
	assert.match(ui.frame(), /Expires: +2031-01-01 /, "a calendar day stays that day");
	// An expiry time carries its offset: typed back as shown, it is the same instant.
	assert.match(ui.frame(), /expires: 2030-08-01 08:30 -04:00 → 2031-01-01\n/, "the audit trail shows an expiry as the detail does");
	assert.match(ui.frame(), /\n {2}2026-11-20 05:00:00 {2}GET/, "a recent request at 10:00 UTC is 05:00 in New York");
	assert.doesNotMatch(ui.frame(), /\d{4}-\d\d-\d\dT\d\d:/, "no ISO form from the store on the detail screen");
	await ui.press("e");
	assert.match(ui.frame(), /Expires +2031-01-01\n/, "the edit picker shows the expiry as the detail does, not the store's text");
	await ui.press(keys.escape, "l");
	assert.match(ui.frame(), /› 2026-11-20 05:00:00 /);
	await ui.press(keys.enter);
	assert.match(ui.frame(), /Time: +2026-11-20 05:00:00\n/);
});
