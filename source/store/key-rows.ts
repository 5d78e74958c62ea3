/** Mapping between `api_keys` rows and KeyRecords, and the key list's SQL (filter, sort, page). */
import type { KeyQuery } from "../core/backend.js";
import { type KeyFilterPart, type KeySortField, filterTerms, keyFilterParts, keySortSpecs } from "../core/key-list-spec.js";
import { unnamedKey } from "../core/key-text.js";
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

/** core/key-text.ts's filter text, part by part, in SQL. */
const filterPartSql: Record<KeyFilterPart, string> = {
	id: "id",
	type: "CASE type WHEN 'other' THEN 'legacy' ELSE type END",
	name: `coalesce(display_name, '${unnamedKey}')`,
	description: "coalesce(description, '')",
	legacyUser: "CASE WHEN type = 'other' AND user_name IS NOT NULL THEN 'user ' || user_name ELSE '' END",
	scope: `CASE type
		WHEN 'feed' THEN coalesce(feed, CASE WHEN feed_group IS NOT NULL THEN 'group ' || feed_group ELSE 'all feeds' END) || ': ' || ${listWords("package_permissions")}
		WHEN 'personal' THEN 'user ' || coalesce(user_name, '?')
		ELSE ${listWords("system_apis")}
	END`,
	status: "CASE enabled WHEN 1 THEN 'enabled' ELSE 'disabled' END",
};

const haystack = `(${keyFilterParts.map((part) => filterPartSql[part]).join(" || ' ' || ")})`;

const sortFieldSql: Record<KeySortField, string> = {
	id: "id",
	displayName: "display_name",
	type: "type",
	expiration: "expiration",
	lastUsedAt: "last_used_at",
	createdAt: "created_at",
};

/**
 * The WHERE clause of the list filter (core/key-list-spec.ts). Terms are bound parameters found
 * with instr(), so `%` and `_` are plain text; SQLite's lower() folds A-Z only, as the spec does.
 */
export function filterClause(filter: string | undefined): { sql: string; params: string[] } {
	const terms = filterTerms(filter);
	if (terms.length === 0) return { sql: "", params: [] };
	const parts = terms.map((term) => (term.exactCase ? `instr(${haystack}, ?) > 0` : `instr(lower(${haystack}), ?) > 0`));
	return { sql: `WHERE ${parts.join(" AND ")}`, params: terms.map((term) => term.text) };
}

/** The ORDER BY of the list sort (core/key-list-spec.ts); NULLS LAST still walks the `(column, id)` index. */
export function orderClause(sort: KeyQuery["sort"]): string {
	const spec = keySortSpecs[sort?.column ?? "id"];
	const direction = sort?.descending ? "DESC" : "ASC";
	if (spec.field === "id") return `ORDER BY id ${direction}`;
	const column = sortFieldSql[spec.field];
	const value = `${spec.emptyIsMissing ? `nullif(${column}, '')` : column}${spec.ignoreCase ? " COLLATE NOCASE" : ""}`;
	return `ORDER BY ${value} ${direction} NULLS LAST, id ${direction}`;
}
