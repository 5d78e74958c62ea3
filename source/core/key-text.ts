/**
 * A key as the console's list shows it, in words: its type, its scope, its name when it has none.
 * The list filter matches this same text (and the description), so what is shown is what is found
 * and nothing hidden is: the key hint is not part of it.
 */
import { type KeyFilterPart, keyFilterParts } from "./key-list-spec.js";
import type { KeyRecord } from "./model.js";

/** pgutil's words for a key without a name (`pgutil apikeys list`). */
export const unnamedKey = "(unnamed key)";

export function typeText(key: KeyRecord): string {
	return key.type === "other" ? "legacy" : key.type;
}

export function scopeText(key: KeyRecord): string {
	switch (key.type) {
		case "system":
		case "other":
			return (key.systemApis ?? []).join(",");
		case "feed": {
			const where = key.feed ?? (key.feedGroup ? `group ${key.feedGroup}` : "all feeds");
			return `${where}: ${(key.packagePermissions ?? []).join(",")}`;
		}
		case "personal":
			return `user ${key.user ?? "?"}`;
	}
}

const filterPartText: Record<KeyFilterPart, (key: KeyRecord) => string> = {
	id: (key) => String(key.id),
	type: typeText,
	name: (key) => key.displayName ?? unnamedKey,
	description: (key) => key.description ?? "",
	legacyUser: (key) => (key.type === "other" && key.user !== null ? `user ${key.user}` : ""),
	scope: scopeText,
	status: (key) => (key.enabled ? "enabled" : "disabled"),
};

/** Every word the list filter looks in (key-list-spec.ts), as the local store's SQL builds it too. */
export function filterText(key: KeyRecord): string {
	return keyFilterParts.map((part) => filterPartText[part](key)).join(" ");
}
