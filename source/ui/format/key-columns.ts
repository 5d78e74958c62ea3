/**
 * The key list's columns and how they fit a width: each has a minimum width and a priority; on a
 * narrow terminal the lowest-priority columns drop first, and spare width goes to the name.
 */
import stringWidth from "string-width";
import { pascalCase } from "../../core/enums.js";
import { scopeText, typeText, unnamedKey } from "../../core/key-text.js";
import type { Capabilities } from "../../core/backend.js";
import { hasKnownId, type KeyRecord } from "../../core/model.js";
import { safeLine } from "../../core/terminal-text.js";
import { agoText, expiresText } from "./relative-time.js";

export type ColumnId = "id" | "name" | "type" | "scope" | "expires" | "logging" | "lastUsed" | "status";

export interface Column {
	id: ColumnId;
	title: string;
	width: number;
	/** Lower drops first. */
	priority: number;
	grows?: boolean;
	/** What the instance must be able to report for the column to mean anything (ProGet cannot). */
	needs?: "enable" | "lastUsed";
	value: (key: KeyRecord, now: number) => string;
}

export const keyColumns: readonly Column[] = [
	// Every command takes --id: the id is dropped last but one, after all but the name.
	{ id: "id", title: "ID", width: 6, priority: 19, value: (k) => (hasKnownId(k) ? String(k.id) : "") },
	{ id: "name", title: "NAME", width: 14, priority: 20, grows: true, value: (k) => (k.displayName === null ? unnamedKey : safeLine(k.displayName)) },
	{ id: "type", title: "TYPE", width: 8, priority: 16, value: typeText },
	{ id: "scope", title: "SCOPE", width: 14, priority: 14, grows: true, value: (k) => safeLine(scopeText(k)) },
	{ id: "expires", title: "EXPIRES", width: 9, priority: 12, value: (k, now) => expiresText(k.expiration, now) },
	{ id: "status", title: "STATUS", width: 8, priority: 18, needs: "enable", value: (k) => (k.enabled ? "enabled" : "disabled") },
	{ id: "lastUsed", title: "LAST USED", width: 9, priority: 8, needs: "lastUsed", value: (k, now) => agoText(k.lastUsedAt, now) },
	{ id: "logging", title: "LOGGING", width: 8, priority: 6, value: (k) => pascalCase(k.logging).toLowerCase() },
];

/** The columns an instance can fill: a column of facts it cannot report would show made-up values. */
export function columnsFor(capabilities: Capabilities): Column[] {
	return keyColumns.filter((c) => c.needs === undefined || capabilities[c.needs].available);
}

/** What fitting needs to know of a column, in the key list or the access log. */
export interface Fittable {
	width: number;
	/** Lower drops first. */
	priority: number;
	grows?: boolean;
}

export type Fitted<T extends Fittable> = T & { fitted: number };

/** The columns that fit `width` (one space between them), in table order, with their widths. */
export function fitColumns<T extends Fittable>(width: number, columns: readonly T[]): Fitted<T>[] {
	const kept = [...columns];
	const needed = () => kept.reduce((sum, c) => sum + c.width, 0) + Math.max(0, kept.length - 1);
	while (kept.length > 1 && needed() > width) {
		const lowest = kept.reduce((low, c) => (c.priority < low.priority ? c : low));
		kept.splice(kept.indexOf(lowest), 1);
	}
	const spare = Math.max(0, width - needed());
	const growers = kept.filter((c) => c.grows);
	return kept.map((c) => {
		const extra = c.grows ? Math.floor(spare / growers.length) + (c === growers[0] ? spare % growers.length : 0) : 0;
		return { ...c, fitted: Math.min(c.width + extra, Math.max(1, width)) };
	});
}

const printableAscii = /^[\x20-\x7e]*$/;

/**
 * Cuts or pads to exactly `width` terminal cells (wide characters count two; ellipsis when cut).
 * Every line the console draws passes here, so text that is not printable ASCII is made
 * terminal-safe here too: a value from a tampered store or a remote can never drive the terminal.
 */
export function cell(text: string, width: number): string {
	// Nearly every cell is plain ASCII, one cell a character: skip string-width's grapheme walk,
	// which costs more than the rest of a key-list frame.
	if (printableAscii.test(text)) {
		if (text.length <= width) return text + " ".repeat(width - text.length);
		return `${text.slice(0, Math.max(0, width - 1))}…`;
	}
	const safe = safeLine(text);
	const used = stringWidth(safe);
	if (used <= width) return safe + " ".repeat(width - used);
	let out = "";
	let outWidth = 0;
	for (const char of safe) {
		const charWidth = stringWidth(char);
		if (outWidth + charWidth > width - 1) break;
		out += char;
		outWidth += charWidth;
	}
	return `${out}…${" ".repeat(Math.max(0, width - 1 - outWidth))}`;
}
