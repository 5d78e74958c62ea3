/** The store-wide settings in the `settings` table: read with their defaults, changed by name. */
import { AppError } from "../core/errors.js";
import {
	defaultSettings,
	parseSettingValue,
	type SettingName,
	type StoreSettings,
	settingSpec,
} from "../core/settings.js";
import type { Statements } from "./statements.js";

/** The `settings` table's rows (JSON values) as settings, a default where a row is missing or not one this version reads. */
export function settingsFromRows(rows: readonly { name: string; value: string }[]): StoreSettings {
	const settings: StoreSettings = { ...defaultSettings };
	for (const row of rows) {
		const spec = settingSpec(row.name);
		if (!spec) continue;
		const parsed = parseSettingValue(spec, JSON.parse(row.value));
		if (parsed.ok) (settings as unknown as Record<SettingName, unknown>)[spec.name] = parsed.value;
	}
	return settings;
}

/** Checks a change to the settings, all or none: an unknown name or a bad value refuses them all. */
export function parseSettingChanges(changes: Record<string, unknown>): [SettingName, unknown][] {
	const errors: string[] = [];
	const parsed: [SettingName, unknown][] = [];
	for (const [name, raw] of Object.entries(changes)) {
		const spec = settingSpec(name);
		if (!spec) {
			errors.push(`unknown setting "${name}"`);
			continue;
		}
		const value = parseSettingValue(spec, raw);
		if (value.ok) parsed.push([spec.name, value.value]);
		else errors.push(value.error);
	}
	if (errors.length > 0) throw new AppError(errors.join("; "), "invalid");
	return parsed;
}

/** What a checked change alters, each as [before, after], for the audit trail. */
export function settingsDiff(before: StoreSettings, parsed: readonly [SettingName, unknown][]): Record<string, [unknown, unknown]> {
	const diff: Record<string, [unknown, unknown]> = {};
	for (const [name, value] of parsed) if (before[name] !== value) diff[name] = [before[name], value];
	return diff;
}

/** Every setting, its default where the table has none (or one this version does not read). */
export function readSettings(statements: Statements): StoreSettings {
	return settingsFromRows(statements.sql("SELECT name, value FROM settings").all() as { name: string; value: string }[]);
}

/** Writes the changes, all or none (parseSettingChanges); returns what changed, for the audit trail. */
export function writeSettings(statements: Statements, changes: Record<string, unknown>): Record<string, [unknown, unknown]> {
	const parsed = parseSettingChanges(changes);
	const before = readSettings(statements);
	const upsert = statements.sql(
		"INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
	);
	for (const [name, value] of parsed) upsert.run(name, JSON.stringify(value));
	return settingsDiff(before, parsed);
}
