#!/usr/bin/env node
import type { CommandIo } from "./commands/command.js";
import { globalFlags } from "./commands/global-flags.js";
import { kebab } from "./commands/help.js";
import { version } from "./commands/version.js";
/**
 * The entry point. Finds the command in argv and loads only what it needs: a command runs
 * without ever importing Ink.
 */
import { commands, findCommand } from "./commands/registry.js";
import { runCommand } from "./commands/run.js";

function readStdin(): Promise<string> {
	return new Promise((resolve, reject) => {
		if (process.stdin.isTTY) {
			reject(new Error("standard input is a terminal: pipe the input in"));
			return;
		}
		const chunks: Buffer[] = [];
		process.stdin.on("data", (chunk: Buffer) => chunks.push(chunk));
		process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
		process.stdin.on("error", reject);
	});
}

/** What a program killed by SIGPIPE reports to its shell (128 + 13), so `set -o pipefail` sees the same as for any Unix tool. */
const closedPipeExitCode = 141;

// Every command and the console write through these two streams: a reader that went away
// (`| head`) ends the program quietly instead of with an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
	stream.on("error", (error: NodeJS.ErrnoException) => {
		if (error.code === "EPIPE") process.exit(closedPipeExitCode);
		throw error;
	});
}

/** Reads one line from the terminal with echo off (a password); Ctrl-C or Ctrl-D gives up. */
function askSecret(prompt: string): Promise<string> {
	const input = process.stdin;
	if (!input.isTTY) return Promise.reject(new Error("standard input is not a terminal"));
	// Echo goes off before the prompt is shown, so a password typed the moment the prompt appears
	// (or typed ahead over a slow link) is never echoed by the terminal.
	input.setRawMode(true);
	process.stderr.write(prompt);
	return new Promise((resolve, reject) => {
		let typed = "";
		const finish = (error?: Error) => {
			input.off("data", onData);
			input.setRawMode(false);
			input.pause();
			process.stderr.write("\n");
			if (error) reject(error);
			else resolve(typed);
		};
		const onData = (chunk: Buffer) => {
			for (const char of chunk.toString("utf8")) {
				if (char === "\r" || char === "\n") return finish();
				if (char === "\u0003" || char === "\u0004") return finish(new Error("no password given"));
				if (char === "\u007f" || char === "\b") typed = [...typed].slice(0, -1).join("");
				else if (char >= " ") typed += char;
			}
		};
		input.resume();
		input.on("data", onData);
	});
}

const io: CommandIo = {
	stdout: (text) => process.stdout.write(text),
	stderr: (text) => process.stderr.write(text),
	readStdin,
	askSecret,
	env: process.env,
};

/** pgutil's `apikeys` commands, reached the same way: `apikeys-tui apikeys list`. */
const pgutilApikeysCommands = new Set(["create", "list", "delete"]);

/** The command word: the first word that is not an option or a global option's value. */
function splitCommand(argv: string[]): { name: string | undefined; rest: string[] } {
	const takesValue = new Set(
		Object.entries(globalFlags)
			.filter(([, spec]) => spec.type === "string")
			.map(([name]) => `--${kebab(name)}`),
	);
	for (let i = 0; i < argv.length; i++) {
		const token = argv[i] as string;
		if (token === "--") break;
		if (takesValue.has(token)) {
			i++;
			continue;
		}
		if (!token.startsWith("-"))
			return { name: token, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
	}
	return { name: undefined, rest: argv };
}

function mainHelp(): string {
	const width = Math.max(...commands.map((c) => c.name.length)) + 2;
	return `apikeys-tui ${version}: API keys in the ProGet model, over a local store or a remote instance.

Usage:
  apikeys-tui [--db=PATH]            open the store (the console)
  apikeys-tui COMMAND [options]      run one command; apikeys-tui COMMAND --help (or -?) for its options
  apikeys-tui apikeys create|list|delete ...   the same, as pgutil spells it

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join("\n")}

Global options:
  --db=PATH        the store file (default $APIKEYS_TUI_DB, else $XDG_DATA_HOME/apikeys-tui/keys.db)
  --db=postgres://[USER@]HOST[,HOST2…]/DB  a PostgreSQL store instead, with --secret-file=PATH
                   (or $APIKEYS_TUI_SECRET_FILE); the password from PGPASSWORD, ~/.pgpass or the
                   URL in $APIKEYS_TUI_DB, never on argv (other users can read it there)
  --profile=NAME   the product profile of a new store: proget (default) or otter
  --source=URL|NAME  a remote instance (ProGet or apikeys-tui serve) instead of a store;
                   its key from --api-key=-, $APIKEYS_TUI_API_KEY or the stored source,
                   or a user: --username with --password=- or $APIKEYS_TUI_PASSWORD
  --debug          show the stack trace of an unexpected error
  --help, --version

Exit codes: 0 success, 1 failure, 2 usage error, 141 the output pipe was closed (| head).
`;
}

/** `apikeys -?`: the commands pgutil's `apikeys` has, as ours are spelt without it too. */
function apikeysHelp(): string {
	const listed = commands.filter((c) => pgutilApikeysCommands.has(c.name));
	return `Manages API keys, as pgutil apikeys does (the same commands work without "apikeys").

Usage: apikeys-tui apikeys create|list|delete [options]; apikeys-tui apikeys COMMAND -? for its options

Commands:
${listed.map((c) => `  ${c.name.padEnd(8)}${c.summary}`).join("\n")}
`;
}

/**
 * `-?` is pgutil's help option, read as --help before `--`
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/ConsoleMan/Command.cs#L99).
 */
function helpAliases(argv: string[]): string[] {
	const end = argv.indexOf("--");
	return argv.map((token, i) => (token === "-?" && (end < 0 || i < end) ? "--help" : token));
}

async function main(args: string[]): Promise<number> {
	const argv = helpAliases(args);
	let { name, rest } = splitCommand(argv);
	if (name === "apikeys") {
		({ name, rest } = splitCommand(rest));
		if (name === undefined && rest.includes("--help")) {
			io.stdout(apikeysHelp());
			return 0;
		}
		if (name === undefined || !pgutilApikeysCommands.has(name)) {
			io.stderr("apikeys-tui: apikeys takes create, list or delete, as pgutil's does (see apikeys-tui --help)\n");
			return 2;
		}
	}
	if (name === undefined) {
		if (rest.includes("--version")) {
			io.stdout(`${version}\n`);
			return 0;
		}
		if (rest.includes("--help") || rest.includes("-h")) {
			io.stdout(mainHelp());
			return 0;
		}
		const consoleEntry = findCommand("console");
		return consoleEntry ? runCommand(await consoleEntry.load(), rest, io) : 1;
	}
	const entry = findCommand(name);
	if (!entry) {
		io.stderr(`apikeys-tui: unknown command "${name}" (see apikeys-tui --help)\n`);
		return 2;
	}
	return runCommand(await entry.load(), rest, io);
}

process.exitCode = await main(process.argv.slice(2));
