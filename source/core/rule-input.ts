/**
 * Key input as it arrives, loosely typed (a JSON body, command-line flags, a form), read field by
 * field into draft values: text trimmed and limited, scope lists lower-cased once each, enums and
 * expirations parsed. Whether the fields fit together is rules.ts's and type-rules.ts's job.
 */
import { parseLogging, splitList } from "./enums.js";
import { parseExpiration } from "./expiration.js";
import type { KeyDraft } from "./model.js";

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

const textLimits = {
	displayName: 200,
	description: 2000,
	feed: 200,
	feedGroup: 200,
	user: 200,
} as const;
type TextField = keyof typeof textLimits;

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

/** The fields present in the input, each parsed on its own; what is wrong goes to `errors`. */
export function parseFields(input: KeyInput, now: Date, errors: FieldError[]): Partial<KeyDraft> {
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
			const result = parseExpiration(raw, now);
			if (result.ok) parsed.expiration = result.value;
			else errors.push({ field: "expiration", message: result.error });
		}
	}
	return parsed;
}
