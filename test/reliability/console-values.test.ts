/**
 * Awkward values in every field of the console's create wizard, in a real terminal: empty, huge
 * (10,000 characters), unicode, bidi controls, negative, far-past and far-future. Each refused value
 * gets a clear message on the screen — at its step when it can be checked as typed, on the review
 * step otherwise — and nothing is stored; a unicode name the rules accept is stored exactly.
 * (test/cli-values.test.ts covers the same values on the command line.)
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openPty, type PtyTerminal } from "../support/pty-terminal.js";
import { cliPath, runCli } from "../support/run-cli.js";
import { tempDbPath } from "../support/temp-store.js";

const huge = (text: string) => text.repeat(Math.ceil(10_000 / text.length)).slice(0, 10_000);

interface Case {
	type: "System" | "Feed" | "Personal";
	user?: string;
	feed?: string;
	name?: string;
	description?: string;
	/** Typed on the "a date…" step; otherwise the 90-day preset. */
	expiration?: string;
	/** Typed on the custom key step; otherwise a generated key. */
	customKey?: string;
	/** The message a user sees. */
	refused: RegExp;
}

const cases: Case[] = [
	{ type: "Personal", user: "", refused: /✗ a user is required/ },
	{ type: "Personal", user: huge("u"), refused: /✗ user: must be at most 200 characters/ },
	{ type: "Personal", user: "\u202enimda", refused: /✗ user: must not contain control characters/ },
	{ type: "Feed", feed: "", refused: /✗ a name is required/ },
	{ type: "Feed", feed: huge("日本語"), refused: /✗ feed: must be at most 200 characters/ },
	{ type: "System", name: huge("n"), refused: /✗ displayName: must be at most 200 characters/ },
	{ type: "System", name: "invoice\u202efdp.exe", refused: /✗ displayName: must not contain control characters/ },
	{ type: "System", description: huge("é"), refused: /✗ description: must be at most 2000 characters/ },
	{ type: "System", expiration: "", refused: /✗ "" is not a date/ },
	{ type: "System", expiration: "-5d", refused: /✗ "-5d" is not a date/ },
	{ type: "System", expiration: "0001-01-01", refused: /✗ "0001-01-01" is in the past/ },
	{ type: "System", expiration: "1969-12-31", refused: /✗ "1969-12-31" is in the past/ },
	{ type: "System", expiration: "9999-12-31", refused: /✗ "9999-12-31" is beyond the store's maximum lifetime of 365 days/ },
	{ type: "System", expiration: "99999y", refused: /✗ "99999y" is past the year 9999/ },
	{ type: "System", expiration: "+275760-09-13", refused: /✗ "\+275760-09-13" is not a date/ },
	{ type: "System", expiration: huge("9"), refused: /✗ "9{40}…" is not a date/ },
	{ type: "System", expiration: "２０３０-01-01", refused: /✗ "２０３０-01-01" is not a date/ },
	{ type: "System", customKey: "", refused: /✗ a custom key must be at least 16 characters/ },
	{ type: "System", customKey: "-1", refused: /✗ a custom key must be at least 16 characters/ },
	{ type: "System", customKey: huge("k"), refused: /✗ a custom key must be at most 1000 characters/ },
	{ type: "System", customKey: "ключ-ключ-ключ-ключ", refused: /✗ a custom key may only contain printable ASCII characters/ },
];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function stepTitle(screen: string): string | undefined {
	return /step \d+ of \d+: ([^\n]*)/.exec(screen)?.[1]?.trim();
}

/** Types text as a paste would arrive: in chunks, each a single read for the program. */
async function type(term: PtyTerminal, text: string): Promise<void> {
	for (let i = 0; i < text.length; i += 1000) {
		term.write(text.slice(i, i + 1000));
		await pause(20);
	}
}

/** Moves the choice cursor to the line with `label` and presses Enter. */
async function choose(term: PtyTerminal, label: string): Promise<void> {
	const lines = (await term.screen()).split("\n");
	const cursor = lines.findIndex((line) => line.startsWith("›"));
	const target = lines.findIndex((line) => /^[› ] /.test(line) && line.includes(label));
	assert.ok(cursor >= 0 && target >= 0, `no choice "${label}" on:\n${lines.join("\n")}`);
	term.write(`${(target > cursor ? "j" : "k").repeat(Math.abs(target - cursor))}\r`);
}

/**
 * Goes through the wizard with the case's values (defaults elsewhere), stopping at the first step
 * that refuses with the expected message; then Esc back to the key list.
 */
async function refusedInWizard(term: PtyTerminal, value: Case): Promise<void> {
	term.write("n");
	await term.waitFor((s) => stepTitle(s) === "Key type");
	const typed: Record<string, string | undefined> = {
		"User the key acts as": value.user ?? "jrdobbs",
		"Feed name": value.feed ?? "npm",
		Name: value.name ?? "",
		Description: value.description ?? "",
		"Expiration date": value.expiration,
		"Custom key": value.customKey,
	};
	for (let steps = 0; steps < 15; steps++) {
		const screen = await term.screen();
		const title = stepTitle(screen) as string;
		if (title === "Key type") await choose(term, value.type);
		else if (title.startsWith("APIs")) term.write(" \r");
		else if (title === "Which feeds") await choose(term, "one feed");
		else if (title.startsWith("Package permissions")) term.write("\r");
		else if (title === "Expires") await choose(term, value.expiration === undefined ? "90 days" : "a date");
		else if (title === "Key text") await choose(term, value.customKey === undefined ? "generate" : "type one");
		else if (title in typed) {
			await type(term, typed[title] ?? "");
			term.write("\r");
		} else if (title === "Review" || title === "Body logging") term.write("\r");
		else assert.fail(`unexpected step "${title}":\n${screen}`);
		// Either the next step, or this one refusing (the message says why).
		await term.waitFor((s) => value.refused.test(s) || (stepTitle(s) !== undefined && stepTitle(s) !== title), 20_000);
		const after = await term.screen();
		if (value.refused.test(after)) {
			assert.ok(stepTitle(after), `the message is not on a wizard step:\n${after}`);
			// One Escape at a time, each after the last has been taken: a second one still on its way
			// would reach the list just before the next case's "n", and Escape then "n" reads as Alt+N.
			// Taken means the step went back or the list came back: any other change to the screen may
			// be the rest of a frame drawn before the Escape, and an Escape sent then reaches the list
			// and clears its "nothing was created".
			for (let back = 0; back < 15; back++) {
				const before = await term.screen();
				if (/STATUS/.test(before)) break;
				const title = stepTitle(before);
				term.write("\u001b");
				await term.waitFor((s) => /STATUS/.test(s) || (stepTitle(s) !== undefined && stepTitle(s) !== title), 10_000);
			}
			await term.waitFor((s) => s.includes("nothing was created"));
			return;
		}
		assert.doesNotMatch(after, /This is the only time/, `a key was created with ${JSON.stringify(value).slice(0, 200)}`);
	}
	assert.fail(`never refused: ${JSON.stringify(value).slice(0, 200)}`);
}

test("the create wizard refuses empty, huge, unicode, bidi, negative, far-past and far-future values with a clear message and stores nothing", async (t) => {
	const db = tempDbPath(t);
	// A maximum lifetime, so a far-future date is refused too (without one it is a valid expiry).
	const settings = await runCli(["settings", "--set", "max-lifetime-days=365", `--db=${db}`]);
	assert.equal(settings.code, 0, settings.stderr);
	const term = openPty([cliPath, `--db=${db}`], { columns: 100, rows: 30, env: { CI: "false" } });
	t.after(() => term.close());
	await term.waitFor((s) => s.includes("No API keys yet"), 30_000);

	for (const value of cases) await refusedInWizard(term, value);
	const listed = await runCli(["list", "--json", `--db=${db}`]);
	assert.deepEqual(JSON.parse(listed.stdout), [], "a refused value was stored");

	// Unicode the rules accept goes in and comes out exactly as typed.
	const name = "日本語の名前 e\u0301 ＦＵＬＬ";
	const description = "説明 zero\u200bwidth, combining a\u0308";
	term.write("n");
	await term.waitFor((s) => stepTitle(s) === "Key type");
	await choose(term, "System");
	await term.waitFor((s) => stepTitle(s)?.startsWith("APIs") === true);
	term.write(" \r");
	await term.waitFor((s) => stepTitle(s) === "Name");
	await type(term, `${name}\r`);
	await term.waitFor((s) => stepTitle(s) === "Description");
	await type(term, `${description}\r`);
	await term.waitFor((s) => stepTitle(s) === "Expires");
	for (const next of ["Body logging", "Key text", "Review"]) {
		term.write("\r");
		await term.waitFor((s) => stepTitle(s) === next);
	}
	term.write("\r");
	await term.waitFor((s) => s.includes("This is the only time"));
	const [stored] = JSON.parse((await runCli(["list", "--json", `--db=${db}`])).stdout) as Array<{ displayName: string; description: string }>;
	assert.deepEqual([stored?.displayName, stored?.description], [name, description]);

	assert.doesNotMatch(term.output(), /[\u202a-\u202e\u2066-\u2069]/, "a typed bidi control reached the terminal");
});
