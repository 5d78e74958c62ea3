/** What the routes read from a request: its id, a key's fields, what a key must allow, a log filter. */
import type { Requirement } from "../core/access.js";
import type { AccessLogFilter } from "../core/backend.js";
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
