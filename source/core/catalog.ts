/**
 * What a key may reach is data, not code: each product profile has a catalog, and every rule,
 * option, picker and check reads it. Labels follow the products' own UIs
 * (ProGet's: https://github.com/Inedo/inedo-docs/blob/7a30742fe43b750612e3d19b4fd7d9107e60f9dd/Content/proget/api/apikeys/%23.md#L26).
 */
import type { KeyType } from "./model.js";

export const profileNames = ["proget", "otter"] as const;
export type ProfileName = (typeof profileNames)[number];

export interface ScopeChoice {
	/** The wire value, lower case. */
	value: string;
	/** How the product's UI names it. */
	label: string;
	/** Granting this also grants these (e.g. "trigger jobs" lets a key view them). */
	implies?: readonly string[];
}

export interface TypeSpec {
	type: KeyType;
	label: string;
	/** Whether `create` may make a key of this type; imported keys may still have it. */
	creatable: boolean;
	/** Why not, when it is not creatable: shown by the CLI, the server and the console. */
	notCreatableReason?: string;
}

export interface Catalog {
	profile: ProfileName;
	product: string;
	/** The key types this profile knows, in the order pickers show them. */
	types: readonly TypeSpec[];
	/** System keys: either the one all-reaching scope, or any of the others. */
	systemApis: { fullControl: ScopeChoice; choices: readonly ScopeChoice[] };
	/** Feed keys' package permissions; empty where the profile has no feed keys. */
	packagePermissions: readonly ScopeChoice[];
	/** Pre-2024 ("other") keys' grants, stored in `systemApis`; empty where there are none. */
	legacyApis: readonly LegacyScopeChoice[];
}

/** A legacy grant and the 2024 key it converts into (issue: "convert into an equivalent key"). */
export interface LegacyScopeChoice extends ScopeChoice {
	convertsTo:
		| { type: "system"; systemApi: string }
		| { type: "feed"; packagePermission: string }
		| null;
}

/** The legacy grant that may carry a "Feed API username" (kept in `user`). */
export const legacyFeedApi = "feed-api";

const proget: Catalog = {
	profile: "proget",
	product: "ProGet",
	types: [
		{ type: "system", label: "System (manage/admin ProGet)", creatable: true },
		{ type: "feed", label: "Feed (use certain feeds)", creatable: true },
		{ type: "personal", label: "Personal (acts as a user)", creatable: true },
		{
			type: "other",
			label: "Legacy (ProGet before 2024)",
			creatable: false,
			notCreatableReason:
				"legacy (type other) keys cannot be created, as ProGet refuses them; import one, or create a system, feed or personal key",
		},
	],
	systemApis: {
		fullControl: { value: "full-control", label: "Full Control (Including Native API)" },
		choices: [
			{ value: "feeds", label: "Use/Manage Feeds" },
			{ value: "sca", label: "Manage SCA (Projects & Builds)" },
			{ value: "sbom-upload", label: "Upload SBOM documents" },
		],
	},
	packagePermissions: [
		{ value: "view", label: "View/Download" },
		{ value: "add", label: "Add/Repackage" },
		{ value: "promote", label: "Promote" },
		{ value: "delete", label: "Overwrite/Delete" },
	],
	legacyApis: [
		{
			value: "native-api",
			label: "Native API",
			convertsTo: { type: "system", systemApi: "full-control" },
		},
		{
			value: "package-promotion",
			label: "Package Promotion API",
			convertsTo: { type: "feed", packagePermission: "promote" },
		},
		{ value: "webhooks", label: "Webhooks API", convertsTo: null },
		{ value: legacyFeedApi, label: "Feed API", convertsTo: { type: "system", systemApi: "feeds" } },
	],
};

const otter: Catalog = {
	profile: "otter",
	product: "Otter",
	types: [{ type: "system", label: "System (manage/admin Otter)", creatable: true }],
	systemApis: {
		fullControl: { value: "native-api", label: "Native API (full control)" },
		choices: [
			{ value: "jobs-view", label: "Job orchestration: view" },
			{ value: "jobs-trigger", label: "Job orchestration: trigger", implies: ["jobs-view"] },
			{ value: "infrastructure-view", label: "Infrastructure management: view" },
			{
				value: "infrastructure-update",
				label: "Infrastructure management: update",
				implies: ["infrastructure-view"],
			},
			{ value: "variables", label: "Variables management" },
			{ value: "configuration", label: "Configuration management" },
		],
	},
	packagePermissions: [],
	legacyApis: [],
};

const catalogs: Record<ProfileName, Catalog> = { proget, otter };

export function catalogFor(profile: ProfileName): Catalog {
	return catalogs[profile];
}

export function parseProfileName(text: string): ProfileName | undefined {
	const lower = text.trim().toLowerCase();
	return (profileNames as readonly string[]).includes(lower) ? (lower as ProfileName) : undefined;
}

export function typeSpec(catalog: Catalog, type: KeyType): TypeSpec | undefined {
	return catalog.types.find((spec) => spec.type === type);
}

export function creatableTypes(catalog: Catalog): KeyType[] {
	return catalog.types.filter((spec) => spec.creatable).map((spec) => spec.type);
}

/** Every system API value a profile knows, full control first. */
export function systemApiValues(catalog: Catalog): string[] {
	return [catalog.systemApis.fullControl.value, ...catalog.systemApis.choices.map((c) => c.value)];
}

export function scopeLabel(choices: readonly ScopeChoice[], value: string): string {
	return choices.find((c) => c.value === value)?.label ?? value;
}

/** The grants a list of scope values amounts to, with implications followed. */
export function expandImplied(
	choices: readonly ScopeChoice[],
	values: readonly string[],
): Set<string> {
	const granted = new Set<string>();
	const pending = [...values];
	while (pending.length > 0) {
		const value = pending.pop() as string;
		if (granted.has(value)) continue;
		granted.add(value);
		for (const implied of choices.find((c) => c.value === value)?.implies ?? [])
			pending.push(implied);
	}
	return granted;
}
