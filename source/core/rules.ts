/**
 * The key rules, one implementation for the console, the command line and the server:
 * per-type field rules (proget-api.md §1.4) read from the profile's catalog, enum parsing, text
 * limits, the store's expiration and custom-key policies.
 */
import {
	type Catalog,
	legacyFeedApi,
	type ScopeChoice,
	systemApiValues,
	typeSpec,
} from "./catalog.js";
import { parseKeyType, parseLogging, splitList } from "./enums.js";
import { expirationPolicyError, parseExpiration } from "./expiration.js";
import type { KeyDraft, KeyType } from "./model.js";
import type { StoreSettings } from "./settings.js";

/** Loosely typed input as it arrives from a JSON body, command-line flags or a form. */
export interface KeyInput {
	type?: unknown;
	displayName?: unknown;
	description?: unknown;
	systemApis?: unknown;
	packagePermissions?: unknown;
	feed?: unknown;
	feedGroup?: unknown;
	user?: unknown;
	expiration?: unknown;
	logging?: unknown;
}

export type FieldName = keyof KeyDraft | "key";

export interface FieldError {
	field: FieldName;
	message: string;
}

export type RuleResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export interface RuleContext {
	catalog: Catalog;
	settings: StoreSettings;
	now: Date;
}

/** Why a check runs: `import` may bring types `create` refuses (legacy keys). */
export type Purpose = "create" | "import";

const textLimits = {
	displayName: 200,
	description: 2000,
	feed: 200,
	feedGroup: 200,
	user: 200,
} as const;
type TextField = keyof typeof textLimits;

const maxCustomKeyLength = 1000;
// C0 and C1 controls, DEL, and bidi overrides: stored text must never be able to drive a terminal.
const forbiddenText = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function parseText(field: TextField, raw: unknown, errors: FieldError[]): string | null {
	if (raw === undefined || raw === null) return null;
	if (typeof raw !== "string") {
		errors.push({ field, message: "must be a string" });
		return null;
	}
	const text = raw.trim();
	if (text === "") return null;
	if (forbiddenText.test(text)) {
		errors.push({ field, message: "must not contain control characters" });
		return null;
	}
	if (text.length > textLimits[field]) {
		errors.push({ field, message: `must be at most ${textLimits[field]} characters` });
		return null;
	}
	return text;
}

function parseScopeList(
	field: "systemApis" | "packagePermissions",
	raw: unknown,
	errors: FieldError[],
): string[] | null {
	if (raw === undefined || raw === null) return null;
	let items: unknown[];
	if (typeof raw === "string") items = splitList(raw);
	else if (Array.isArray(raw)) items = raw;
	else {
		errors.push({ field, message: "must be a list of strings" });
		return null;
	}
	if (!items.every((item): item is string => typeof item === "string")) {
		errors.push({ field, message: "must be a list of strings" });
		return null;
	}
	const values = [
		...new Set(items.map((item) => item.trim().toLowerCase()).filter((v) => v !== "")),
	];
	return values.length === 0 ? null : values;
}

function quoteList(choices: readonly ScopeChoice[]): string {
	const quoted = choices.map((c) => `"${c.value}"`);
	if (quoted.length <= 1) return quoted.join("");
	return `${quoted.slice(0, -1).join(", ")}, and ${quoted.at(-1)}`;
}

/** Sorts granted values into catalog order, so every front end shows and stores them alike. */
function inCatalogOrder(order: readonly string[], values: readonly string[]): string[] {
	return [...values].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

function parseFields(input: KeyInput, ctx: RuleContext, errors: FieldError[]): Partial<KeyDraft> {
	const parsed: Partial<KeyDraft> = {};
	for (const field of Object.keys(textLimits) as TextField[]) {
		if (field in input) parsed[field] = parseText(field, input[field], errors);
	}
	if ("systemApis" in input)
		parsed.systemApis = parseScopeList("systemApis", input.systemApis, errors);
	if ("packagePermissions" in input) {
		parsed.packagePermissions = parseScopeList(
			"packagePermissions",
			input.packagePermissions,
			errors,
		);
	}
	if ("logging" in input) {
		if (input.logging === undefined || input.logging === null) parsed.logging = "none";
		else {
			const logging = parseLogging(input.logging);
			if (logging) parsed.logging = logging;
			else
				errors.push({ field: "logging", message: "must be one of none, request, response, both" });
		}
	}
	if ("expiration" in input) {
		const raw = input.expiration;
		if (raw === undefined || raw === null) parsed.expiration = null;
		else if (typeof raw !== "string")
			errors.push({ field: "expiration", message: "must be a date string" });
		else {
			const result = parseExpiration(raw, ctx.now);
			if (result.ok) parsed.expiration = result.value;
			else errors.push({ field: "expiration", message: result.error });
		}
	}
	return parsed;
}

function mustBeNull(draft: KeyDraft, fields: (keyof KeyDraft)[], errors: FieldError[]): void {
	for (const field of fields) {
		if (draft[field] !== null) {
			errors.push({ field, message: `must not be set for ${draft.type} keys` });
		}
	}
}

function checkSystem(draft: KeyDraft, catalog: Catalog, errors: FieldError[]): void {
	mustBeNull(draft, ["packagePermissions", "feed", "feedGroup", "user"], errors);
	const { fullControl, choices } = catalog.systemApis;
	const expected = `Expected either "${fullControl.value}" or a comma-separated list of ${quoteList(choices)}`;
	const apis = draft.systemApis;
	if (apis === null) {
		errors.push({ field: "systemApis", message: `is required for system keys. ${expected}` });
		return;
	}
	const known = new Set(choices.map((c) => c.value));
	const valid =
		(apis.length === 1 && apis[0] === fullControl.value) || apis.every((api) => known.has(api));
	if (!valid) {
		errors.push({
			field: "systemApis",
			message: `an invalid value for API was specified. ${expected}`,
		});
		return;
	}
	draft.systemApis = inCatalogOrder(systemApiValues(catalog), apis);
}

function checkFeed(draft: KeyDraft, catalog: Catalog, errors: FieldError[]): void {
	mustBeNull(draft, ["systemApis", "user"], errors);
	const permissions = draft.packagePermissions;
	const allowed = catalog.packagePermissions.map((c) => c.value);
	if (permissions === null) {
		errors.push({
			field: "packagePermissions",
			message: `is required for feed keys: any of ${allowed.join(", ")}`,
		});
	} else if (!permissions.every((p) => allowed.includes(p))) {
		errors.push({
			field: "packagePermissions",
			message: `an invalid value was specified: use any of ${allowed.join(", ")}`,
		});
	} else {
		draft.packagePermissions = inCatalogOrder(allowed, permissions);
	}
	if (draft.feed !== null && draft.feedGroup !== null) {
		errors.push({
			field: "feedGroup",
			message: "either a feed or a feed group may be given, not both",
		});
	}
}

function checkPersonal(draft: KeyDraft, errors: FieldError[]): void {
	mustBeNull(draft, ["systemApis", "packagePermissions", "feed", "feedGroup"], errors);
	if (draft.user === null) errors.push({ field: "user", message: "is required for personal keys" });
}

function checkLegacy(draft: KeyDraft, catalog: Catalog, errors: FieldError[]): void {
	mustBeNull(draft, ["packagePermissions", "feed", "feedGroup"], errors);
	const allowed = catalog.legacyApis.map((c) => c.value);
	const apis = draft.systemApis;
	if (apis === null || !apis.every((api) => allowed.includes(api))) {
		errors.push({
			field: "systemApis",
			message: `legacy keys are granted any of ${allowed.join(", ")}`,
		});
		return;
	}
	draft.systemApis = inCatalogOrder(allowed, apis);
	if (draft.user !== null && !apis.includes(legacyFeedApi)) {
		errors.push({ field: "user", message: `a Feed API username needs the ${legacyFeedApi} grant` });
	}
}

/** The per-type rules and the store's policies, applied to a whole draft. */
function checkDraft(
	draft: KeyDraft,
	ctx: RuleContext,
	checkExpiration: boolean,
	errors: FieldError[],
	typedExpiration?: unknown,
): void {
	switch (draft.type) {
		case "system":
			checkSystem(draft, ctx.catalog, errors);
			break;
		case "feed":
			checkFeed(draft, ctx.catalog, errors);
			break;
		case "personal":
			checkPersonal(draft, errors);
			break;
		case "other":
			checkLegacy(draft, ctx.catalog, errors);
			break;
	}
	if (checkExpiration) {
		const typed = typeof typedExpiration === "string" ? typedExpiration : undefined;
		const problem = expirationPolicyError(draft.expiration, ctx.settings, ctx.now, typed);
		if (problem) errors.push({ field: "expiration", message: problem });
	}
}

function checkType(
	raw: unknown,
	ctx: RuleContext,
	purpose: Purpose,
	errors: FieldError[],
): KeyType | undefined {
	const names = ctx.catalog.types.map((t) => t.type).join(", ");
	if (raw === undefined || raw === null) {
		errors.push({ field: "type", message: `is required: one of ${names}` });
		return undefined;
	}
	const type = parseKeyType(raw);
	const spec = type && typeSpec(ctx.catalog, type);
	if (!type || !spec) {
		errors.push({
			field: "type",
			message: `must be one of ${names} in the ${ctx.catalog.profile} profile`,
		});
		return undefined;
	}
	if (purpose === "create" && !spec.creatable) {
		errors.push({
			field: "type",
			message: spec.notCreatableReason ?? `${type} keys cannot be created`,
		});
		return undefined;
	}
	if (type === "personal" && !ctx.settings.personalKeysAllowed) {
		errors.push({ field: "type", message: "personal keys are disabled by this store's settings" });
		return undefined;
	}
	return type;
}

/** Builds a checked, canonical draft from loose input, for creating or importing a key. */
export function draftFromInput(
	input: KeyInput,
	ctx: RuleContext,
	purpose: Purpose,
): RuleResult<KeyDraft> {
	const errors: FieldError[] = [];
	const type = checkType(input.type, ctx, purpose, errors);
	const fields = parseFields(input, ctx, errors);
	if (!type) return { ok: false, errors };
	const draft: KeyDraft = {
		type,
		displayName: fields.displayName ?? null,
		description: fields.description ?? null,
		systemApis: fields.systemApis ?? null,
		packagePermissions: fields.packagePermissions ?? null,
		feed: fields.feed ?? null,
		feedGroup: fields.feedGroup ?? null,
		user: fields.user ?? null,
		expiration: fields.expiration ?? null,
		logging: fields.logging ?? "none",
	};
	if (errors.length === 0) checkDraft(draft, ctx, true, errors, input.expiration);
	return errors.length === 0 ? { ok: true, value: draft } : { ok: false, errors };
}

/**
 * Applies a change to an existing key: every field but type and secret. Giving a feed clears the
 * feed group and the other way round, so a key can move between them in one change.
 */
export function applyPatch(
	current: KeyDraft,
	input: KeyInput,
	ctx: RuleContext,
): RuleResult<KeyDraft> {
	const errors: FieldError[] = [];
	if ("type" in input && input.type !== undefined && parseKeyType(input.type) !== current.type) {
		errors.push({
			field: "type",
			message: "a key's type cannot be changed; create a new key instead",
		});
	}
	const fields = parseFields(input, ctx, errors);
	const next: KeyDraft = { ...current, ...fields };
	if (fields.feed != null && !("feedGroup" in input)) next.feedGroup = null;
	if (fields.feedGroup != null && !("feed" in input)) next.feed = null;
	if (errors.length === 0) checkDraft(next, ctx, "expiration" in input, errors, input.expiration);
	return errors.length === 0 ? { ok: true, value: next } : { ok: false, errors };
}

/** Why a typed or imported key text is refused by the store's settings, or undefined. */
export function customKeyError(key: string, settings: StoreSettings): string | undefined {
	if (!settings.customKeysAllowed) return "custom keys are disabled by this store's settings";
	if (key.length < settings.minCustomKeyLength) {
		return `a custom key must be at least ${settings.minCustomKeyLength} characters`;
	}
	if (key.length > maxCustomKeyLength)
		return `a custom key must be at most ${maxCustomKeyLength} characters`;
	if (!/^[\x21-\x7e]+$/.test(key)) {
		return "a custom key may only contain printable ASCII characters, without spaces";
	}
	return undefined;
}
