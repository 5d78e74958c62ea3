/** The server's pure parts (redaction, body cuts, request targets, JSON limits, reply batching) and its one seam to a store. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { EndOfTurnWrites } from "../source/server/end-of-turn.js";
import { bodyForLog, redactSecrets } from "../source/server/redact.js";
import { parseJson } from "../source/server/request-body.js";
import { requestTarget } from "../source/server/request-target.js";

test("the server reaches a store only through the ServedStore seam: no file of it imports a store engine", () => {
	const folder = new URL("../source/server/", import.meta.url);
	const files = readdirSync(folder, { recursive: true, encoding: "utf8" }).filter((name) => /\.tsx?$/.test(name));
	assert.ok(files.includes("api-server.ts") && files.includes("routes.ts"));
	for (const name of files) {
		const text = readFileSync(new URL(name, folder), "utf8");
		assert.doesNotMatch(text, /["'](\.\.\/)+store\//, `${name} imports from source/store`);
		assert.doesNotMatch(text, /local-store/, `${name} names the SQLite engine`);
	}
});

test("redaction: a key is replaced as typed, URL-encoded, form-encoded and JSON-escaped", () => {
	const plain = "0123456789abcdef0123456789abcdef01234567";
	assert.equal(redactSecrets(`/x?key=${plain}&a=${plain}`, [plain]), "/x?key=[redacted]&a=[redacted]");
	const custom = 'my key & "quoted" é+/';
	const text = [custom, encodeURIComponent(custom), new URLSearchParams({ k: custom }).toString().slice(2), JSON.stringify(custom).slice(1, -1)].join(" | ");
	assert.equal(redactSecrets(text, [custom]), "[redacted] | [redacted] | [redacted] | [redacted]");
	assert.equal(redactSecrets("nothing here", [custom, ""]), "nothing here");
});

test("a logged body is cut at the store's cap on a character boundary, and not logged at a cap of 0", () => {
	assert.equal(bodyForLog("short", false, [], 100), "short");
	assert.equal(bodyForLog("ééééé", false, [], 5), "éé… [cut at 5 bytes]");
	assert.equal(bodyForLog("x".repeat(10), false, [], 10), "x".repeat(10));
	assert.equal(bodyForLog(Buffer.from("abc"), false, [], 0), null);
});

test("request targets split as URL parsing would: plain ones directly, the rest through URL", () => {
	for (const raw of ["/api/api-keys/list", "/api/api-keys/get?id=5", "/api/api-keys/list?", "/health/", "/a?b=c+d&e=%2Fx", "/api/../api/api-keys/list", "//x", "/a%20b?x=%ZZ", "/x?#frag"]) {
		const url = new URL(raw, "http://localhost");
		const target = requestTarget(raw);
		assert.equal(target.pathname, url.pathname, raw);
		assert.equal(target.search, url.search, raw);
		assert.deepEqual([...target.query], [...url.searchParams], raw);
	}
});

test("a JSON body is refused only for real nesting past 32 levels or bad UTF-8, whatever its brackets inside strings", () => {
	const deep = (levels: number) => Buffer.from(`${"[".repeat(levels)}${"]".repeat(levels)}`);
	assert.deepEqual(parseJson(Buffer.from(JSON.stringify({ name: "[".repeat(40) + "{".repeat(40) }))), { name: "[".repeat(40) + "{".repeat(40) });
	assert.equal((parseJson(deep(32)) as unknown[]).length, 1);
	assert.throws(() => parseJson(deep(33)), /nested deeper than 32/);
	assert.deepEqual(parseJson(Buffer.from('{"name":"Zoë ✓"}')), { name: "Zoë ✓" });
	assert.throws(() => parseJson(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])), /not valid UTF-8/);
});

test("replies made in one event-loop turn are written together at its end, in order, and at once when maxHeld are held", async () => {
	const writes = new EndOfTurnWrites(3);
	const written: string[] = [];
	writes.add(() => written.push("a"));
	writes.add(() => written.push("b"));
	assert.equal(written.length, 0, "held while the turn runs");
	await new Promise((resolve) => setImmediate(resolve));
	assert.deepEqual(written, ["a", "b"]);
	writes.add(() => written.push("c"));
	writes.add(() => written.push("d"));
	writes.add(() => written.push("e"));
	assert.deepEqual(written, ["a", "b", "c", "d", "e"], "the third held reply sends all three");
	writes.add(() => written.push("f"));
	await new Promise((resolve) => setImmediate(resolve));
	assert.deepEqual(written, ["a", "b", "c", "d", "e", "f"]);
});
