/** `apikeys-tui enable|disable --id=N`: a disabled key is refused everywhere at once, and kept. */
import { AppError } from "../core/errors.js";
import { type CommandSpec, requireIdFlag } from "./command.js";

function enableCommandFor(enabled: boolean): CommandSpec {
	const verb = enabled ? "enable" : "disable";
	return {
		name: verb,
		summary: enabled ? "Enables a disabled API key." : "Disables an API key without deleting it.",
		usage: `apikeys-tui ${verb} --id=N`,
		details: "A disabled key is refused everywhere at once (the server, verify, gateways) and kept; enable undoes it.",
		flags: {
			id: { type: "string", placeholder: "N", description: `ID number of the API key to ${verb}` },
		},
		async run({ flags, io, openBackend, actor }) {
			const id = requireIdFlag(flags);
			const backend = await openBackend({ existing: true });
			if (!backend.capabilities.enable.available)
				throw new AppError(backend.capabilities.enable.reason, "invalid");
			await backend.setEnabled(id, enabled, actor);
			io.stdout(`API key ${verb}d (id=${id}).\n`);
		},
	};
}

export const enableCommand = enableCommandFor(true);
export const disableCommand = enableCommandFor(false);
