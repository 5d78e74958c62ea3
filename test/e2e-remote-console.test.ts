/**
 * The console on a ProGet instance (the stand-in, as strict as pgutil's source shows ProGet), in a
 * real terminal: the password asked without echo, only the requests ProGet documents, and what
 * ProGet lacks shown as unavailable with the reason.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startProGetStandIn } from "./support/proget-standin.js";
import { openPty } from "./support/pty-terminal.js";

test("on ProGet with --username: the password is asked without echo; edit says ProGet has no API for it", async (t) => {
	const standIn = await startProGetStandIn(t, {
		apiKey: "admin-key-0123456789",
		user: { name: "jrdobbs", password: "hunter42" },
		keys: [
			{ id: 1000, type: "System", displayName: "deploy bot", systemApis: ["feeds"], logging: "None", expiration: "2030-08-01T00:00:00" },
			{ id: 1001, type: "Feed", displayName: "CI", packagePermissions: ["view"], feedGroup: "prod", logging: "Both" },
		],
	});
	const term = openPty(["dist/cli.js", `--source=${standIn.url}`, "--username=jrdobbs"], {
		columns: 100,
		rows: 30,
		env: { APIKEYS_TUI_API_KEY: "", APIKEYS_TUI_PASSWORD: "" },
	});
	t.after(() => term.close());
	await term.waitFor((screen) => screen.includes("Password for jrdobbs: "));
	term.write("hunter42\r");
	await term.waitFor((screen) => /deploy bot/.test(screen) && /CI/.test(screen));
	assert.ok(!term.output().includes("hunter42"), "the password is never echoed");
	term.write("e");
	await term.waitFor((screen) => /ProGet has no API to change a key/.test(screen));
	assert.ok(standIn.requests.length >= 2);
	for (const request of standIn.requests) {
		assert.ok(["/health", "/api/api-keys/list"].includes(request.path), `only what ProGet documents (${request.method} ${request.path})`);
		assert.equal(request.apiKey, "jrdobbs:hunter42");
	}
	assert.equal(standIn.requests[0]?.path, "/health");
});
