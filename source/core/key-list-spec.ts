/**
 * The key list's filter and sort, said once. The local store renders it in SQL
 * (store/key-rows.ts), the remote backend over keys held in memory (remote/key-index.ts); a
 * parity test (test/key-list-parity.test.ts) runs both over the same keys.
 *
 * - Sort columns, in the order the console cycles through them, each reading one record field.
 * - A missing value (null; a remote's empty creation time) sorts last in both directions: a key
 *   never used or never expiring has nothing to rank by, so it never pushes ranked keys down.
 * - Ties, missing values included, go by id in the sort's direction, so a column indexed on
 *   `(column, id)` sorts in one walk of that index, forwards or backwards.
 * - Text compares by code point; the name ignores the case of A-Z only (SQLite's NOCASE).
 * - The filter is words separated by white space, every one of which must occur as written
 *   (no wildcards: `%` and `_` are plain text) in the text of `keyFilterParts`. A word without a
 *   capital A-Z ignores the case of A-Z; with one it matches case exactly. Only A-Z fold, as
 *   SQLite's lower() folds them, so both renderings stay indexable and alike (`é` does not find `É`).
 */
import type { KeySortColumn } from "./backend.js";
import type { KeyRecord } from "./model.js";

/** The record fields a sort column may read. */
export type KeySortField = "id" | "displayName" | "type" | "expiration" | "lastUsedAt" | "createdAt";

export interface KeySortSpec {
	field: KeySortField;
	/** Compares ignoring the case of A-Z. */
	ignoreCase: boolean;
	/** An empty text counts as missing (a remote without creation times sends none). */
	emptyIsMissing: boolean;
}

export const keySortSpecs: Record<KeySortColumn, KeySortSpec> = {
	id: { field: "id", ignoreCase: false, emptyIsMissing: false },
	name: { field: "displayName", ignoreCase: true, emptyIsMissing: false },
	type: { field: "type", ignoreCase: false, emptyIsMissing: false },
	expiration: { field: "expiration", ignoreCase: false, emptyIsMissing: false },
	lastUsed: { field: "lastUsedAt", ignoreCase: false, emptyIsMissing: false },
	created: { field: "createdAt", ignoreCase: false, emptyIsMissing: true },
};

/**
 * What the filter looks in, in this order, joined by spaces: the id, the type as shown (`legacy`
 * for other), the name (or `(unnamed key)`), the description, a legacy key's user (`user bob`),
 * the scope as the list shows it, and `enabled` or `disabled`. Never the key hint.
 */
export const keyFilterParts = ["id", "type", "name", "description", "legacyUser", "scope", "status"] as const;
export type KeyFilterPart = (typeof keyFilterParts)[number];

export interface FilterTerm {
	text: string;
	exactCase: boolean;
}

export function filterTerms(filter: string | undefined): FilterTerm[] {
	return (filter ?? "")
		.split(/\s+/)
		.filter((term) => term !== "")
		.map((text) => ({ text, exactCase: /[A-Z]/.test(text) }));
}

/** A-Z as a-z, nothing else. */
export function foldCase(text: string): string {
	// On ASCII text the native toLowerCase is the same fold, and several times faster.
	return nonAscii.test(text) ? text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase()) : text.toLowerCase();
}

const nonAscii = /[^\0-\x7f]/;

/** A key's value for a sort column, null when missing. */
export function sortValue(key: KeyRecord, spec: KeySortSpec): string | number | null {
	const value = key[spec.field];
	if (value === null || (spec.emptyIsMissing && value === "")) return null;
	return typeof value === "string" && spec.ignoreCase ? foldCase(value) : value;
}
