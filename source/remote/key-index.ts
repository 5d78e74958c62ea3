/**
 * The key list's filter and sort for keys held in memory (a remote list), matching what the
 * local store does in SQL (both filter core/key-text.ts's text): every term must match; a term with a capital letter matches case exactly.
 */
import type { KeyQuery, KeySortColumn } from "../core/backend.js";
import { filterText } from "../core/key-text.js";
import type { KeyRecord } from "../core/model.js";

export function matchesFilter(key: KeyRecord, filter: string | undefined): boolean {
	const terms = (filter ?? "").split(/\s+/).filter(Boolean);
	if (terms.length === 0) return true;
	const text = filterText(key);
	const lower = text.toLowerCase();
	return terms.every((term) => (term === term.toLowerCase() ? lower.includes(term) : text.includes(term)));
}

const sortValue: Record<KeySortColumn, (key: KeyRecord) => string | number | null> = {
	id: (k) => k.id,
	name: (k) => k.displayName?.toLowerCase() ?? null,
	type: (k) => k.type,
	expiration: (k) => k.expiration,
	lastUsed: (k) => k.lastUsedAt,
	created: (k) => k.createdAt,
};

/** The keys that match, in the query's order; missing values sort last either way, ties by id. */
export function orderKeys(keys: readonly KeyRecord[], query: Omit<KeyQuery, "offset" | "limit">): KeyRecord[] {
	const value = sortValue[query.sort?.column ?? "id"];
	const direction = query.sort?.descending ? -1 : 1;
	return keys
		.filter((key) => matchesFilter(key, query.filter))
		.sort((a, b) => {
			const va = value(a);
			const vb = value(b);
			if (va === null || vb === null) return va === vb ? a.id - b.id : va === null ? 1 : -1;
			if (va !== vb) return (va < vb ? -1 : 1) * direction;
			return (a.id - b.id) * direction;
		});
}
