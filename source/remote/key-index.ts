/**
 * The key list's filter and sort (core/key-list-spec.ts) over keys held in memory: a remote
 * instance's list. The local store renders the same spec in SQL.
 */
import type { KeyQuery } from "../core/backend.js";
import { type FilterTerm, filterTerms, foldCase, keySortSpecs, sortValue } from "../core/key-list-spec.js";
import { filterText } from "../core/key-text.js";
import type { KeyRecord } from "../core/model.js";

function matchesTerms(key: KeyRecord, terms: readonly FilterTerm[]): boolean {
	if (terms.length === 0) return true;
	const text = filterText(key);
	const folded = foldCase(text);
	return terms.every((term) => (term.exactCase ? text : folded).includes(term.text));
}

export function matchesFilter(key: KeyRecord, filter: string | undefined): boolean {
	return matchesTerms(key, filterTerms(filter));
}

/**
 * Text whose UTF-16 order is its code point order, the order SQLite compares UTF-8 in: astral
 * characters (surrogate pairs, such as 😀) move above the rest of the basic plane (such as ｆ).
 */
function codePointOrdered(text: string): string {
	if (!/[\ud800-\uffff]/.test(text)) return text;
	let moved = "";
	for (let i = 0; i < text.length; i++) {
		const unit = text.charCodeAt(i);
		moved += String.fromCharCode(unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit);
	}
	return moved;
}

/** The keys that match, in the query's order: missing values last either way, ties by id in the sort's direction. */
export function orderKeys(keys: readonly KeyRecord[], query: Omit<KeyQuery, "offset" | "limit">): KeyRecord[] {
	const spec = keySortSpecs[query.sort?.column ?? "id"];
	const direction = query.sort?.descending ? -1 : 1;
	const terms = filterTerms(query.filter);
	const matched = keys.filter((key) => matchesTerms(key, terms));
	// Each key's value once, not once per comparison; positions sort faster than objects.
	const values = matched.map((key) => {
		const value = sortValue(key, spec);
		return typeof value === "string" ? codePointOrdered(value) : value;
	});
	const ids = matched.map((key) => key.id);
	const order = matched.map((_, index) => index);
	order.sort((i, j) => {
		const a = values[i] as string | number | null;
		const b = values[j] as string | number | null;
		if (a !== b) {
			if (a === null) return 1;
			if (b === null) return -1;
			return (a < b ? -1 : 1) * direction;
		}
		return ((ids[i] as number) - (ids[j] as number)) * direction;
	});
	return order.map((index) => matched[index] as KeyRecord);
}
