/**
 * Every command, by name, loaded only when it runs so that starting one command never pays for
 * the others (or for Ink).
 */
import type { CommandSpec } from "./command.js";

export interface CommandEntry {
	name: string;
	summary: string;
	load: () => Promise<CommandSpec>;
}

export const commands: CommandEntry[] = [
	{
		name: "console",
		summary: "Open the interactive console (the default)",
		load: async () => (await import("./console.js")).consoleCommand,
	},
	{
		name: "create",
		summary: "Create a system, feed or personal key; prints only the key",
		load: async () => (await import("./create.js")).createCommand,
	},
	{
		name: "list",
		summary: "List keys (pgutil's layout, or --json)",
		load: async () => (await import("./list.js")).listCommand,
	},
	{
		name: "delete",
		summary: "Delete a key by --id",
		load: async () => (await import("./delete.js")).deleteCommand,
	},
	{
		name: "update",
		summary: "Change a key's fields (all but type and secret)",
		load: async () => (await import("./update.js")).updateCommand,
	},
	{
		name: "enable",
		summary: "Enable a disabled key",
		load: async () => (await import("./enable.js")).enableCommand,
	},
	{
		name: "disable",
		summary: "Disable a key without deleting it",
		load: async () => (await import("./enable.js")).disableCommand,
	},
	{
		name: "roll",
		summary: "Give a key a new secret; prints only the key",
		load: async () => (await import("./roll.js")).rollCommand,
	},
	{
		name: "convert",
		summary: "Convert a legacy (pre-2024) key into its 2024 equivalent",
		load: async () => (await import("./convert.js")).convertCommand,
	},
	{
		name: "import",
		summary: "Import keys with their secret text from JSON or CSV",
		load: async () => (await import("./import.js")).importCommand,
	},
	{
		name: "logs",
		summary: "Show the access log (filters, paging, --prune)",
		load: async () => (await import("./logs.js")).logsCommand,
	},
	{
		name: "status",
		summary: "Show where the store is, its engine, profile and key count",
		load: async () => (await import("./status.js")).statusCommand,
	},
	{
		name: "backup",
		summary: "Copy the store and its secret file, safely while in use",
		load: async () => (await import("./backup.js")).backupCommand,
	},
	{
		name: "seed",
		summary: "Fill a store with realistic demo keys and access logs",
		load: async () => (await import("./seed.js")).seedCommand,
	},
	{
		name: "serve",
		summary: "Serve the store over HTTP with ProGet's API-key API",
		load: async () => (await import("./serve.js")).serveCommand,
	},
	{
		name: "sources",
		summary: "List, add, remove and test named remote instances",
		load: async () => (await import("./sources.js")).sourcesCommand,
	},
	{
		name: "settings",
		summary: "Show or change the store's security settings",
		load: async () => (await import("./settings.js")).settingsCommand,
	},
];

export function findCommand(name: string): CommandEntry | undefined {
	return commands.find((c) => c.name === name);
}
