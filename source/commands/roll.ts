/** `apikeys-tui roll --id=N`: a new secret for the same key; the old text stops working at once. */
import { AppError } from "../core/errors.js";
import { safeLine, terminalJson } from "../core/terminal-text.js";
import { toApiKeyInfo } from "../core/model.js";
import { type CommandSpec, requireIdFlag } from "./command.js";

export const rollCommand: CommandSpec = {
	name: "roll",
	summary: "Gives an API key a new generated secret; the old one stops working at once.",
	usage: "apikeys-tui roll --id=N [--json]",
	details: "The new key is the only thing written to stdout, as with create.",
	flags: {
		id: { type: "string", placeholder: "N", description: "ID number of the API key to roll" },
		json: { type: "boolean", description: "Print the key as JSON (ApiKeyInfo) instead" },
	},
	async run({ flags, io, openBackend, actor }) {
		const id = requireIdFlag(flags);
		const backend = await openBackend({ existing: true });
		if (!backend.capabilities.roll.available)
			throw new AppError(backend.capabilities.roll.reason, "invalid");
		const rolled = await backend.rollKey(id, actor);
		io.stdout(
			flags.json === true
				? `${terminalJson(toApiKeyInfo(rolled.record, rolled.key))}\n`
				: `${safeLine(rolled.key)}\n`,
		);
	},
};
