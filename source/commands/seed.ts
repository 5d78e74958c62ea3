/** `apikeys-tui seed`: fills a store with realistic demo keys and access-log entries. */
import { seedDemoData } from "../store/demo-data.js";
import { type CommandSpec, optionError, stringFlag } from "./command.js";
import { openLocalStore, warnOnStderr } from "./open-backend.js";

function count(text: string | undefined, fallback: number, option: string, max: number): number {
	if (text === undefined) return fallback;
	if (!/^\d{1,9}$/.test(text) || Number(text) > max) throw optionError(option, `must be a whole number from 0 to ${max}`);
	return Number(text);
}

export const seedCommand: CommandSpec = {
	name: "seed",
	summary: "Fills a store with realistic demo keys and access-log entries, to try every screen.",
	usage: "apikeys-tui seed --db=PATH [--keys=60] [--logs=5000]",
	details: `
Use a throw-away store: the demo keys are real keys (their text is not shown).
  apikeys-tui seed --db=/tmp/demo.db && apikeys-tui --db=/tmp/demo.db`,
	flags: {
		keys: { type: "string", placeholder: "N", description: "How many keys to add (default 60)" },
		logs: { type: "string", placeholder: "N", description: "How many access-log entries to add (default 5000)" },
	},
	async run({ flags, io, actor }) {
		const keys = count(stringFlag(flags, "keys"), 60, "keys", 1_000_000);
		const logs = count(stringFlag(flags, "logs"), 5000, "logs", 10_000_000);
		const store = openLocalStore(flags, io.env, { warn: warnOnStderr(io) }, "seed");
		try {
			const seeded = await seedDemoData(store, keys, logs, actor);
			io.stdout(`Added ${seeded.keyIds.length} keys and ${logs} access-log entries to ${store.location}.\n`);
		} finally {
			await store.close();
		}
	},
};
