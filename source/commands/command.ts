/**
 * What every non-interactive command shares: its declared options, how argv is parsed (meow),
 * the one-line errors and the exit codes (0 success, 1 failure at run time, 2 usage error).
 */
import type { Backend } from "../core/backend.js";

export type FlagType = "string" | "boolean";

export interface FlagSpec {
	type: FlagType;
	/** One line for `--help`. */
	description: string;
	placeholder?: string;
	isMultiple?: boolean;
}

export type Flags = Record<string, string | boolean | string[] | undefined>;

export interface CommandIo {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
	/** Reads all of standard input (for `--key=-` and `import -`). */
	readStdin: () => Promise<string>;
	/** Asks for a secret on the terminal without echoing it (absent when there is no terminal). */
	askSecret?: (prompt: string) => Promise<string>;
	env: NodeJS.ProcessEnv;
}

export interface BackendUse {
	existing?: boolean;
	/** Hears what is wrong with a store but does not stop it opening. */
	warn?: (message: string) => void;
}

export interface CommandContext {
	/** Option values by their camelCase name; empty strings are treated as not given. */
	flags: Flags;
	/** Positional words after the command name (and subcommand, where there is one). */
	args: string[];
	io: CommandIo;
	/**
	 * Opens the store or remote instance the global options point at. A read command passes
	 * `{ existing: true }`: a local store that is not there is an error, never made empty.
	 */
	openBackend: (use?: BackendUse) => Promise<Backend>;
	/** Who the audit trail says made a change. */
	actor: string;
}

export interface CommandSpec {
	name: string;
	summary: string;
	/** The usage line(s), e.g. `apikeys-tui delete --id=N`. */
	usage: string;
	/** Extra help text: details and examples. */
	details?: string;
	flags: Record<string, FlagSpec>;
	/**
	 * On a remote instance: "pgutil" for pgutil's own commands (create, list, delete), which send
	 * exactly its requests and ask nothing first; without it the instance is asked what it can do.
	 */
	remote?: "pgutil";
	/** Resolves to the exit code, or nothing for 0. */
	run: (ctx: CommandContext) => Promise<number | void>;
}

/** A mistake in how the command was called: printed as one line, exit 2. */
export class UsageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "UsageError";
	}
}

/** `--apis error: …`, pgutil's form for a bad option value. */
export function optionError(option: string, message: string): UsageError {
	return new UsageError(`--${option} error: ${message}`);
}

export function stringFlag(flags: Flags, name: string): string | undefined {
	const value = flags[name];
	if (typeof value !== "string") return undefined;
	return value === "" ? undefined : value;
}

export function requireIdFlag(flags: Flags, option = "id"): number {
	const raw = stringFlag(flags, option);
	if (raw === undefined) throw new UsageError(`missing required argument: --${option}`);
	if (!/^\d{1,9}$/.test(raw.trim()))
		throw optionError(option, `"${raw}" is not a key id (a whole number)`);
	return Number(raw.trim());
}
