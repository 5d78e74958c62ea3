/** `apikeys-tui settings [--set name=value]...`: the store's security and retention settings. */
import { AppError } from "../core/errors.js";
import { safeLine, terminalJson } from "../core/terminal-text.js";
import { defaultSettings, formatSettingValue, settingSpecs } from "../core/settings.js";
import { type CommandSpec, optionError } from "./command.js";

function rangeOf(spec: { min?: number; max?: number }): string {
	return spec.min === undefined || spec.max === undefined ? "" : ` From ${spec.min} to ${spec.max}.`;
}

export const settingsCommand: CommandSpec = {
	name: "settings",
	summary: "Shows or changes the store's security settings.",
	usage: "apikeys-tui settings [--set NAME=VALUE]... [--json]",
	details: `
Settings:
${settingSpecs.map((s) => `  ${s.cliName.padEnd(24)}${s.description}${rangeOf(s)} Default: ${formatSettingValue(defaultSettings[s.name])}.`).join("\n")}

Every change to the settings is recorded in the audit trail.

Example:
  apikeys-tui settings --set max-lifetime-days=365 --set custom-keys-allowed=false`,
	flags: {
		set: {
			type: "string",
			placeholder: "NAME=VALUE",
			isMultiple: true,
			description: "Change a setting (repeatable)",
		},
		json: { type: "boolean", description: "Print the settings as JSON" },
	},
	async run({ flags, io, openBackend, actor }) {
		const assignments = (flags.set as string[] | undefined) ?? [];
		const changes: Record<string, string> = {};
		for (const assignment of assignments) {
			const at = assignment.indexOf("=");
			if (at <= 0) throw optionError("set", `"${assignment}" is not NAME=VALUE`);
			changes[assignment.slice(0, at).trim()] = assignment.slice(at + 1);
		}
		const backend = await openBackend({ existing: assignments.length === 0 });
		if (!backend.capabilities.settings.available)
			throw new AppError(backend.capabilities.settings.reason, "invalid");
		const settings =
			assignments.length > 0
				? await backend.updateSettings(changes, actor)
				: await backend.getSettings();
		if (flags.json === true) {
			io.stdout(`${terminalJson(settings, 2)}\n`);
			return;
		}
		const width = Math.max(...settingSpecs.map((s) => s.cliName.length)) + 2;
		for (const spec of settingSpecs) {
			io.stdout(`${spec.cliName.padEnd(width)}${safeLine(formatSettingValue(settings[spec.name]))}\n`);
		}
	},
};
