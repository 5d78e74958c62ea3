/**
 * The per-type field rules of ProGet's ApiKeyInfo
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ApiKeyInfo.cs#L51-L75),
 * read from the profile's catalog: which fields a type needs and must not have, and which scope
 * values it may be granted, kept in catalog order so every front end shows and stores them alike.
 */
import { type Catalog, legacyFeedApi, type ScopeChoice, systemApiValues } from "./catalog.js";
import type { KeyDraft } from "./model.js";
import type { FieldError } from "./rule-input.js";

function quoteList(choices: readonly ScopeChoice[]): string {
	const quoted = choices.map((c) => `"${c.value}"`);
	if (quoted.length <= 1) return quoted.join("");
	return `${quoted.slice(0, -1).join(", ")}, and ${quoted.at(-1)}`;
}

/** Sorts granted values into catalog order, so every front end shows and stores them alike. */
function inCatalogOrder(order: readonly string[], values: readonly string[]): string[] {
	return [...values].sort((a, b) => order.indexOf(a) - order.indexOf(b));
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

/** Checks the draft's fields against its type's rules, putting scope values in catalog order. */
export function checkTypeFields(draft: KeyDraft, catalog: Catalog, errors: FieldError[]): void {
	switch (draft.type) {
		case "system":
			checkSystem(draft, catalog, errors);
			break;
		case "feed":
			checkFeed(draft, catalog, errors);
			break;
		case "personal":
			checkPersonal(draft, errors);
			break;
		case "other":
			checkLegacy(draft, catalog, errors);
			break;
	}
}
