/**
 * Key-field options shared by `create` and `update`, and their translation into KeyInput for the
 * rules. Option names and defaults follow `pgutil apikeys create`
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/pgutil/ApiKeys/Create/CreateCommand.cs#L22-L62).
 */
import { splitList } from "../core/enums.js";
import type { KeyInput } from "../core/rules.js";
import type { CommandIo, FlagSpec, Flags } from "./command.js";
import { optionError, stringFlag } from "./command.js";

export const commonKeyFlags: Record<string, FlagSpec> = {
	name: { type: "string", description: "Friendly display name of the API key" },
	description: { type: "string", description: "Description of the API key" },
	expiration: {
		type: "string",
		placeholder: "DATE",
		description:
			"Expiration date: YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY (month first, as pgutil), Aug 1 2030, ISO-8601, or 30d / 12w / 1y from now; never",
	},
	logging: {
		type: "string",
		placeholder: "none|request|response|both",
		description: "Request/response body logging for the API key (default none)",
	},
	json: { type: "boolean", description: "Print the key as JSON (ApiKeyInfo) instead" },
};

export const scopeFlags: Record<string, FlagSpec> = {
	apis: {
		type: "string",
		placeholder: "APIS",
		description: "System keys: full-control, or a comma-separated list of the profile's APIs",
	},
	feed: { type: "string", description: "Feed keys: name of the feed to associate with the key" },
	group: {
		type: "string",
		description: "Feed keys: name of the feed group to associate with the key",
	},
	allFeeds: { type: "boolean", description: "Feed keys: the key applies to every feed" },
	permissions: {
		type: "string",
		placeholder: "PERMISSIONS",
		description: "Feed keys: comma-separated list of view, add, promote, delete",
	},
	user: {
		type: "string",
		description: "Personal keys: name of the user to associate with the key",
	},
};

/** The fields the user gave, as rule input; absent options stay absent. */
export function keyInputFromFlags(flags: Flags): KeyInput {
	const input: KeyInput = {};
	const text: [string, keyof KeyInput][] = [
		["name", "displayName"],
		["description", "description"],
		["feed", "feed"],
		["group", "feedGroup"],
		["user", "user"],
		["expiration", "expiration"],
		["logging", "logging"],
	];
	for (const [option, field] of text) {
		const value = stringFlag(flags, option);
		if (value !== undefined) input[field] = value;
	}
	const apis = stringFlag(flags, "apis");
	if (apis !== undefined) input.systemApis = splitList(apis);
	const permissions = stringFlag(flags, "permissions");
	if (permissions !== undefined) input.packagePermissions = splitList(permissions);
	if (flags.allFeeds === true) {
		if (input.feed !== undefined || input.feedGroup !== undefined) {
			throw optionError("all-feeds", "cannot be combined with --feed or --group");
		}
		input.feed = null;
		input.feedGroup = null;
	}
	return input;
}

/** `--key=-` reads the key from standard input, so it never has to be on the command line. */
export async function customKeyFromFlags(flags: Flags, io: CommandIo): Promise<string | undefined> {
	const key = stringFlag(flags, "key");
	if (key !== "-") return key;
	const text = await io.readStdin();
	const line = text.split(/\r?\n/)[0] ?? "";
	if (line === "")
		throw optionError("key", "standard input held no key (expected it on the first line)");
	return line;
}
