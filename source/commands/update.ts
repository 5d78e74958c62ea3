/** `apikeys-tui update --id=N [fields]`: changes every field but the type and the secret. */
import { AppError } from "../core/errors.js";
import { terminalJson } from "../core/terminal-text.js";
import { toApiKeyInfo } from "../core/model.js";
import { type CommandSpec, requireIdFlag, UsageError } from "./command.js";
import { commonKeyFlags, keyInputFromFlags, scopeFlags } from "./key-flags.js";

export const updateCommand: CommandSpec = {
	name: "update",
	summary: "Changes an API key: any field but its type and its secret.",
	usage: "apikeys-tui update --id=N [options]",
	details: `
Only the options given change. --feed switches a feed key to one feed, --group to a group,
--all-feeds to every feed. --expiration=never removes the expiration (where the store allows).

Examples:
  apikeys-tui update --id=1001 --logging=both --expiration=90d
  apikeys-tui update --id=1002 --group=production-feeds    # a feed key moves to a group`,
	flags: {
		id: { type: "string", placeholder: "N", description: "ID number of the API key to change" },
		...scopeFlags,
		...commonKeyFlags,
	},
	async run({ flags, io, openBackend, actor }) {
		const id = requireIdFlag(flags);
		const patch = keyInputFromFlags(flags);
		if (Object.keys(patch).length === 0)
			throw new UsageError("nothing to change: give at least one field option");
		const backend = await openBackend({ existing: true });
		if (!backend.capabilities.update.available)
			throw new AppError(backend.capabilities.update.reason, "invalid");
		const record = await backend.updateKey(id, patch, actor);
		io.stdout(
			flags.json === true
				? `${terminalJson(toApiKeyInfo(record))}\n`
				: `API key updated (id=${id}).\n`,
		);
	},
};
