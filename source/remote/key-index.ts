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

/** Code point order, as SQLite compares UTF-8 bytes (UTF-16 units put 😀 before ｆ). */
function compareText(a: string, b: string): number {
	const length = Math.min(a.length, b.length);
	for (let i = 0; i < length; i++) {
		const x = a.charCodeAt(i);
		const y = b.charCodeAt(i);
		if (x !== y) return codePointRank(x) - codePointRank(y);
	}
	return a.length - b.length;
}

/** Surrogates (astral code points) rank above the rest of the basic plane. */
function codePointRank(unit: number): number {
	if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
	return unit >= 0xe000 ? unit - 0x800 : unit;
}

/** The keys that match, in the query's order: missing values last either way, ties by id in the sort's direction. */
export function orderKeys(keys: readonly KeyRecord[], query: Omit<KeyQuery, "offset" | "limit">): KeyRecord[] {
	const spec = keySortSpecs[query.sort?.column ?? "id"];
	const direction = query.sort?.descending ? -1 : 1;
	const terms = filterTerms(query.filter);
	const rows = keys.filter((key) => matchesTerms(key, terms)).map((key) => ({ key, value: sortValue(key, spec) }));
	rows.sort((a, b) => {
		if (a.value !== b.value) {
			if (a.value === null) return 1;
			if (b.value === null) return -1;
			const order = typeof a.value === "number" && typeof b.value === "number" ? a.value - b.value : compareText(String(a.value), String(b.value));
			if (order !== 0) return order * direction;
		}
		return (a.key.id - b.key.id) * direction;
	});
	return rows.map((row) => row.key);
}
