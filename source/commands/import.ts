/**
 * `apikeys-tui import FILE`: brings existing keys, with their secret text, into the store (e.g. a
 * migration from Artifactory or another ProGet). All or nothing, with a report of every refusal.
 */
import { safeLine, terminalJson } from "../core/terminal-text.js";
import { readFileSync } from "node:fs";
import type { ImportItem, ImportReport } from "../core/backend.js";
import { hasKnownId } from "../core/model.js";
import { type CommandSpec, optionError, stringFlag, UsageError } from "./command.js";
import { parseCsv } from "./csv.js";

/** CSV header names (any case) and the ApiKeyInfo field each fills. */
const csvColumns: Record<string, keyof ImportItem> = {
	type: "type",
	key: "key",
	displayname: "displayName",
	name: "displayName",
	description: "description",
	systemapis: "systemApis",
	apis: "systemApis",
	packagepermissions: "packagePermissions",
	permissions: "packagePermissions",
	feed: "feed",
	feedgroup: "feedGroup",
	group: "feedGroup",
	user: "user",
	expiration: "expiration",
	logging: "logging",
};
const listColumns = new Set<keyof ImportItem>(["systemApis", "packagePermissions"]);

function itemsFromCsv(text: string): ImportItem[] {
	let rows: string[][];
	try {
		rows = parseCsv(text);
	} catch (error) {
		throw new UsageError(`the CSV cannot be read: ${(error as Error).message}`);
	}
	const [header, ...data] = rows;
	if (!header)
		throw new UsageError(
			"the CSV is empty: expected a header row such as type,key,displayName,...",
		);
	const fields = header.map((name) => {
		const field = csvColumns[name.trim().toLowerCase()];
		if (!field) throw new UsageError(`the CSV has an unknown column "${name}"`);
		return field;
	});
	return data.map((cells) => {
		const item: ImportItem = {};
		fields.forEach((field, column) => {
			const cell = (cells[column] ?? "").trim();
			if (cell === "") return;
			item[field] = listColumns.has(field) ? cell.split(/[;,]/).map((v) => v.trim()) : cell;
		});
		return item;
	});
}

function itemsFromJson(text: string): ImportItem[] {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new UsageError(`the JSON cannot be read: ${(error as Error).message}`);
	}
	const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown } | null)?.keys;
	if (!Array.isArray(list))
		throw new UsageError("the JSON must be an array of keys (or an object with a keys array)");
	return list.map((item, index) => {
		if (typeof item !== "object" || item === null || Array.isArray(item)) {
			throw new UsageError(`item ${index + 1} of the JSON is not an object`);
		}
		return item as ImportItem;
	});
}

/** "items 3–5, 8": the 1-based item numbers of `indexes` (ascending), runs shortened. */
function itemRanges(indexes: number[]): string {
	const runs: string[] = [];
	for (let at = 0; at < indexes.length;) {
		let end = at;
		while (end + 1 < indexes.length && (indexes[end + 1] as number) === (indexes[end] as number) + 1) end++;
		const first = (indexes[at] as number) + 1;
		const last = (indexes[end] as number) + 1;
		runs.push(first === last ? `${first}` : `${first}–${last}`);
		at = end + 1;
	}
	return `item${indexes.length === 1 ? "" : "s"} ${runs.join(", ")}`;
}

const label = (index: number, name: string | null) => `item ${index + 1}${name ? ` (${safeLine(name)})` : ""}`;

/** ProGet may answer a create without an id (`int?`): then it is unknown, never the stand-in number. */
const idText = (id: number) => (hasKnownId({ id }) ? `id ${id}` : "id unknown (the server did not say it)");

/** The report as JSON: an unknown id left out, as `list --json` leaves it out. */
function reportJson(report: ImportReport): unknown {
	return { ...report, imported: report.imported.map((i) => (hasKnownId(i) ? i : { index: i.index, displayName: i.displayName })) };
}

/**
 * A remote import is a create per key: one that fails part-way keeps the keys made before it,
 * and says exactly which, and which were not imported.
 */
function formatStoppedImport(report: ImportReport, total: number): string {
	const failure = report.refused[0];
	const imported = new Set(report.imported.map((i) => i.index));
	const missing = Array.from({ length: total }, (_, index) => index).filter((index) => !imported.has(index));
	const count = report.imported.length;
	const lines = [
		failure
			? `The import stopped at ${label(failure.index, failure.displayName)}: ${safeLine(failure.reason)}`
			: "The import stopped part-way.",
		`Created before it stopped, and kept: ${count} API key${count === 1 ? "" : "s"}.`,
		...report.imported.map((i) => `  ${label(i.index, i.displayName)} → ${idText(i.id)}`),
		`Not imported: ${itemRanges(missing)}. A create the server never answered may still have happened: check the list before importing these again.`,
	];
	return `${lines.join("\n")}\n`;
}

function formatReport(report: ImportReport, partial: boolean, total: number): string {
	if (report.refused.length > 0 && !partial && report.imported.length > 0) return formatStoppedImport(report, total);
	const lines: string[] = [];
	if (report.refused.length > 0) {
		lines.push(`Refused ${report.refused.length} of the keys:`);
		for (const r of report.refused) lines.push(`  ${label(r.index, r.displayName)}: ${safeLine(r.reason)}`);
	}
	if (report.refused.length > 0 && !partial) {
		lines.push("Nothing was imported. Fix these, or use --partial to import the others.");
	} else {
		lines.push(
			`Imported ${report.imported.length} API key${report.imported.length === 1 ? "" : "s"}.`,
		);
		for (const i of report.imported) lines.push(`  ${label(i.index, i.displayName)} → ${idText(i.id)}`);
	}
	return `${lines.join("\n")}\n`;
}

export const importCommand: CommandSpec = {
	name: "import",
	summary: "Imports existing keys with their secret text, all or nothing.",
	usage: "apikeys-tui import FILE|- [--format=json|csv] [--partial] [--json]",
	details: `
For a migration from Artifactory or another ProGet.
JSON: an array of ApiKeyInfo objects (as "list --json" prints, plus "key" with the secret text).
CSV: a header row naming the columns type, key, displayName, description, systemApis,
packagePermissions, feed, feedGroup, user, expiration, logging (lists separated by ; or ,).
Legacy ProGet keys import as type other with systemApis from native-api, package-promotion,
webhooks, feed-api (and user for the Feed API username).
Every key is checked against the rules and the store's custom-key settings. If any is refused,
nothing is imported (exit 1) and every refusal is reported with its reason, unless --partial,
which imports the acceptable ones. FILE - reads standard input.
  Refused 1 of the keys:
    item 2 (Short): key: a custom key must be at least 16 characters
  Nothing was imported. Fix these, or use --partial to import the others.
Into a remote instance an import is a create per key: one that fails part-way names the keys
already created (by item and id) and the rest.

Examples:
  apikeys-tui import keys.json           # an array of ApiKeyInfo objects, each with "key"
  apikeys-tui import keys.csv            # a header row, then one key a row
  apikeys-tui import - < keys.json       # from standard input`,
	flags: {
		format: {
			type: "string",
			placeholder: "json|csv",
			description: "The file's format (default: from its name, else JSON)",
		},
		partial: {
			type: "boolean",
			description: "Import the acceptable keys even if some are refused",
		},
		json: { type: "boolean", description: "Print the report as JSON" },
	},
	async run({ flags, args, io, openBackend, actor }) {
		const file = args[0];
		if (file === undefined) throw new UsageError("missing FILE (or - for standard input)");
		if (args.length > 1) throw new UsageError(`unexpected argument: ${args[1]}`);
		const format = (
			stringFlag(flags, "format") ?? (file.toLowerCase().endsWith(".csv") ? "csv" : "json")
		).toLowerCase();
		if (format !== "csv" && format !== "json") throw optionError("format", "must be json or csv");
		let text: string;
		try {
			text = file === "-" ? await io.readStdin() : readFileSync(file, "utf8");
		} catch (error) {
			throw new UsageError(
				`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
			);
		}
		const items = format === "csv" ? itemsFromCsv(text) : itemsFromJson(text);
		if (items.length === 0) throw new UsageError(`${file} holds no keys`);
		const backend = await openBackend();
		const partial = flags.partial === true;
		const report = await backend.importKeys(items, { actor, partial });
		io.stdout(
			flags.json === true ? `${terminalJson(reportJson(report), 2)}\n` : formatReport(report, partial, items.length),
		);
		return report.refused.length > 0 ? 1 : 0;
	},
};
