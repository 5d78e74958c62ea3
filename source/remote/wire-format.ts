/**
 * What goes over the wire to a remote instance and back, read without trusting it: a key list's
 * ApiKeyInfo items, access-log pages, audit entries and settings from the server; the create
 * body written as pgutil writes it.
 */
import type { AccessLogEntry, AccessLogPage, AuditEntry } from "../core/backend.js";
import { parseKeyType, parseLogging, pascalCase } from "../core/enums.js";
import { AppError, RuleError } from "../core/errors.js";
import { normalizeExpiration, wireExpiration } from "../core/expiration.js";
import type { KeyRecord } from "../core/model.js";
import type { KeyInput } from "../core/rules.js";
import { defaultSettings, settingSpecs, type StoreSettings } from "../core/settings.js";

function text(value: unknown): string | null {
	return typeof value === "string" ? value : null;
}

/** Scope values as the server sent them (compared without case where they are matched). */
function list(value: unknown): string[] | null {
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : null;
}

/**
 * A wire ApiKeyInfo (plus our extras, when the server sends them) as a record. Nothing in it is
 * trusted: a missing id gets `fallbackId` (negative: shown, never sent back), an unknown type is
 * read as `other`, an expiration that is not a date is kept as text and shown as it came.
 */
export function recordFromWire(raw: unknown, fallbackId = -1): KeyRecord {
	if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new AppError("the server sent a key that is not an object", "unavailable");
	const item = raw as Record<string, unknown>;
	const id = typeof item.id === "number" && Number.isSafeInteger(item.id) && item.id > 0 ? item.id : fallbackId;
	const expiration = text(item.expiration);
	return {
		id,
		type: parseKeyType(item.type) ?? "other",
		displayName: text(item.displayName),
		description: text(item.description),
		systemApis: list(item.systemApis),
		packagePermissions: list(item.packagePermissions),
		feed: text(item.feed),
		feedGroup: text(item.feedGroup),
		user: text(item.user),
		expiration: expiration === null ? null : (normalizeExpiration(expiration) ?? expiration),
		logging: parseLogging(item.logging) ?? "none",
		hint: text(item.hint) ?? (typeof item.key === "string" ? "(stored in plain text on the server)" : "(hidden)"),
		enabled: item.enabled !== false,
		createdAt: text(item.createdAt) ?? "",
		createdBy: text(item.createdBy) ?? "",
		updatedAt: text(item.updatedAt),
		lastUsedAt: text(item.lastUsedAt),
	};
}

/**
 * The JSON body of a create request as pgutil writes an ApiKeyInfo: camelCase names in the
 * class's order, PascalCase enum names, nulls left out
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetApiJsonContext.cs#L32,
 * https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ApiKeyInfo.cs),
 * the expiration as the ISO form of the `DateTime` it parsed.
 */
export function createBody(input: KeyInput, key: string | undefined, now: Date): Record<string, unknown> {
	const body: Record<string, unknown> = { type: pascalCase(String(parseKeyType(input.type) ?? input.type)) };
	if (key !== undefined) body.key = key;
	for (const field of ["displayName", "description", "systemApis", "packagePermissions", "feed", "feedGroup"] as const) {
		const value = input[field];
		if (value !== undefined && value !== null && value !== "") body[field] = value;
	}
	if (typeof input.expiration === "string" && input.expiration !== "") {
		const expiration = wireExpiration(input.expiration, now);
		if (!expiration.ok) throw new RuleError([{ field: "expiration", message: expiration.error }]);
		if (expiration.value !== null) body.expiration = expiration.value;
	}
	body.logging = pascalCase(parseLogging(input.logging) ?? "none");
	if (input.user !== undefined && input.user !== null && input.user !== "") body.user = input.user;
	return body;
}

function whole(value: unknown): number | undefined {
	return typeof value === "number" && Number.isSafeInteger(value) ? value : undefined;
}

function entryFromWire(raw: unknown): AccessLogEntry | undefined {
	if (typeof raw !== "object" || raw === null) return undefined;
	const item = raw as Record<string, unknown>;
	const id = whole(item.id);
	const at = whole(item.at);
	if (id === undefined || at === undefined || Number.isNaN(new Date(at).getTime())) return undefined;
	return {
		id,
		at,
		keyId: whole(item.keyId) ?? null,
		keyName: text(item.keyName),
		method: text(item.method) ?? "",
		path: text(item.path) ?? "",
		status: whole(item.status) ?? 0,
		durationMs: typeof item.durationMs === "number" && Number.isFinite(item.durationMs) ? item.durationMs : 0,
		client: text(item.client) ?? "",
		userAgent: text(item.userAgent),
		requestBody: text(item.requestBody),
		responseBody: text(item.responseBody),
	};
}

export function accessLogPageFromWire(raw: unknown, before: number | undefined): AccessLogPage {
	const answer = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
	if (!Array.isArray(answer.entries)) throw new AppError("the server's access-log page has no list of entries", "unavailable");
	const entries = answer.entries.map(entryFromWire).filter((entry) => entry !== undefined);
	const next = whole(answer.nextBefore);
	const advances = next !== undefined && (before === undefined || next < before);
	return advances ? { entries, nextBefore: next } : { entries };
}

export function auditEntryFromWire(raw: unknown): AuditEntry | undefined {
	if (typeof raw !== "object" || raw === null) return undefined;
	const item = raw as Record<string, unknown>;
	const id = whole(item.id);
	if (id === undefined) return undefined;
	const details = typeof item.details === "object" && item.details !== null && !Array.isArray(item.details) ? (item.details as Record<string, unknown>) : {};
	return { id, at: text(item.at) ?? "", actor: text(item.actor) ?? "", action: text(item.action) ?? "", keyId: whole(item.keyId) ?? null, details };
}

/** The server's settings, each of the kind it must be; a value that is not falls back to the default. */
export function settingsFromWire(raw: unknown): StoreSettings {
	const answer = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
	const settings: Record<string, unknown> = { ...defaultSettings };
	for (const spec of settingSpecs) {
		const value = answer[spec.name];
		const fits = spec.kind === "boolean" ? typeof value === "boolean" : whole(value) !== undefined || (value === null && spec.kind === "optional-integer");
		if (fits) settings[spec.name] = value;
	}
	return settings as unknown as StoreSettings;
}
