/**
 * The wizard's review step: one row per field, in the wizard's words, with what an edit changed.
 * Pure, as the steps are (wizard.ts).
 */
import { displayExpiration, isExpirationPreset, isRelativeSpan, parseExpiration } from "../core/expiration.js";
import type { Step, WizardValues } from "./wizard.js";

/** " (until 2027-03-05)" for a span such as "90d", "" for anything else. */
function untilText(value: string, now: Date): string {
	if (!isRelativeSpan(value)) return "";
	const parsed = parseExpiration(value, now);
	return parsed.ok && parsed.value !== null ? ` (until ${parsed.value.slice(0, 10)})` : "";
}

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
			return isExpirationPreset(values.expiration) ? values.expiration : "custom";
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
