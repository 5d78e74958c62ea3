/**
 * The text `pgutil apikeys list` prints, byte for byte
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/pgutil/ApiKeys/ListCommand.cs#L27-L50):
 * the name line, then two-column rows padded to the longest label + 2, then a blank line.
 */
import { pascalCase } from "../core/enums.js";
import { isCalendarDay } from "../core/expiration.js";
import { hasKnownId, type KeyRecord } from "../core/model.js";
import { safeLine } from "../core/terminal-text.js";

/**
 * `expiration.ToShortDateString()` as pgutil prints it without a culture set: `08/01/2024`. A
 * calendar day is that day everywhere; an instant is the day it falls on here, as .NET turns a
 * zoned time into local time. A value that is not a date is shown as it came.
 */
export function shortDate(iso: string): string {
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return iso;
	const day = isCalendarDay(iso);
	const mm = String((day ? date.getUTCMonth() : date.getMonth()) + 1).padStart(2, "0");
	const dd = String(day ? date.getUTCDate() : date.getDate()).padStart(2, "0");
	return `${mm}/${dd}/${day ? date.getUTCFullYear() : date.getFullYear()}`;
}

function rowsOf(key: KeyRecord): [string, string][] {
	const rows: [string, string][] = [
		// pgutil prints a missing id (`int?`) as nothing.
		["  Id:", hasKnownId(key) ? String(key.id) : ""],
		["  Expiration:", key.expiration === null ? "None" : shortDate(key.expiration)],
		["  Logging:", pascalCase(key.logging)],
		["  Type:", pascalCase(key.type)],
	];
	switch (key.type) {
		case "system":
			rows.push(["  APIs:", (key.systemApis ?? []).join(", ")]);
			break;
		case "personal":
			rows.push(["  User:", key.user ?? "(unknown)"]);
			break;
		case "feed":
			rows.push(
				key.feedGroup !== null
					? ["  Feed group:", key.feedGroup]
					: ["  Feed:", key.feed ?? "(unknown)"],
			);
			rows.push(["  Permissions:", (key.packagePermissions ?? []).join(", ")]);
			break;
		case "other":
			break;
	}
	return rows;
}

export function formatKeyList(keys: KeyRecord[]): string {
	if (keys.length === 0) return "No API keys are defined.\n";
	let out = "";
	for (const key of keys) {
		out += `${key.displayName === null ? "(unnamed key)" : safeLine(key.displayName)}\n`;
		const rows = rowsOf(key);
		const margin = Math.max(...rows.map(([label]) => label.length)) + 2;
		// Values from a remote instance are not checked by our rules: never let them drive the terminal.
		for (const [label, value] of rows) out += `${label.padEnd(margin)}${safeLine(value)}\n`;
		out += "\n";
	}
	return out;
}
