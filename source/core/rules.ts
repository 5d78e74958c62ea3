/**
 * The key rules, one implementation for the console, the command line and the server: input read
 * field by field (rule-input.ts), the per-type field rules (type-rules.ts), the type itself, and
 * the store's expiration and custom-key policies.
 */
import { type Catalog, typeSpec } from "./catalog.js";
import { parseKeyType } from "./enums.js";
import { expirationPolicyError } from "./expiration.js";
import type { KeyDraft, KeyType } from "./model.js";
import { type FieldError, type KeyInput, parseFields, type RuleResult } from "./rule-input.js";
import type { StoreSettings } from "./settings.js";
import { checkTypeFields } from "./type-rules.js";

export type { FieldError, FieldName, KeyInput, RuleResult } from "./rule-input.js";

export interface RuleContext {
	catalog: Catalog;
	settings: StoreSettings;
	now: Date;
}

/** Why a check runs: `import` may bring types `create` refuses (legacy keys). */
export type Purpose = "create" | "import";

const maxCustomKeyLength = 1000;

/** The per-type rules and the store's policies, applied to a whole draft. */
function checkDraft(
	draft: KeyDraft,
	ctx: RuleContext,
	checkExpiration: boolean,
	errors: FieldError[],
	typedExpiration?: unknown,
): void {
	checkTypeFields(draft, ctx.catalog, errors);
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
	const fields = parseFields(input, ctx.now, errors);
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
	const fields = parseFields(input, ctx.now, errors);
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
