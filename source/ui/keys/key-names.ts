/**
 * Ink's (input, key) pairs as key names the binding table uses: "up", "enter", "esc", "space",
 * "ctrl+c", or the character itself. Runs of printable characters arrive as one input over SSH,
 * on paste and from tmux ("jjj", "abc\r"); they are split into one name per key.
 */
import type { Key } from "ink";

/** The forward Delete key's sequences (plain and with modifiers); Ink 6 reports it and Backspace (0x7f) alike. */
const forwardDelete = /^\u001b\[3[~$;^]/;

/**
 * `raw` is the event's bytes as read, where known: only it tells Backspace from Delete, which Ink 6
 * reports alike as `key.delete`.
 */
export function keyNames(input: string, key: Key, raw = ""): string[] {
	// Esc with the next key in the same read ("\u001bj", as over SSH) reaches Ink as Alt+key; the
	// console has no Alt bindings, so it is what was pressed: Esc, then the key.
	if (key.meta && !key.escape) return ["esc", ...keyNames(input, { ...key, meta: false }, raw.slice(1))];
	if (key.upArrow) return ["up"];
	if (key.downArrow) return ["down"];
	if (key.leftArrow) return ["left"];
	if (key.rightArrow) return ["right"];
	if (key.pageUp) return ["pageup"];
	if (key.pageDown) return ["pagedown"];
	if (key.home) return ["home"];
	if (key.end) return ["end"];
	// Two Escs in one read reach Ink as one (it takes the first as Alt for the second).
	if (key.escape) return raw === "\u001b\u001b" ? ["esc", "esc"] : ["esc"];
	if (key.tab) return [key.shift ? "shift+tab" : "tab"];
	if (key.delete && forwardDelete.test(raw)) return ["delete"];
	if (key.backspace || key.delete) return ["backspace"];
	if (key.ctrl && input.length === 1) return [`ctrl+${input.toLowerCase()}`];
	if (key.return && input.length <= 1) return ["enter"];
	const names: string[] = [];
	for (const char of input) {
		const code = char.codePointAt(0) ?? 0;
		if (char === "\r" || char === "\n") names.push("enter");
		else if (char === " ") names.push("space");
		else if (char === "\t") names.push("tab");
		else if (char === "\u007f" || char === "\b") names.push("backspace");
		// A control key inside a run ("\u000b" of Ctrl-K before more keys in the same read).
		else if (code >= 1 && code <= 26) names.push(`ctrl+${String.fromCodePoint(code + 96)}`);
		else if (char >= " ") names.push(char);
	}
	return names;
}

/** Whether a key name is text someone types into a field (rather than a command key). */
export function isPrintable(name: string): boolean {
	return name === "space" || [...name].length === 1;
}

export function textOf(name: string): string {
	return name === "space" ? " " : name;
}
