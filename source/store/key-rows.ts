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

/**
 * How an engine's SQL says what the list's clauses need: the SQLite store's and the PostgreSQL
 * store's renderings of one spec differ only in these.
 */
export interface ListDialect {
	/** True where the key is enabled. */
	enabled: string;
	/** Whether `haystack` holds the `index`th (from 1) bound term. */
	contains: (haystack: string, index: number) => string;
	/** `text` with A-Z folded to a-z and nothing else, as the spec folds. */
	foldAsciiCase: (text: string) => string;
	/** A text sort value compared by code point. */
	byCodePoint: (value: string) => string;
	/** A text sort value compared with A-Z folded to a-z, then by code point. */
	ignoringCase: (value: string) => string;
	/** A sort column's value, missing (NULL) where it is empty. */
	missingWhenEmpty: (column: string) => string;
}

/** SQLite's lower() folds A-Z only, and its text compares by byte (UTF-8: by code point). */
export const sqliteListDialect: ListDialect = {
	enabled: "enabled = 1",
	contains: (haystack) => `instr(${haystack}, ?) > 0`,
	foldAsciiCase: (text) => `lower(${text})`,
	byCodePoint: (value) => value,
	ignoringCase: (value) => `${value} COLLATE NOCASE`,
	missingWhenEmpty: (column) => `nullif(${column}, '')`,
};

/** core/key-text.ts's filter text, part by part, in SQL. */
function filterPartSql(dialect: ListDialect): Record<KeyFilterPart, string> {
	return {
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
		status: `CASE WHEN ${dialect.enabled} THEN 'enabled' ELSE 'disabled' END`,
	};
}

function haystackSql(dialect: ListDialect): string {
	const parts = filterPartSql(dialect);
	return `(${keyFilterParts.map((part) => parts[part]).join(" || ' ' || ")})`;
}

const sortFieldSql: Record<KeySortField, string> = {
	id: "id",
	displayName: "display_name",
	type: "type",
	expiration: "expiration",
	lastUsedAt: "last_used_at",
	createdAt: "created_at",
};

/** The sort fields held as text in both engines (the times are text in SQLite only). */
const textSortFields: ReadonlySet<KeySortField> = new Set(["displayName", "type"]);

/**
 * The WHERE clause of the list filter (core/key-list-spec.ts). Terms are bound parameters searched
 * for as plain text, so `%` and `_` are plain text; case is folded A-Z only, as the spec does.
 */
export function filterClause(filter: string | undefined, dialect: ListDialect = sqliteListDialect): { sql: string; params: string[] } {
	const terms = filterTerms(filter);
	if (terms.length === 0) return { sql: "", params: [] };
	const haystack = haystackSql(dialect);
	const parts = terms.map((term, index) => dialect.contains(term.exactCase ? haystack : dialect.foldAsciiCase(haystack), index + 1));
	return { sql: `WHERE ${parts.join(" AND ")}`, params: terms.map((term) => term.text) };
}

/** The ORDER BY of the list sort (core/key-list-spec.ts); NULLS LAST still walks the `(column, id)` index. */
export function orderClause(sort: KeyQuery["sort"], dialect: ListDialect = sqliteListDialect): string {
	const spec = keySortSpecs[sort?.column ?? "id"];
	const direction = sort?.descending ? "DESC" : "ASC";
	if (spec.field === "id") return `ORDER BY id ${direction}`;
	const column = sortFieldSql[spec.field];
	const present = spec.emptyIsMissing ? dialect.missingWhenEmpty(column) : column;
	const textValue = () => (spec.ignoreCase ? dialect.ignoringCase(present) : dialect.byCodePoint(present));
	const value = textSortFields.has(spec.field) ? textValue() : present;
	return `ORDER BY ${value} ${direction} NULLS LAST, id ${direction}`;
}
