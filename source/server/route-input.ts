/** What the routes read from a request: its id, a key's fields, what a key must allow, a log or key-list query. */
import type { Requirement } from "../core/access.js";
import { type AccessLogFilter, type KeyQuery, type KeySortColumn, keySortColumns } from "../core/backend.js";
import { logFilterText, parseLogFilter } from "../core/log-filter.js";
import type { KeyInput } from "../core/rules.js";
import { HttpError } from "./request-body.js";

const keyFields = [
	"type",
	"displayName",
	"description",
	"systemApis",
	"packagePermissions",
	"feed",
	"feedGroup",
	"user",
	"expiration",
	"logging",
] as const;

export function jsonObject(json: unknown): Record<string, unknown> {
	if (typeof json !== "object" || json === null || Array.isArray(json)) {
		throw new HttpError(400, "The request body must be a JSON object.");
	}
	return json as Record<string, unknown>;
}

/**
 * The ApiKeyInfo fields a body sets; `id` and anything unknown (a `createdBy`, an `actor`) are
 * ignored, as pgutil's reader does: the audit trail names the key that signed the request.
 */
export function keyInput(body: Record<string, unknown>, allowType: boolean): KeyInput {
	const input: KeyInput = {};
	for (const field of keyFields) {
		if (field === "type" && !allowType) continue;
		if (field in body) input[field] = body[field];
	}
	return input;
}

export function idFrom(query: URLSearchParams): number {
	const raw = query.get("id");
	if (raw === null || !/^\d{1,9}$/.test(raw.trim())) {
		throw new HttpError(400, "The id parameter is missing or is not an integer.");
	}
	return Number(raw.trim());
}

/** What a verify body (or the authorize route's query) asks a key to allow. */
export function requirementFrom(body: Record<string, unknown>): Requirement {
	const text = (name: string) => {
		const value = body[name];
		if (value === undefined || value === null) return undefined;
		if (typeof value !== "string") throw new HttpError(400, `${name} must be a string.`);
		return value;
	};
	const systemApi = text("systemApi");
	const permission = text("feedPermission");
	if (systemApi !== undefined && permission !== undefined) {
		throw new HttpError(400, "Give systemApi or feedPermission, not both.");
	}
	if (systemApi !== undefined) return { kind: "system-api", api: systemApi.toLowerCase() };
	if (permission !== undefined) {
		const requirement: Requirement = { kind: "feed-permission", permission: permission.toLowerCase() };
		const feed = text("feed");
		const feedGroup = text("feedGroup");
		if (feed !== undefined) requirement.feed = feed;
		if (feedGroup !== undefined) requirement.feedGroup = feedGroup;
		return requirement;
	}
	return { kind: "any" };
}

/** The logs route's query: its filter and page. */
export function logQuery(query: URLSearchParams): { filter: AccessLogFilter; page: { before?: number; limit: number } } {
	const parsed = parseLogFilter(logFilterText((field) => query.get(field)), new Date());
	if (!parsed.ok) throw new HttpError(400, `${parsed.field}: ${parsed.error}`);
	const limitText = query.get("limit") ?? "50";
	const beforeText = query.get("before");
	if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000) {
		throw new HttpError(400, "limit: must be a whole number from 1 to 1000");
	}
	if (beforeText !== null && !/^\d{1,15}$/.test(beforeText)) throw new HttpError(400, "before: must be an entry id");
	return { filter: parsed.filter, page: { limit: Number(limitText), ...(beforeText === null ? {} : { before: Number(beforeText) }) } };
}

/** The most keys one page or one by-ids request may ask for. */
const maxKeysPerRequest = 1000;

/** The longest filter: far more than a console line holds, and bounded so that a scan stays cheap. */
const maxFilterLength = 500;

/** A key-list query's filter and sort (`filter`, `sort`, `order`), as the list spec takes them. */
export function keyListOrder(query: URLSearchParams): Omit<KeyQuery, "offset" | "limit"> {
	const filter = query.get("filter") ?? "";
	if (filter.length > maxFilterLength) throw new HttpError(400, `filter: at most ${maxFilterLength} characters`);
	const column = query.get("sort") ?? "id";
	if (!(keySortColumns as readonly string[]).includes(column)) {
		throw new HttpError(400, `sort: must be one of ${keySortColumns.join(", ")}`);
	}
	const order = query.get("order") ?? "asc";
	if (order !== "asc" && order !== "desc") throw new HttpError(400, "order: must be asc or desc");
	return { filter, sort: { column: column as KeySortColumn, descending: order === "desc" } };
}

function wholeNumber(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
	const text = query.get(name);
	if (text === null) return fallback;
	if (!/^\d{1,10}$/.test(text) || Number(text) < min || Number(text) > max) {
		throw new HttpError(400, `${name}: must be a whole number from ${min} to ${max}`);
	}
	return Number(text);
}

/** A key-list page: the order above plus `offset` (from 0) and `limit` (1-1000, default 100). */
export function keyListPage(query: URLSearchParams): KeyQuery {
	const offset = wholeNumber(query, "offset", 0, 0, 999_999_999);
	const limit = wholeNumber(query, "limit", 100, 1, maxKeysPerRequest);
	return { ...keyListOrder(query), offset, limit };
}

/** `ids=1,2,3`: at most 1000 key ids, in the order asked. */
export function idsFrom(query: URLSearchParams): number[] {
	const text = query.get("ids") ?? "";
	const parts = text === "" ? [] : text.split(",");
	if (parts.length > maxKeysPerRequest || !parts.every((part) => /^\d{1,9}$/.test(part))) {
		throw new HttpError(400, `ids: up to ${maxKeysPerRequest} key ids, separated by commas`);
	}
	return parts.map(Number);
}
