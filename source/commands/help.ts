/** `--help` text, generated from a command's declared options (docs/CLI.md is made from the same rows). */
import type { CommandSpec, FlagSpec } from "./command.js";
import { globalFlags } from "./global-flags.js";

function kebab(name: string): string {
	return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Each option as `--name=PLACEHOLDER` and its one-line description. */
export function optionRows(flags: Record<string, FlagSpec>): Array<readonly [string, string]> {
	return Object.entries(flags).map(([name, spec]) => {
		const value = spec.type === "string" ? `=${spec.placeholder ?? name.toUpperCase()}` : "";
		return [`--${kebab(name)}${value}`, spec.description] as const;
	});
}

function optionLines(flags: Record<string, FlagSpec>): string[] {
	const rows = optionRows(flags);
	const width = Math.max(...rows.map(([left]) => left.length)) + 2;
	return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
}

export function commandHelp(spec: CommandSpec): string {
	const parts = [`${spec.summary}`, "", `Usage: ${spec.usage}`];
	if (Object.keys(spec.flags).length > 0) parts.push("", "Options:", ...optionLines(spec.flags));
	parts.push("", "Global options:", ...optionLines(globalFlags));
	if (spec.details) parts.push("", spec.details.trim());
	return `${parts.join("\n")}\n`;
}

export { kebab };
