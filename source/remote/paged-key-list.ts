/**
 * The key list of an `apikeys-tui serve` that pages it (its capabilities say `pagedKeyList`):
 * the server filters, sorts and pages with the same spec as a local store, so a console over
 * 100,000 remote keys reads a window at a time instead of the whole list. ProGet has no such
 * routes; there the remote backend reads the whole list once, as pgutil does.
 */
import type { KeyPage, KeyQuery } from "../core/backend.js";
import { AppError } from "../core/errors.js";
import type { KeyRecord } from "../core/model.js";
import type { RemoteClient } from "./http-client.js";
import { recordFromWire } from "./wire-format.js";

const prefix = "api/api-keys";

/** The server takes up to 1000 keys a request; fewer ids keep a by-ids URL well under a header's limit. */
const pageLimit = 1000;
const idsPerRequest = 500;

function orderQuery(query: Omit<KeyQuery, "offset" | "limit">): Record<string, string | undefined> {
	return {
		filter: query.filter === "" ? undefined : query.filter,
		sort: query.sort?.column,
		order: query.sort === undefined ? undefined : query.sort.descending ? "desc" : "asc",
	};
}

function field(answer: unknown, name: string): unknown {
	if (typeof answer !== "object" || answer === null || Array.isArray(answer)) {
		throw new AppError("the server's key list answer is not a JSON object", "unavailable");
	}
	return (answer as Record<string, unknown>)[name];
}

function keysOf(answer: unknown): KeyRecord[] {
	const keys = field(answer, "keys");
	if (!Array.isArray(keys)) throw new AppError("the server's key page holds no key array", "unavailable");
	return keys.map((item) => recordFromWire(item));
}

export class PagedKeyList {
	constructor(private readonly client: RemoteClient) {}

	async page(query: KeyQuery): Promise<KeyPage> {
		const rows: KeyRecord[] = [];
		let total = 0;
		do {
			const offset = query.offset + rows.length;
			// The server asks for at least one: a console with no room for rows still learns the count.
			const limit = Math.max(1, Math.min(pageLimit, query.limit - rows.length));
			const answer = await this.client.json<unknown>(`${prefix}/page`, { query: { ...orderQuery(query), offset, limit } });
			const count = field(answer, "total");
			if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) throw new AppError("the server's key page has no count", "unavailable");
			total = count;
			const keys = keysOf(answer);
			rows.push(...keys);
			// A short page is the last, whatever the count says.
			if (keys.length < limit) break;
		} while (rows.length < query.limit);
		return { rows: rows.slice(0, Math.max(0, query.limit)), total };
	}

	async ids(query: Omit<KeyQuery, "offset" | "limit">): Promise<number[]> {
		const ids = field(await this.client.json<unknown>(`${prefix}/ids`, { query: orderQuery(query) }), "ids");
		if (!Array.isArray(ids) || !ids.every((id) => typeof id === "number" && Number.isSafeInteger(id) && id > 0)) {
			throw new AppError("the server's key ids are not a list of ids", "unavailable");
		}
		return ids as number[];
	}

	async byIds(ids: readonly number[]): Promise<KeyRecord[]> {
		const records: KeyRecord[] = [];
		for (let start = 0; start < ids.length; start += idsPerRequest) {
			const chunk = ids.slice(start, start + idsPerRequest);
			records.push(...keysOf(await this.client.json<unknown>(`${prefix}/by-ids`, { query: { ids: chunk.join(",") } })));
		}
		return records;
	}
}
