/**
 * The create wizard as data: the steps for a key type, read from the profile's catalog, and what
 * each step turns into. Pure: the console model walks it; the rules check every value as typed.
 */
import { type Catalog, creatableTypes, typeSpec } from "../core/catalog.js";
import { displayExpiration, expirationPolicyError, isRelativeSpan, parseExpiration } from "../core/expiration.js";
import type { KeyRecord, KeyType, Logging } from "../core/model.js";
import { customKeyError, type KeyInput } from "../core/rules.js";
import type { StoreSettings } from "../core/settings.js";

export interface Choice {
	value: string;
	label: string;
}

export type StepKind = "choice" | "multi" | "text" | "secret" | "review";

export interface Step {
	id: string;
	title: string;
	kind: StepKind;
	choices?: Choice[];
	/** A hint under the field or the choices. */
	hint?: string;
	optional?: boolean;
}

export interface WizardValues {
	type?: KeyType;
	systemApis: string[];
	feedScope: "feed" | "group" | "all";
	feedName: string;
	packagePermissions: string[];
	user: string;
	displayName: string;
	description: string;
	expiration: string;
	logging: Logging;
	keySource: "generated" | "custom";
	customKey: string;
}

/** The values typed into a text field rather than chosen. */
export type TextFieldName = "feedName" | "user" | "displayName" | "description" | "expiration" | "customKey";

export function emptyValues(catalog: Catalog): WizardValues {
	return {
		systemApis: [],
		feedScope: "feed",
		feedName: "",
		packagePermissions: catalog.packagePermissions.map((c) => c.value),
		user: "",
		displayName: "",
		description: "",
		expiration: "90d",
		logging: "none",
		keySource: "generated",
		customKey: "",
	};
}

export function expirationPresets(settings: StoreSettings): Choice[] {
	const presets: Choice[] = [
		{ value: "30d", label: "30 days" },
		{ value: "90d", label: "90 days" },
		{ value: "1y", label: "1 year" },
	];
	if (settings.nonExpiringAllowed && settings.maxLifetimeDays === null) presets.push({ value: "never", label: "never" });
	presets.push({ value: "custom", label: "a date…" });
	return presets;
}

export type WizardMode = "create" | "edit";

/** The steps for the values chosen so far (the type decides the scope steps). Edit skips type and key. */
export function wizardSteps(catalog: Catalog, values: WizardValues, settings: StoreSettings, mode: WizardMode = "create"): Step[] {
	const steps: Step[] = [];
	if (mode === "create") {
		steps.push({
			id: "type",
			title: "Key type",
			kind: "choice",
			choices: creatableTypes(catalog)
				.filter((type) => type !== "personal" || settings.personalKeysAllowed)
				.map((type) => ({ value: type, label: typeSpec(catalog, type)?.label ?? type })),
		});
	}
	if (values.type === "other") {
		steps.push({
			id: "systemApis",
			title: "Legacy grants",
			kind: "multi",
			choices: catalog.legacyApis.map((c) => ({ value: c.value, label: c.label })),
		});
		steps.push({ id: "user", title: "Feed API username (optional)", kind: "text", optional: true });
	}
	if (values.type === "system") {
		steps.push({
			id: "systemApis",
			title: "APIs",
			hint: "the first reaches everything",
			kind: "multi",
			choices: [catalog.systemApis.fullControl, ...catalog.systemApis.choices].map((c) => ({ value: c.value, label: c.label })),
		});
	}
	if (values.type === "feed") {
		steps.push({
			id: "feedScope",
			title: "Which feeds",
			kind: "choice",
			choices: [
				{ value: "feed", label: "one feed" },
				{ value: "group", label: "one feed group" },
				{ value: "all", label: "every feed" },
			],
		});
		if (values.feedScope !== "all") {
			steps.push({ id: "feedName", title: values.feedScope === "feed" ? "Feed name" : "Feed group name", kind: "text" });
		}
		steps.push({
			id: "packagePermissions",
			title: "Package permissions",
			kind: "multi",
			choices: catalog.packagePermissions.map((c) => ({ value: c.value, label: c.label })),
		});
	}
	if (values.type === "personal") steps.push({ id: "user", title: "User the key acts as", kind: "text" });
	steps.push(
		{ id: "displayName", title: "Name", kind: "text", optional: true },
		{ id: "description", title: "Description", kind: "text", optional: true },
		{ id: "expirationPreset", title: "Expires", kind: "choice", choices: expirationPresets(settings) },
	);
	if (values.expiration !== "never" && !["30d", "90d", "1y"].includes(values.expiration)) {
		steps.push({
			id: "expiration",
			title: "Expiration date",
			kind: "text",
			hint: "YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, Aug 1, 2030, ISO-8601, or 30d / 12w / 1y from now",
		});
	}
	steps.push({
		id: "logging",
		title: "Body logging",
		kind: "choice",
		choices: loggingChoices,
	});
	if (settings.customKeysAllowed && mode === "create") {
		steps.push({
			id: "keySource",
			title: "Key text",
			kind: "choice",
			choices: [
				{ value: "generated", label: "generate one (40 hex characters)" },
				{ value: "custom", label: "type one (for a migration)" },
			],
		});
		if (values.keySource === "custom") {
			steps.push({ id: "customKey", title: "Custom key", kind: "secret", hint: `at least ${settings.minCustomKeyLength} characters` });
		}
	}
	steps.push({ id: "review", title: "Review", kind: "review" });
	return steps;
}

/** The wizard's values for an existing key, to edit it. */
export function valuesFromKey(catalog: Catalog, key: KeyRecord): WizardValues {
	return {
		...emptyValues(catalog),
		type: key.type,
		systemApis: key.systemApis ?? [],
		feedScope: key.feed !== null ? "feed" : key.feedGroup !== null ? "group" : "all",
		feedName: key.feed ?? key.feedGroup ?? "",
		packagePermissions: key.packagePermissions ?? [],
		user: key.user ?? "",
		displayName: key.displayName ?? "",
		description: key.description ?? "",
		expiration: key.expiration ?? "never",
		logging: key.logging,
	};
}

/** What the rules get from the wizard's values. */
export function wizardInput(values: WizardValues): KeyInput {
	const input: KeyInput = {
		type: values.type,
		displayName: values.displayName,
		description: values.description,
		expiration: values.expiration,
		logging: values.logging,
	};
	if (values.type === "system") input.systemApis = values.systemApis;
	if (values.type === "feed") {
		input.packagePermissions = values.packagePermissions;
		if (values.feedScope === "feed") input.feed = values.feedName;
		if (values.feedScope === "group") input.feedGroup = values.feedName;
	}
	if (values.type === "personal") input.user = values.user;
	if (values.type === "other") {
		input.systemApis = values.systemApis;
		input.user = values.user;
	}
	return input;
}

/** Why a step's current value cannot be accepted yet, checked as it is typed; undefined when fine. */
export function stepProblem(step: Step, values: WizardValues, settings: StoreSettings, now: Date): string | undefined {
	switch (step.id) {
		case "systemApis":
			if (values.systemApis.length === 0) return "choose at least one API";
			return undefined;
		case "packagePermissions":
			return values.packagePermissions.length === 0 ? "choose at least one permission" : undefined;
		case "feedName":
			return values.feedName.trim() === "" ? "a name is required" : undefined;
		case "user":
			return values.user.trim() === "" && !step.optional ? "a user is required" : undefined;
		case "expiration": {
			const parsed = parseExpiration(values.expiration, now);
			if (!parsed.ok) return parsed.error;
			return expirationPolicyError(parsed.value, settings, now, values.expiration);
		}
		case "customKey":
			return customKeyError(values.customKey, settings);
		default:
			return undefined;
	}
}

/** " (until 2027-03-05)" for a span such as "90d", "" for anything else. */
function untilText(value: string, now: Date): string {
	if (!isRelativeSpan(value)) return "";
	const parsed = parseExpiration(value, now);
	return parsed.ok && parsed.value !== null ? ` (until ${parsed.value.slice(0, 10)})` : "";
}

/** Body logging in the wizard's words, which the detail screen uses too. */
export const loggingChoices: Choice[] = [
	{ value: "none", label: "none (headers only)" },
	{ value: "request", label: "request bodies" },
	{ value: "response", label: "response bodies" },
	{ value: "both", label: "both" },
];

/** A date typed or kept by the store, as the detail screen shows it (`2030-08-01 14:30`, local). */
function expirationText(value: string, now: Date): string {
	const parsed = parseExpiration(value, now);
	return parsed.ok && parsed.value !== null ? displayExpiration(parsed.value) : value;
}

/** One line of the review: the wizard's own words for a field, its value, and whether an edit changed it. */
export interface ReviewRow {
	/** The step that sets it: Enter on the row goes there, and back. */
	stepId: string;
	label: string;
	value: string;
	changed: boolean;
}

const reviewLabels: Record<string, string> = {
	type: "Type",
	systemApis: "APIs",
	feedScope: "Feeds",
	feedName: "Feed",
	packagePermissions: "Permissions",
	user: "User",
	displayName: "Name",
	description: "Description",
	expirationPreset: "Expires",
	logging: "Body logging",
	keySource: "Key text",
};

/** The values each step sets, to tell what an edit changed. */
const stepFields: Record<string, (keyof WizardValues)[]> = {
	type: ["type"],
	systemApis: ["systemApis"],
	feedScope: ["feedScope"],
	feedName: ["feedName"],
	packagePermissions: ["packagePermissions"],
	user: ["user"],
	displayName: ["displayName"],
	description: ["description"],
	expirationPreset: ["expiration"],
	logging: ["logging"],
	keySource: ["keySource", "customKey"],
};

/** The step's current value as its own choice, for choice steps. */
export function chosenValue(stepId: string, values: WizardValues): string | undefined {
	switch (stepId) {
		case "type":
			return values.type;
		case "feedScope":
			return values.feedScope;
		case "expirationPreset":
			return ["30d", "90d", "1y", "never"].includes(values.expiration) ? values.expiration : "custom";
		case "logging":
			return values.logging;
		case "keySource":
			return values.keySource;
		default:
			return undefined;
	}
}

/**
 * The review step's lines, in the steps' order and the wizard's words (labels, not API field
 * names); a span such as 90d shows the day it ends on (" (until 2027-03-05)"), so the review
 * shows what will be stored. The custom key is never shown, only that one was typed.
 */
export function reviewRows(
	steps: readonly Step[],
	values: WizardValues,
	initial: WizardValues,
	now: Date,
): ReviewRow[] {
	const rows: ReviewRow[] = [];
	for (const step of steps) {
		const label = step.id === "feedName" && values.feedScope === "group" ? "Feed group" : reviewLabels[step.id];
		if (!label) continue;
		const field = values[step.id as keyof WizardValues];
		let value: string;
		if (step.kind === "multi") {
			const chosen = Array.isArray(field) ? field : [];
			value = (step.choices ?? []).filter((c) => chosen.includes(c.value)).map((c) => c.label).join(", ");
		} else if (step.id === "expirationPreset") {
			const preset = step.choices?.find((c) => c.value === values.expiration)?.label;
			value = preset ? `${preset}${untilText(values.expiration, now)}` : expirationText(values.expiration, now);
		} else if (step.kind === "choice") {
			const chosen = chosenValue(step.id, values);
			value = step.choices?.find((c) => c.value === chosen)?.label ?? String(chosen ?? "");
		} else value = String(field ?? "");
		const changed = (stepFields[step.id] ?? []).some((name) => JSON.stringify(values[name]) !== JSON.stringify(initial[name]));
		rows.push({ stepId: step.id, label, value: value === "" ? "(none)" : value, changed });
	}
	return rows;
}
