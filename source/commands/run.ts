/**
 * Runs one command: parses argv with meow, checks the options, runs it, and turns every failure
 * into one line on stderr and an exit code. A stack trace appears only with --debug.
 */
import { userInfo } from "node:os";
import meow from "meow";
import { AppError, RuleError } from "../core/errors.js";
import { safeBlock, safeLine } from "../core/terminal-text.js";
import type { FieldName } from "../core/rules.js";
import type { CommandIo, CommandSpec, FlagSpec, Flags } from "./command.js";
import { UsageError } from "./command.js";
import { globalFlags } from "./global-flags.js";
import { commandHelp, kebab } from "./help.js";
import { openBackend, warnOnStderr } from "./open-backend.js";

/** The command-line option that sets each key field, for pgutil-style `--apis error: …` lines. */
const optionOfField: Record<Exclude<FieldName, "type">, string> = {
	displayName: "name",
	description: "description",
	systemApis: "apis",
	packagePermissions: "permissions",
	feed: "feed",
	feedGroup: "group",
	user: "user",
	expiration: "expiration",
	logging: "logging",
	key: "key",
};

export function ruleErrorLines(error: RuleError): string[] {
	return error.errors.map((e) =>
		e.field === "type"
			? `apikeys-tui: key type ${e.message}`
			: `--${optionOfField[e.field]} error: ${e.message}`,
	);
}

function checkOptionNames(argv: string[], flags: Record<string, FlagSpec>): void {
	const known = new Map(Object.entries(flags).map(([name, spec]) => [kebab(name), spec]));
	const seen = new Set<string>();
	for (const token of argv) {
		if (token === "--") break;
		if (token === "-" || !token.startsWith("-") || /^-\d/.test(token)) continue;
		if (!token.startsWith("--")) throw new UsageError(`unexpected argument: ${token}`);
		const name = token.slice(2).split("=")[0] ?? "";
		const spec = known.get(name) ?? (name.startsWith("no-") ? known.get(name.slice(3)) : undefined);
		if (!spec || (name.startsWith("no-") && spec.type !== "boolean")) {
			throw new UsageError(`unexpected argument: ${token.split("=")[0]}`);
		}
		if (!spec.isMultiple && seen.has(name))
			throw new UsageError(`option specified more than once: --${name}`);
		seen.add(name);
	}
}

function parseFlags(spec: CommandSpec, argv: string[]): { flags: Flags; args: string[] } {
	const all = { ...globalFlags, ...spec.flags };
	checkOptionNames(argv, all);
	const meowFlags = Object.fromEntries(
		Object.entries(all).map(([name, flag]) => [
			name,
			{ type: flag.type, isMultiple: flag.isMultiple ?? false },
		]),
	);
	const cli = meow({
		importMeta: import.meta,
		argv,
		flags: meowFlags,
		autoHelp: false,
		autoVersion: false,
		allowUnknownFlags: true,
		booleanDefault: undefined,
		pkg: { name: "apikeys-tui" },
	});
	return { flags: cli.flags as Flags, args: cli.input };
}

function actorName(env: NodeJS.ProcessEnv): string {
	try {
		return `${userInfo().username} (cli)`;
	} catch {
		return `${env.USER ?? env.LOGNAME ?? "unknown"} (cli)`;
	}
}

/** Runs `spec` with `argv` (the words after the command name); resolves to the exit code. */
export async function runCommand(
	spec: CommandSpec,
	argv: string[],
	io: CommandIo,
): Promise<number> {
	let debug = argv.includes("--debug");
	try {
		const { flags, args } = parseFlags(spec, argv);
		debug = flags.debug === true;
		if (flags.help === true) {
			io.stdout(commandHelp(spec));
			return 0;
		}
		let opened: Awaited<ReturnType<typeof openBackend>> | undefined;
		try {
			return (
				(await spec.run({
					flags,
					args,
					io,
					actor: actorName(io.env),
					openBackend: async (use) => {
						opened ??= await openBackend(flags, io, {
							discover: spec.remote !== "pgutil",
							askPassword: spec.name === "console",
							existing: use?.existing === true,
							warn: warnOnStderr(io),
						});
						return opened;
					},
				})) ?? 0
			);
		} finally {
			await opened?.close();
		}
	} catch (error) {
		if (error instanceof UsageError) {
			io.stderr(`${safeLine(error.message)}\n(see apikeys-tui ${spec.name} --help)\n`);
			return 2;
		}
		if (error instanceof RuleError) {
			io.stderr(`${ruleErrorLines(error).map(safeLine).join("\n")}\n`);
			return 2;
		}
		if (error instanceof AppError) {
			io.stderr(`apikeys-tui: ${safeLine(error.message)}\n`);
			return error.kind === "invalid" ? 2 : 1;
		}
		io.stderr(`apikeys-tui: unexpected error: ${safeLine((error as Error).message ?? String(error))}\n`);
		if (debug) io.stderr(`${safeBlock((error as Error).stack ?? "")}\n`);
		else io.stderr("(run again with --debug for details)\n");
		return 1;
	}
}
