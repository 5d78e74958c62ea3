/** Mapping between `api_keys` rows and KeyRecords, and the key list's SQL (filter, sort, page). */
import type { KeyQuery, KeySortColumn } from "../core/backend.js";
import type { KeyRecord, KeyType, Logging } from "../core/model.js";

/**
 * A row of `SELECT ${keyColumns}` read in raw mode, as an array in that order: building an object
 * per row was most of what a key lookup cost (about 0.2 us per column on this machine).
 */
export type KeyRow = [
	id: number,
	type: KeyType,
	keyHint: string,
	displayName: string | null,
	description: string | null,
	systemApis: string | null,
	packagePermissions: string | null,
	feed: string | null,
	feedGroup: string | null,
	userName: string | null,
	expiration: string | null,
	logging: Logging,
	enabled: number,
	createdAt: string,
	createdBy: string,
	updatedAt: string | null,
	lastUsedAt: string | null,
];

export const keyColumns =
	"id, type, key_hint, display_name, description, system_apis, package_permissions, feed, feed_group, user_name, expiration, logging, enabled, created_at, created_by, updated_at, last_used_at";

/** A list column's JSON array, or null. */
export function parseList(json: string | null): string[] | null {
	return json === null ? null : (JSON.parse(json) as string[]);
}

export function recordFromRow(row: KeyRow): KeyRecord {
	const [id, type, hint, displayName, description, systemApis, packagePermissions, feed, feedGroup, user, expiration, logging] = row;
	return {
		id,
		type,
		hint,
		displayName,
		description,
		systemApis: parseList(systemApis),
		packagePermissions: parseList(packagePermissions),
		feed,
		feedGroup,
		user,
		expiration,
		logging,
		enabled: row[12] === 1,
		createdAt: row[13],
		createdBy: row[14],
		updatedAt: row[15],
		lastUsedAt: row[16],
	};
}

export function listJson(values: string[] | null): string | null {
	return values === null ? null : JSON.stringify(values);
}

/** A JSON list column as the list shows it: '["sca","feeds"]' as 'sca,feeds'. */
function listWords(column: string): string {
	return `replace(replace(replace(replace(coalesce(${column}, ''), '[]', ''), '["', ''), '"]', ''), '","', ',')`;
}

/** What the list filter looks in: core/key-text.ts's filterText, in SQL (the key hint is not in it). */
const haystack = `(id || ' ' || CASE type WHEN 'other' THEN 'legacy' ELSE type END || ' ' ||
	coalesce(display_name, '(unnamed key)') || ' ' || coalesce(description, '') || ' ' ||
	CASE WHEN type = 'other' AND user_name IS NOT NULL THEN 'user ' || user_name ELSE '' END || ' ' ||
	CASE type
		WHEN 'feed' THEN coalesce(feed, CASE WHEN feed_group IS NOT NULL THEN 'group ' || feed_group ELSE 'all feeds' END) || ': ' || ${listWords("package_permissions")}
		WHEN 'personal' THEN 'user ' || coalesce(user_name, '?')
		ELSE ${listWords("system_apis")}
	END || ' ' ||
	CASE enabled WHEN 1 THEN 'enabled' ELSE 'disabled' END)`;

const sortExpressions: Record<KeySortColumn, string> = {
	id: "id",
	name: "display_name IS NULL, display_name COLLATE NOCASE",
	type: "type",
	expiration: "expiration IS NULL, expiration",
	lastUsed: "last_used_at IS NULL, last_used_at",
	created: "created_at",
};

/** A WHERE clause for the filter terms: all must match; a term with a capital matches case exactly. */
export function filterClause(filter: string | undefined): { sql: string; params: string[] } {
	const terms = (filter ?? "").split(/\s+/).filter((t) => t !== "");
	if (terms.length === 0) return { sql: "", params: [] };
	const parts = terms.map((term) =>
		term === term.toLowerCase() ? `instr(lower(${haystack}), ?) > 0` : `instr(${haystack}, ?) > 0`,
	);
	return { sql: `WHERE ${parts.join(" AND ")}`, params: terms };
}

export function orderClause(sort: KeyQuery["sort"]): string {
	const column = sort?.column ?? "id";
	const direction = sort?.descending ? "DESC" : "ASC";
	const parts = sortExpressions[column].split(", ").map((part) =>
		// "x IS NULL" keeps nulls last whatever the direction.
		part.endsWith("IS NULL") ? part : `${part} ${direction}`,
	);
	return `ORDER BY ${parts.join(", ")}, id ${direction}`;
}
