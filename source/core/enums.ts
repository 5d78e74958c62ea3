/**
 * Enum values as ProGet reads them: any letter case, or the ordinal 0-3. Its JSON contract uses
 * System.Text.Json's string enum converter
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetApiJsonContext.cs#L32),
 * which reads names without case and integers too
 * (https://learn.microsoft.com/dotnet/api/system.text.json.serialization.jsonstringenumconverter-1).
 */
import { type KeyType, keyTypes, type Logging, loggingLevels } from "./model.js";

function parseEnum<T extends string>(values: readonly T[], raw: unknown): T | undefined {
	if (typeof raw === "number") return Number.isInteger(raw) ? values[raw] : undefined;
	if (typeof raw !== "string") return undefined;
	const text = raw.trim().toLowerCase();
	if (/^[0-9]$/.test(text)) return values[Number(text)];
	return values.find((v) => v === text);
}

export function parseKeyType(raw: unknown): KeyType | undefined {
	return parseEnum(keyTypes, raw);
}

export function parseLogging(raw: unknown): Logging | undefined {
	return parseEnum(loggingLevels, raw);
}

/** `"view, add,,promote"` → `["view","add","promote"]`: split on commas, trimmed, empties dropped. */
export function splitList(text: string): string[] {
	return text
		.split(",")
		.map((item) => item.trim())
		.filter((item) => item !== "");
}

/** The C# enum names pgutil prints (`None`, `System`, ...). */
export function pascalCase(value: string): string {
	return value.charAt(0).toUpperCase() + value.slice(1);
}
