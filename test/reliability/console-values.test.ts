/**
 * Awkward values in every field of the console's create wizard, in a real terminal: empty, huge
 * (10,000 characters), unicode, bidi controls, negative, far-past and far-future. Each refused value
 * gets a clear message on the screen — at its step when it can be checked as typed, on the review
 * step otherwise — and nothing is stored; a unicode name the rules accept is stored exactly.
 * (test/cli-values.test.ts covers the same values on the command line.)
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openConsole } from "../support/console-driver.js";
import type { NewKey } from "../support/console-wizard.js";
import { runCli } from "../support/run-cli.js";
import { tempDbPath } from "../support/temp-store.js";

const huge = (text: string) => text.repeat(Math.ceil(10_000 / text.length)).slice(0, 10_000);

interface Case {
	/** The values walked through the wizard: the awkward one, defaults elsewhere (a typed expiration is typed on the "a date…" step). */
	key: NewKey;
	/** The message a user sees. */
	refused: RegExp;
}

const cases: Case[] = [
	{ key: { type: "personal", user: "" }, refused: /✗ a user is required/ },
	{ key: { type: "personal", user: huge("u") }, refused: /✗ user: must be at most 200 characters/ },
	{ key: { type: "personal", user: "\u202enimda" }, refused: /✗ user: must not contain control characters/ },
	{ key: { type: "feed", feeds: { feed: "" } }, refused: /✗ a name is required/ },
	{ key: { type: "feed", feeds: { feed: huge("日本語") } }, refused: /✗ feed: must be at most 200 characters/ },
	{ key: { type: "system", name: huge("n") }, refused: /✗ displayName: must be at most 200 characters/ },
	{ key: { type: "system", name: "invoice\u202efdp.exe" }, refused: /✗ displayName: must not contain control characters/ },
	{ key: { type: "system", description: huge("é") }, refused: /✗ description: must be at most 2000 characters/ },
	{ key: { type: "system", expiration: "" }, refused: /✗ "" is not a date/ },
	{ key: { type: "system", expiration: "-5d" }, refused: /✗ "-5d" is not a date/ },
	{ key: { type: "system", expiration: "0001-01-01" }, refused: /✗ "0001-01-01" is in the past/ },
	{ key: { type: "system", expiration: "1969-12-31" }, refused: /✗ "1969-12-31" is in the past/ },
	{ key: { type: "system", expiration: "9999-12-31" }, refused: /✗ "9999-12-31" is beyond the store's maximum lifetime of 365 days/ },
	{ key: { type: "system", expiration: "99999y" }, refused: /✗ "99999y" is past the year 9999/ },
	{ key: { type: "system", expiration: "+275760-09-13" }, refused: /✗ "\+275760-09-13" is not a date/ },
	{ key: { type: "system", expiration: huge("9") }, refused: /✗ "9{40}…" is not a date/ },
	{ key: { type: "system", expiration: "２０３０-01-01" }, refused: /✗ "２０３０-01-01" is not a date/ },
	{ key: { type: "system", key: "" }, refused: /✗ a custom key must be at least 16 characters/ },
	{ key: { type: "system", key: "-1" }, refused: /✗ a custom key must be at least 16 characters/ },
	{ key: { type: "system", key: huge("k") }, refused: /✗ a custom key must be at most 1000 characters/ },
	{ key: { type: "system", key: "ключ-ключ-ключ-ключ" }, refused: /✗ a custom key may only contain printable ASCII characters/ },
];

test("the create wizard refuses empty, huge, unicode, bidi, negative, far-past and far-future values with a clear message and stores nothing", async (t) => {
	const db = tempDbPath(t);
	// A maximum lifetime, so a far-future date is refused too (without one it is a valid expiry).
	const settings = await runCli(["settings", "--set", "max-lifetime-days=365", `--db=${db}`]);
	assert.equal(settings.code, 0, settings.stderr);
	const con = openConsole(t, [`--db=${db}`]);
	await con.expectText("No API keys yet", 30_000);

	for (const value of cases) {
		// The wizard stops at the first step that refuses (as typed, or on Enter; the review when only it can tell).
		const refusal = await con.wizard.refusal(value.key);
		assert.match(refusal.frame, value.refused, `refused at "${refusal.step}" with ${JSON.stringify(value.key).slice(0, 200)}`);
		await con.wizard.cancel();
		await con.expectText("nothing was created");
	}
	const listed = await runCli(["list", "--json", `--db=${db}`]);
	assert.deepEqual(JSON.parse(listed.stdout), [], "a refused value was stored");

	// Unicode the rules accept goes in and comes out exactly as typed.
	const name = "日本語の名前 e\u0301 ＦＵＬＬ";
	const description = "説明 zero\u200bwidth, combining a\u0308";
	await con.wizard.create({ type: "system", name, description });
	const [stored] = JSON.parse((await runCli(["list", "--json", `--db=${db}`])).stdout) as Array<{ displayName: string; description: string }>;
	assert.deepEqual([stored?.displayName, stored?.description], [name, description]);

	assert.doesNotMatch(con.terminal.output(), /[\u202a-\u202e\u2066-\u2069]/, "a typed bidi control reached the terminal");
});
