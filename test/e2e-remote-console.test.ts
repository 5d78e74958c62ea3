/**
 * The console on a ProGet instance (the stand-in, as strict as pgutil's source shows ProGet), in a
 * real terminal: the password asked without echo, only the requests ProGet documents, and what
 * ProGet lacks shown as unavailable with the reason.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startProGetStandIn } from "./support/proget-standin.js";
import { openConsole } from "./support/console-driver.js";

test("on ProGet with --username: the password is asked without echo; edit says ProGet has no API for it", async (t) => {
	const standIn = await startProGetStandIn(t, {
		apiKey: "admin-key-0123456789",
		user: { name: "jrdobbs", password: "hunter42" },
		keys: [
			{ id: 1000, type: "System", displayName: "deploy bot", systemApis: ["feeds"], logging: "None", expiration: "2030-08-01T00:00:00" },
			{ id: 1001, type: "Feed", displayName: "CI", packagePermissions: ["view"], feedGroup: "prod", logging: "Both" },
		],
	});
	const con = openConsole(t, [`--source=${standIn.url}`, "--username=jrdobbs"], { env: { APIKEYS_TUI_API_KEY: "", APIKEYS_TUI_PASSWORD: "" } });
	await con.expectText("Password for jrdobbs: ");
	await con.type("hunter42\r");
	await con.expectText((frame) => /deploy bot/.test(frame) && /CI/.test(frame));
	assert.ok(!con.terminal.output().includes("hunter42"), "the password is never echoed");
	await con.press("edit");
	await con.expectText("ProGet has no API to change a key");
	assert.ok(standIn.requests.length >= 2);
	for (const request of standIn.requests) {
		assert.ok(["/health", "/api/api-keys/list"].includes(request.path), `only what ProGet documents (${request.method} ${request.path})`);
		assert.equal(request.apiKey, "jrdobbs:hunter42");
	}
	assert.equal(standIn.requests[0]?.path, "/health");
});
