import assert from "node:assert/strict";
import { test } from "node:test";
import type { CommandIo } from "../source/commands/command.js";
import { commands, findCommand } from "../source/commands/registry.js";
import { runCommand } from "../source/commands/run.js";
import { LocalStore } from "../source/store/local-store.js";
import { tempDbPath } from "./support/temp-store.js";

const awkwardValues = [
	"",
	"-1",
	"0",
	"99999999999999999999",
	"x".repeat(5000),
	"日本語のキー名",
	"e\u0301\u200d👩‍💻",
	"\u001b]52;c;aGk=\u0007",
	"\u202eevil",
	"0001-01-01",
	"9999-12-31T23:59:59Z",
	"NaN",
	"null",
	"[]",
	"--",
];

function capture(stdin = ""): { io: CommandIo; out: () => string; err: () => string } {
	let out = "";
	let err = "";
	return {
		io: {
			stdout: (text) => {
				out += text;
			},
			stderr: (text) => {
				err += text;
			},
			readStdin: async () => stdin,
			env: {},
		},
		out: () => out,
		err: () => err,
	};
}

async function snapshot(db: string): Promise<string> {
	const store = LocalStore.open(db);
	try {
		return JSON.stringify({ keys: await store.listKeys(), settings: await store.getSettings() });
	} finally {
		await store.close();
	}
}

test("every option of every command, given awkward values: a clear message or success, never a crash", async (t) => {
	const db = tempDbPath(t);
	const seed = capture();
	const create = findCommand("create");
	assert.ok(create);
	assert.equal(await runCommand(await create.load(), ["personal", "--user=seed", `--db=${db}`], seed.io), 0);
	let runs = 0;
	// serve would listen until stopped, and the console would draw on a terminal: both have their own tests.
	for (const entry of commands.filter((c) => c.name !== "serve" && c.name !== "console")) {
		const spec = await entry.load();
		const leading = spec.name === "create" ? ["system"] : spec.name === "import" ? ["-"] : [];
		for (const [flag, flagSpec] of Object.entries(spec.flags)) {
			if (flagSpec.type !== "string") continue;
			const option = flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
			for (const value of awkwardValues) {
				const before = await snapshot(db);
				const run = capture("[]");
				const code = await runCommand(spec, [...leading, `--${option}=${value}`, `--db=${db}`], run.io);
				runs++;
				const context = `${spec.name} --${option}=${JSON.stringify(value).slice(0, 40)}: ${run.err()}`;
				assert.ok([0, 1, 2].includes(code), context);
				assert.ok(!run.err().includes("unexpected error"), context);
				assert.ok(!/\n\s+at /.test(run.err()), `stack trace: ${context}`);
				if (code !== 0) {
					assert.ok(run.err().trim().length > 0, `a failure says why: ${context}`);
					assert.equal(await snapshot(db), before, `nothing changed on failure: ${context}`);
				}
			}
		}
	}
	assert.ok(runs > 500, `${runs} runs`);
});
