/** `apikeys-tui convert --id=N`: a legacy key becomes its 2024 equivalent, same id and secret. */
import { AppError } from "../core/errors.js";
import { withArticle } from "../core/article.js";
import { safeLine, terminalJson } from "../core/terminal-text.js";
import { toApiKeyInfo } from "../core/model.js";
import { type CommandSpec, requireIdFlag } from "./command.js";

export const convertCommand: CommandSpec = {
	name: "convert",
	summary: "Converts a legacy (pre-2024, type other) key into the equivalent 2024 key.",
	usage: "apikeys-tui convert --id=N [--json]",
	details: `
The key keeps its id and its secret, so whatever uses it keeps working:
  a Feed API username      → a personal key for that user
  Native API               → a system key with full-control
  Feed API                 → a system key with feeds
  Package Promotion API    → a feed key with promote on every feed
Webhooks API alone has no 2024 equivalent and is refused.
  apikeys-tui convert --id=1007
  API key converted (id=1007): now a system key.`,
	flags: {
		id: { type: "string", placeholder: "N", description: "ID number of the legacy key" },
		json: { type: "boolean", description: "Print the converted key as JSON (ApiKeyInfo)" },
	},
	async run({ flags, io, openBackend, actor }) {
		const id = requireIdFlag(flags);
		const backend = await openBackend({ existing: true });
		if (!backend.capabilities.convert.available)
			throw new AppError(backend.capabilities.convert.reason, "invalid");
		const record = await backend.convertLegacyKey(id, actor);
		io.stdout(
			flags.json === true
				? `${terminalJson(toApiKeyInfo(record))}\n`
				: `API key converted (id=${id}): now ${withArticle(safeLine(record.type))} key.\n`,
		);
	},
};
