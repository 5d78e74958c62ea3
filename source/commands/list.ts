/** `apikeys-tui list`: pgutil's layout, or the ApiKeyInfo array with --json. */
import { terminalJson } from "../core/terminal-text.js";
import { keyWithExtras } from "../core/model.js";
import type { CommandSpec } from "./command.js";
import { formatKeyList } from "./list-format.js";

export const listCommand: CommandSpec = {
	name: "list",
	summary: "Lists API keys.",
	usage: "apikeys-tui list [--json]",
	remote: "pgutil",
	details: `
Prints each key as pgutil does, or "No API keys are defined.". Expiration dates are MM/DD/YYYY:
a calendar day as that day, an instant as its day in local time.
  Feeds Key
    Id:          1001
    Expiration:  08/01/2027
    Logging:     Both
    Type:        System
    APIs:        feeds

With --json, prints a JSON array of ApiKeyInfo objects (ProGet's camelCase field names and
order, never the secret) with the store's extra fields: enabled, hint, createdAt, createdBy,
updatedAt, lastUsedAt (the shape of the server's /api/api-keys/get).`,
	flags: { json: { type: "boolean", description: "Print a JSON array instead" } },
	async run({ flags, io, openBackend }) {
		const backend = await openBackend({ existing: true });
		const keys = await backend.listKeys();
		if (flags.json !== true) {
			io.stdout(formatKeyList(keys));
			return;
		}
		io.stdout(`${terminalJson(keys.map(keyWithExtras), 2)}\n`);
	},
};
