/**
 * Store-wide security settings, mirroring ProGet's "Configure API Access" switches
 * (https://github.com/Inedo/inedo-docs/blob/7a30742fe43b750612e3d19b4fd7d9107e60f9dd/Content/proget/api/apikeys/%23.md#L94-L118),
 * plus access-log retention. Described as data so the CLI, the server and the console's settings
 * screen all list, parse and explain them the same way.
 */
import type { Parsed } from "./expiration.js";

export interface StoreSettings {
	customKeysAllowed: boolean;
	minCustomKeyLength: number;
	nonExpiringAllowed: boolean;
	maxLifetimeDays: number | null;
	personalKeysAllowed: boolean;
	logRetentionDays: number | null;
	logMaxRows: number | null;
	logMaxBytes: number | null;
	logBodyMaxBytes: number;
}

export type SettingName = keyof StoreSettings;

interface SettingSpec {
	name: SettingName;
	/** The name on the command line and in the database. */
	cliName: string;
	kind: "boolean" | "integer" | "optional-integer";
	min?: number;
	max?: number;
	description: string;
}

export const defaultSettings: StoreSettings = {
	customKeysAllowed: true,
	minCustomKeyLength: 16,
	nonExpiringAllowed: true,
	maxLifetimeDays: null,
	personalKeysAllowed: true,
	logRetentionDays: 90,
	logMaxRows: 5_000_000,
	logMaxBytes: 1_073_741_824,
	logBodyMaxBytes: 65_536,
};

export const settingSpecs: readonly SettingSpec[] = [
	{
		name: "customKeysAllowed",
		cliName: "custom-keys-allowed",
		kind: "boolean",
		description:
			"Whether a key's text may be typed or imported instead of generated. Custom keys help migrations but may be short and guessable.",
	},
	{
		name: "minCustomKeyLength",
		cliName: "min-custom-key-length",
		kind: "integer",
		min: 8,
		max: 1000,
		description: "The shortest custom key accepted, in characters.",
	},
	{
		name: "nonExpiringAllowed",
		cliName: "non-expiring-allowed",
		kind: "boolean",
		description:
			"Whether a key may have no expiration date. Non-expiring keys widen the window in which a leaked key works.",
	},
	{
		name: "maxLifetimeDays",
		cliName: "max-lifetime-days",
		kind: "optional-integer",
		min: 1,
		max: 36_500,
		description:
			"The longest a new or edited key may live, in days from now; \"none\" for no limit. A limit implies every key expires.",
	},
	{
		name: "personalKeysAllowed",
		cliName: "personal-keys-allowed",
		kind: "boolean",
		description: "Whether personal keys (keys that act as a user) may be created.",
	},
	{
		name: "logRetentionDays",
		cliName: "log-retention-days",
		kind: "optional-integer",
		min: 1,
		max: 36_500,
		description: "Access-log entries older than this many days are pruned; \"none\" keeps them.",
	},
	{
		name: "logMaxRows",
		cliName: "log-max-rows",
		kind: "optional-integer",
		min: 1000,
		max: 1_000_000_000,
		description:
			"The access log keeps at most this many entries, the oldest pruned first; \"none\" for no cap.",
	},
	{
		name: "logMaxBytes",
		cliName: "log-max-bytes",
		kind: "optional-integer",
		min: 1_048_576,
		max: 1_099_511_627_776,
		description:
			"The access log's entries (paths, user agents and bodies included) take at most this many bytes, the oldest pruned first; `none` for no cap.",
	},
	{
		name: "logBodyMaxBytes",
		cliName: "log-body-max-bytes",
		kind: "integer",
		min: 0,
		max: 10_485_760,
		description: "Logged request and response bodies are cut to this many bytes.",
	},
];

export function settingSpec(nameOrCliName: string): SettingSpec | undefined {
	return settingSpecs.find((s) => s.name === nameOrCliName || s.cliName === nameOrCliName);
}

/** Parses a typed value (`yes`, `false`, `30`, `none`) for one setting. */
export function parseSettingValue(
	spec: SettingSpec,
	raw: unknown,
): Parsed<StoreSettings[SettingName]> {
	if (spec.kind === "boolean") {
		if (typeof raw === "boolean") return { ok: true, value: raw };
		const text = String(raw).trim().toLowerCase();
		if (["true", "yes", "on", "1"].includes(text)) return { ok: true, value: true };
		if (["false", "no", "off", "0"].includes(text)) return { ok: true, value: false };
		return { ok: false, error: `${spec.cliName} must be true or false, not "${String(raw)}"` };
	}
	if (
		spec.kind === "optional-integer" &&
		(raw === null || /^(none|never|off)$/i.test(String(raw).trim()))
	) {
		return { ok: true, value: null };
	}
	const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
	const range = `between ${spec.min} and ${spec.max}`;
	if (!/^\d+$/.test(text)) {
		const alternative = spec.kind === "optional-integer" ? ", or none" : "";
		return {
			ok: false,
			error: `${spec.cliName} must be a whole number ${range}${alternative}, not "${String(raw)}"`,
		};
	}
	const value = Number(text);
	if (value < (spec.min ?? 0) || value > (spec.max ?? Number.MAX_SAFE_INTEGER)) {
		return { ok: false, error: `${spec.cliName} must be ${range}, not ${value}` };
	}
	return { ok: true, value };
}

export function formatSettingValue(value: StoreSettings[SettingName]): string {
	return value === null ? "none" : String(value);
}
