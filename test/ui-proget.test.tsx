/**
 * The console on a ProGet instance (the stand-in, as strict as pgutil's source shows ProGet): what
 * ProGet cannot report is left out rather than made up, and a key ProGet lists without an id is
 * shown but never acted on.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RemoteBackend } from "../source/remote/remote-backend.js";
import { keys, mountConsole } from "./support/console-harness.js";
import { startProGetStandIn } from "./support/proget-standin.js";

const adminKey = "admin-key-0123456789";

async function consoleOnProGet(t: Parameters<typeof startProGetStandIn>[0]) {
	const standIn = await startProGetStandIn(t, {
		apiKey: adminKey,
		keys: [
			{ id: 1000, type: "System", displayName: "deploy bot", systemApis: ["feeds"], logging: "None" },
			{ type: "Feed", displayName: "NoId", packagePermissions: ["view"], feed: "npm", logging: "None" },
		],
	});
	const backend = await RemoteBackend.connect(standIn.url, { credentials: { apiKey: adminKey }, discover: true });
	const ui = await mountConsole(t, { backend, columns: 100, rows: 24 });
	return { standIn, ui };
}

test("on ProGet the key list has no STATUS or LAST USED column, and a key listed without an id shows no id", async (t) => {
	const { ui } = await consoleOnProGet(t);
	const frame = ui.frame();
	assert.match(frame, /ID +NAME +TYPE/);
	assert.doesNotMatch(frame, /STATUS|LAST USED/, "ProGet reports neither: the columns would be made up");
	assert.match(frame, /1000 +deploy bot/);
	assert.doesNotMatch(frame, /-1\b/, "the stand-in id of a key without one is never shown");
});

test("on ProGet a key's detail leaves out what ProGet does not report, and a key without an id cannot be deleted", async (t) => {
	const { ui, standIn } = await consoleOnProGet(t);
	// The key without an id sorts first (its stand-in id is below every real one).
	await ui.press("j", keys.enter);
	const detail = ui.frame();
	assert.match(detail, /Key 1000 · deploy bot/);
	assert.doesNotMatch(detail, /Status:|Created:|Last used:|never stored/, "no made-up status, creation, last use or storage claim");
	assert.match(detail, /Key: +\(hidden\)/);
	assert.match(detail, /Audit trail:\s+\(ProGet has no API to read an audit trail\)/);
	assert.match(detail, /Recent requests:\s+\(ProGet has no API to read access logs/);
	await ui.press(keys.escape, "k", keys.enter);
	assert.match(ui.frame(), /Key \(id not given by the server\) · NoId/);
	await ui.press("d");
	assert.match(ui.frame(), /without an id: change or delete it in ProGet's web UI/);
	assert.doesNotMatch(ui.frame(), /Delete key/, "no question that can only end in a refusal");
	assert.ok(standIn.requests.every((r) => r.path !== "/api/api-keys/delete"), "nothing was sent to delete");
});
