/**
 * The console (what `apikeys-tui` with no command opens). Ink is loaded only here, and only when
 * there is a terminal to draw on; without one, a hint and the store's status are printed instead.
 */
import type { CommandSpec } from "./command.js";
import { statusCommand } from "./status.js";

export const consoleCommand: CommandSpec = {
	name: "console",
	summary: "Opens the interactive console on the store (the default when no command is given).",
	usage: "apikeys-tui [console] [--db=PATH] [--readonly]",
	details: "Keys: ? in the console, or docs/KEYS.md. NO_COLOR is honoured.",
	flags: {
		readonly: { type: "boolean", description: "Browse only: every action that changes the store is off" },
	},
	async run(ctx) {
		if (!process.stdin.isTTY || !process.stdout.isTTY) {
			ctx.io.stderr("apikeys-tui: the console needs a terminal; see apikeys-tui --help for the commands\n");
			return statusCommand.run({ ...ctx, flags: { ...ctx.flags, json: false } });
		}
		const backend = await ctx.openBackend();
		const { runConsole } = await import("../ui/run-console.js");
		return runConsole(backend, { readOnly: ctx.flags.readonly === true, actor: ctx.actor.replace("(cli)", "(console)"), env: ctx.io.env });
	},
};
