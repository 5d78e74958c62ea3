/**
 * An audit entry's changes as people read them: `name "CI" → "CI npm"`, `logging none → both`.
 * The details come from the store or a remote instance (untrusted): every value is made safe.
 * The audit trail never holds a secret (the store records fields, not keys), and none is shown.
 */
import { displayExpiration } from "../../core/expiration.js";
import { safeLine } from "../../core/terminal-text.js";

const fieldWords: Record<string, string> = {
	displayName: "name",
	description: "description",
	systemApis: "APIs",
	packagePermissions: "permissions",
	feed: "feed",
	feedGroup: "feed group",
	user: "user",
	expiration: "expires",
	logging: "logging",
};

function valueText(value: unknown): string {
	if (value === null || value === undefined || value === "") return "(none)";
	if (Array.isArray(value)) return value.map((v) => safeLine(String(v))).join(",") || "(none)";
	if (typeof value === "string") return `"${safeLine(value)}"`;
	return safeLine(JSON.stringify(value));
}

/** One line per changed field of an "update" entry's details; none for other entries. */
export function changeLines(details: Record<string, unknown>): string[] {
	const changes = details.changes;
	if (typeof changes !== "object" || changes === null || Array.isArray(changes)) return [];
	return Object.entries(changes as Record<string, unknown>).map(([field, pair]) => {
		const [before, after] = Array.isArray(pair) ? pair : [undefined, pair];
		// An expiry as the detail screen shows it, not as the store keeps it.
		const shown = (value: unknown) => (field === "expiration" && typeof value === "string" ? safeLine(displayExpiration(value)) : valueText(value));
		return `${fieldWords[field] ?? safeLine(field)}: ${shown(before)} → ${shown(after)}`;
	});
}
