/**
 * docs/CLI.md, generated from the data `--help` prints: the registry's commands, each command's
 * spec (summary, usage, options, details) and the global options. `npm run docs` writes it; a test
 * checks that it is current, so the page and `--help` cannot drift apart.
 */
import type { FlagSpec } from "../commands/command.js";
import { globalFlags } from "../commands/global-flags.js";
import { optionRows } from "../commands/help.js";
import { commands } from "../commands/registry.js";

/** What holds for every command, which no single spec says. */
const conventions = `
Options work as \`--opt=value\` (pgutil's form) and \`--opt value\`; \`-?\` is \`--help\`, as in pgutil.
pgutil's spelling works too: \`apikeys-tui apikeys create|list|delete …\`. Enum values (\`System\`,
\`BOTH\`, …) are accepted in any letter case; \`--json\` prints them in lower case, \`list\` as pgutil does
(\`System\`, \`None\`). Every command's \`--json\` writes control characters (C0, C1, bidi) as \`\\u\`
escapes, so no value printed can drive a terminal; they parse back to the same text.

No command needs a secret on its command line, which every user of the host can see: \`--key=-\`,
\`--api-key=-\` and \`--password=-\` read it from standard input, \`import -\` reads keys from it, and a
remote instance's key or password may come from the environment (\`APIKEYS_TUI_API_KEY\`,
\`APIKEYS_TUI_PASSWORD\`). A remote instance is \`--source\`: see [REMOTE.md](REMOTE.md).

Exit codes: **0** success, **1** failure at run time (unknown id, unusable store, a port in use), **2**
usage error (a bad option or a value the key rules refuse), **141** the output pipe closed (\`| head\`;
quietly, as any Unix tool). Errors are one line on stderr; \`--debug\` adds the stack trace of an
unexpected error.

## The store a command uses

| what | where |
|---|---|
| default store | \`$XDG_DATA_HOME/apikeys-tui/keys.db\`, else \`~/.local/share/apikeys-tui/keys.db\` |
| another store | \`--db PATH\` on any command, or \`APIKEYS_TUI_DB=PATH\` |
| the store's secret | \`PATH.secret\` beside the database |
| a PostgreSQL store | \`--db=postgres://HOST/DB\` with \`--secret-file=PATH\` (or \`APIKEYS_TUI_SECRET_FILE\`); see [STORE.md](STORE.md#postgresql) |

A store is created on first use by the console or a command that adds keys (\`create\`, \`import\`,
\`settings --set\`, \`seed\`): the file with mode 0600, its folder 0700, never into a file or through a
link already there. Reading commands (\`list\`, \`logs\`, \`status\`, \`settings\`, \`serve\`) and those that
change a key by id (\`delete\`, \`update\`, …) never create one: on a mistyped path they say
\`no store at PATH\` (exit 1). A store uses SQLite's WAL mode and a 10 s busy timeout, so the console, a
command and the server can use one store at the same time. Its schema is applied from the numbered SQL
files in \`db/\` and recorded in the file; a store made by an earlier version is brought up to date in
place when it is opened (after which earlier versions refuse it), keeping its keys and access log.

Refused with a one-line message and exit 1, and left untouched: a store written by a newer
apikeys-tui, a file that is not SQLite, another program's database, a damaged file, a store whose file
is gone while its \`.secret\` file is still there (it was deleted: restore it from a backup rather than
start an empty one), a full disk and a read-only file system, each said in those words. A store file
deleted or replaced under a running console or server stops every change at once with that reason
(nothing is written to a file nobody will read again); the server answers 503 until it is restarted.
How the files are made and guarded, and how to back them up: [STORE.md](STORE.md).
`;

/** A table cell: `|` would end the cell. */
function cell(text: string): string {
	return text.replaceAll("|", "\\|");
}

function optionTable(flags: Record<string, FlagSpec>): string[] {
	return [
		"| option | meaning |",
		"|---|---|",
		...optionRows(flags).map(([option, meaning]) => `| \`${cell(option)}\` | ${cell(meaning)} |`),
	];
}

/** The page, in the registry's order. */
export async function cliMarkdown(): Promise<string> {
	const specs = await Promise.all(commands.map(async (entry) => ({ entry, spec: await entry.load() })));
	const lines = [
		"# Command line",
		"",
		"Generated from the command specs by `npm run docs` (the same data as `apikeys-tui COMMAND --help`);",
		"a test fails when this page is out of date. `apikeys-tui` with no command opens the console.",
		conventions,
		"## Commands",
		"",
		"| command | what it does |",
		"|---|---|",
		...commands.map((c) => `| [\`${c.name}\`](#${c.name}) | ${cell(c.summary)} |`),
		"",
		"## Global options",
		"",
		"Every command takes these.",
		"",
		...optionTable(globalFlags),
	];
	for (const { entry, spec } of specs) {
		lines.push("", `## ${entry.name}`, "", spec.summary, "", "```", spec.usage, "```");
		if (Object.keys(spec.flags).length > 0) lines.push("", ...optionTable(spec.flags));
		if (spec.details) lines.push("", "```text", spec.details.trim(), "```");
	}
	return `${lines.join("\n")}\n`;
}
