/**
 * The create wizard as data: the steps for a key type, read from the profile's catalog, and what
 * each step turns into. Pure: the create screen (console/create-screen.ts) walks it; the rules
 * check every value as typed; the review step's rows are in wizard-review.ts.
 */
import { type Catalog, creatableTypes, typeSpec } from "../core/catalog.js";
import { defaultExpirationPreset, expirationPolicyError, expirationPresetChoices, isExpirationPreset, parseExpiration } from "../core/expiration.js";
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
		expiration: defaultExpirationPreset,
		logging: "none",
		keySource: "generated",
		customKey: "",
	};
}

export function expirationPresets(settings: StoreSettings): Choice[] {
	const presets: Choice[] = expirationPresetChoices(settings);
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
	if (!isExpirationPreset(values.expiration)) {
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

/** Body logging in the wizard's words, which the detail screen uses too. */
export const loggingChoices: Choice[] = [
	{ value: "none", label: "none (headers only)" },
	{ value: "request", label: "request bodies" },
	{ value: "response", label: "response bodies" },
	{ value: "both", label: "both" },
];
