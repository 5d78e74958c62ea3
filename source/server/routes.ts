/**
 * The routes: ProGet's three API-key endpoints with its shapes and status codes
 * (proget-api.md §2), plus this project's extensions under the same prefix.
 */
import type { Requirement } from "../core/access.js";
import { AppError } from "../core/errors.js";
import { parseLogFilter } from "../core/log-filter.js";
import { keyWithExtras, toApiKeyInfo } from "../core/model.js";
import type { KeyInput } from "../core/rules.js";
import type { ServedStore } from "../core/served-store.js";
import { HttpError } from "./request-body.js";

export interface RouteContext {
	store: ServedStore;
	query: URLSearchParams;
	/** The parsed JSON body, when there was one. */
	json: unknown;
	/** Who the audit trail names for a change. */
	actor: string;
	version: string;
}

/** A JSON body already serialised: the key list is answered many times between changes. */
export class JsonText {
	constructor(readonly text: string) {}
}

export interface Reply {
	status: number;
	body: unknown;
	/** Secrets the reply reveals (a new key), to keep out of the access log. */
	reveals?: string[];
	/** How long the failure throttle held this answer, reported to the client. */
	heldMs?: number;
	/** How long the client must wait before its key is evaluated again (429), reported as Retry-After. */
	retryAfterMs?: number;
	/** Close the connection after this answer instead of reading what follows. */
	close?: boolean;
	/** Headers beside the server's own (the authorize route's answer about a key). */
	headers?: Record<string, string>;
}

export interface Route {
	methods: readonly string[];
	path: string;
	/** "manage": a system key with the profile's full control; "none": open (health). */
	access: "manage" | "none";
	/** Routes that answer from memory return the reply itself, without a promise to wait on. */
	handle: (ctx: RouteContext) => Reply | Promise<Reply>;
}

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

function jsonObject(json: unknown): Record<string, unknown> {
	if (typeof json !== "object" || json === null || Array.isArray(json)) {
		throw new HttpError(400, "The request body must be a JSON object.");
	}
	return json as Record<string, unknown>;
}

/** The ApiKeyInfo fields a body sets; `id` and anything unknown are ignored, as pgutil's reader does. */
function keyInput(body: Record<string, unknown>, allowType: boolean): KeyInput {
	const input: KeyInput = {};
	for (const field of keyFields) {
		if (field === "type" && !allowType) continue;
		if (field in body) input[field] = body[field];
	}
	return input;
}

function idFrom(query: URLSearchParams): number {
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

const prefix = "/api/api-keys";

export function buildRoutes(): Route[] {
	return [
		{
			methods: ["GET"],
			path: "/health",
			access: "none",
			handle: ({ version }) => ({
				status: 200,
				body: {
					applicationName: "apikeys-tui",
					databaseStatus: "OK",
					databaseStatusDetails: null,
					licenseStatus: "OK",
					licenseStatusDetails: null,
					versionNumber: version,
					releaseNumber: `${version} (apikeys-tui)`,
					serviceStatus: "OK",
					serviceStatusDetails: null,
				},
			}),
		},
		{
			methods: ["GET"],
			path: `${prefix}/list`,
			access: "manage",
			// ?details=true adds the store's own fields (for the remote console); pgutil never sends it.
			handle: async ({ store, query }) => ({ status: 200, body: new JsonText(await store.servedKeyList(query.get("details") === "true")) }),
		},
		{
			methods: ["POST", "PUT"],
			path: `${prefix}/create`,
			access: "manage",
			handle: async ({ store, json, actor }) => {
				const body = jsonObject(json);
				const key = body.key;
				if (key !== undefined && key !== null && typeof key !== "string") {
					throw new HttpError(400, "key: must be a string");
				}
				const options = typeof key === "string" && key !== "" ? { key, actor } : { actor };
				const created = await store.createKey(keyInput(body, true), options);
				return { status: 200, body: toApiKeyInfo(created.record, created.key), reveals: [created.key] };
			},
		},
		{
			methods: ["POST", "DELETE"],
			path: `${prefix}/delete`,
			access: "manage",
			handle: async ({ store, query, actor }) => {
				await store.deleteKey(idFrom(query), actor);
				return { status: 200, body: "" };
			},
		},
		{
			methods: ["GET"],
			path: `${prefix}/get`,
			access: "manage",
			handle: async ({ store, query }) => {
				const id = idFrom(query);
				const record = await store.getKey(id);
				if (!record) throw new AppError(`No API key has id ${id}.`, "not-found");
				return { status: 200, body: keyWithExtras(record) };
			},
		},
		{
			methods: ["POST"],
			path: `${prefix}/update`,
			access: "manage",
			handle: async ({ store, query, json, actor }) => {
				const body = jsonObject(json);
				if ("type" in body) throw new HttpError(400, "type: a key's type cannot be changed; create a new key instead");
				if ("key" in body) throw new HttpError(400, "key: a key's text cannot be changed; roll it instead");
				const record = await store.updateKey(idFrom(query), keyInput(body, false), actor);
				return { status: 200, body: keyWithExtras(record) };
			},
		},
		...(["enable", "disable"] as const).map(
			(verb): Route => ({
				methods: ["POST"],
				path: `${prefix}/${verb}`,
				access: "manage",
				handle: async ({ store, query, actor }) => ({
					status: 200,
					body: keyWithExtras(await store.setEnabled(idFrom(query), verb === "enable", actor)),
				}),
			}),
		),
		{
			methods: ["POST"],
			path: `${prefix}/roll`,
			access: "manage",
			handle: async ({ store, query, actor }) => {
				const rolled = await store.rollKey(idFrom(query), actor);
				return { status: 200, body: toApiKeyInfo(rolled.record, rolled.key), reveals: [rolled.key] };
			},
		},
		{
			methods: ["POST"],
			path: `${prefix}/convert`,
			access: "manage",
			handle: async ({ store, query, actor }) => ({
				status: 200,
				body: keyWithExtras(await store.convertLegacyKey(idFrom(query), actor)),
			}),
		},
		{
			methods: ["GET"],
			path: `${prefix}/logs`,
			access: "manage",
			handle: async ({ store, query }) => {
				const text: Record<string, string> = {};
				for (const field of ["key", "status", "method", "path", "contains", "since", "until"]) {
					const value = query.get(field);
					if (value !== null && value !== "") text[field] = value;
				}
				const parsed = parseLogFilter(text, new Date());
				if (!parsed.ok) throw new HttpError(400, `${parsed.field}: ${parsed.error}`);
				const limitText = query.get("limit") ?? "50";
				const beforeText = query.get("before");
				if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000) {
					throw new HttpError(400, "limit: must be a whole number from 1 to 1000");
				}
				if (beforeText !== null && !/^\d{1,15}$/.test(beforeText)) throw new HttpError(400, "before: must be an entry id");
				const page = await store.queryAccessLog(parsed.filter, {
					limit: Number(limitText),
					...(beforeText === null ? {} : { before: Number(beforeText) }),
				});
				return { status: 200, body: page };
			},
		},
		{
			methods: ["POST"],
			path: `${prefix}/logs/prune`,
			access: "manage",
			handle: async ({ store }) => ({ status: 200, body: { removed: await store.pruneAccessLog() } }),
		},
		{
			methods: ["GET"],
			path: `${prefix}/audit`,
			access: "manage",
			handle: async ({ store, query }) => {
				const id = query.get("id");
				return { status: 200, body: await store.auditTrail(id === null ? undefined : idFrom(query), 500) };
			},
		},
		{
			methods: ["GET", "POST"],
			path: `${prefix}/settings`,
			access: "manage",
			handle: async ({ store, json, actor }) => {
				if (json === undefined) return { status: 200, body: await store.getSettings() };
				return { status: 200, body: await store.updateSettings(jsonObject(json), actor) };
			},
		},
		{
			methods: ["GET"],
			path: `${prefix}/capabilities`,
			access: "manage",
			handle: async ({ store, version }) => ({
				status: 200,
				body: { product: "apikeys-tui", version, profile: store.profile, capabilities: store.capabilities },
			}),
		},
		{
			methods: ["POST"],
			path: `${prefix}/verify`,
			access: "manage",
			handle: ({ store, json }) => {
				const body = jsonObject(json);
				if (typeof body.key !== "string" || body.key === "") throw new HttpError(400, "key: the key to verify is required");
				const result = store.verifyNow(body.key, requirementFrom(body));
				const record = result.record;
				return {
					status: 200,
					body: {
						valid: result.outcome === "valid",
						outcome: result.outcome,
						...(record
							? { id: record.id, type: record.type, displayName: record.displayName, user: record.user }
							: {}),
					},
					// A key that exists is a secret wherever it appears; another is redacted only as the body's key.
					...(record ? { reveals: [body.key] } : {}),
				};
			},
		},
	];
}
