/** `apikeys-tui status`: where the store is, its profile and how many keys it holds. */
import { safeLine, terminalJson } from "../core/terminal-text.js";
import type { CommandSpec } from "./command.js";

export const statusCommand: CommandSpec = {
	name: "status",
	summary: "Shows where the store is, its profile and how many keys it holds.",
	usage: "apikeys-tui status [--json]",
	flags: { json: { type: "boolean", description: "Print as JSON" } },
	async run({ flags, io, openBackend }) {
		const backend = await openBackend({ existing: true });
		const keys = await backend.listKeys();
		// ProGet cannot disable a key (nor say whether one is): count only what the backend knows.
		const knowsEnabled = backend.capabilities.enable.available;
		const enabled = knowsEnabled ? keys.filter((k) => k.enabled).length : undefined;
		const status = {
			location: safeLine(backend.location),
			kind: backend.kind,
			profile: backend.profile,
			keys: keys.length,
			...(enabled === undefined ? {} : { enabled }),
		};
		if (flags.json === true) {
			io.stdout(`${terminalJson(status, 2)}\n`);
			return;
		}
		io.stdout(
			`Store:   ${status.location} (${status.kind})\nProfile: ${status.profile}\nKeys:    ${status.keys}${enabled === undefined ? "" : ` (${enabled} enabled)`}\n`,
		);
	},
};
