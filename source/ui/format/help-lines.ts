/**
 * The help overlay's lines: each binding's keys, then its label wrapped under itself (never cut,
 * no line starting with a stray space). Two columns when one would not fit and the terminal is
 * wide enough for both; otherwise one, which the overlay scrolls.
 */
import { cell } from "./key-columns.js";
import { wrapText } from "./wrap.js";

export interface HelpEntry {
	keys: string;
	label: string;
}

const keysWidth = 15;

function entryLines(entry: HelpEntry, width: number): string[] {
	const room = Math.max(8, width - keysWidth);
	const [first = "", ...rest] = wrapText(entry.label, room);
	const keys = entry.keys.length < keysWidth ? entry.keys.padEnd(keysWidth) : `${entry.keys} `;
	if (keys.length > keysWidth) return [cell(entry.keys, width), ...wrapText(entry.label, room).map((line) => " ".repeat(keysWidth) + line)];
	return [keys + first, ...rest.map((line) => " ".repeat(keysWidth) + line)];
}

/** The overlay's text lines for `rows` rows of `width` cells; longer than `rows` when it must scroll. */
export function helpLines(entries: readonly HelpEntry[], width: number, rows: number): string[] {
	const single = entries.flatMap((entry) => entryLines(entry, width));
	if (single.length <= rows || width < 80) return single;
	const half = Math.floor(width / 2);
	const blocks = entries.map((entry) => entryLines(entry, half - 1));
	const left: string[] = [];
	const right: string[] = [];
	for (const block of blocks) (left.length + block.length <= rows && right.length === 0 ? left : right).push(...block);
	if (right.length > rows) return single;
	return left.map((line, i) => cell(line, half) + (right[i] ?? "")).concat(right.slice(left.length).map((line) => " ".repeat(half) + line));
}
