/**
 * The console (what `apikeys-tui` with no command opens). Ink is loaded only here, and only when
 * there is a terminal to draw on; without one, a hint and the store's status are printed instead.
 */
import type * as ConsoleView from "../ui/console-view.js";
import { runConsole } from "../ui/run-console.js";
import type { CommandSpec } from "./command.js";
import { resolveSource } from "./open-backend.js";
import { statusCommand } from "./status.js";

/**
 * Imports Ink and the screens. Yoga, Ink's layout engine, loads its WebAssembly through the global
 * fetch when there is one, and Node builds fetch (undici) on first use, which slows the start
 * (docs/PERFORMANCE.md). Without fetch, Yoga decodes the same bytes in place. fetch is back once
 * the import is done; the remote client does not use it (source/remote/http-exchange.ts).
 */
async function importView(): Promise<typeof ConsoleView> {
	const { fetch } = globalThis;
	Reflect.set(globalThis, "fetch", undefined);
	try {
		return await import("../ui/console-view.js");
	} finally {
		globalThis.fetch = fetch;
	}
}

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
		// A remote instance answers in round trips: Ink is imported meanwhile, and the console's first
		// requests go before it is in. A local store opens in a few milliseconds, and Ink after it.
		const readOnly = ctx.flags.readonly === true;
		const remoteView = resolveSource(ctx.flags, ctx.io.env) ? importView() : undefined;
		// Browsing changes nothing: a store that is not there is not made (on either engine).
		const backend = await ctx.openBackend(remoteView ? undefined : { existing: readOnly });
		const options = { readOnly, actor: ctx.actor.replace("(cli)", "(console)"), env: ctx.io.env };
		return runConsole(backend, remoteView ?? importView(), options);
	},
};
