/**
 * Ink's (input, key) pairs as key names the binding table uses: "up", "enter", "esc", "space",
 * "ctrl+c", or the character itself. Runs of printable characters arrive as one input over SSH,
 * on paste and from tmux ("jjj", "abc\r"); they are split into one name per key.
 */
import type { Key } from "ink";

export function keyNames(input: string, key: Key): string[] {
	// Esc with the next key in the same read ("\u001bj", as over SSH) reaches Ink as Alt+key; the
	// console has no Alt bindings, so it is what was pressed: Esc, then the key.
	if (key.meta && !key.escape) return ["esc", ...keyNames(input, { ...key, meta: false })];
	if (key.upArrow) return ["up"];
	if (key.downArrow) return ["down"];
	if (key.leftArrow) return ["left"];
	if (key.rightArrow) return ["right"];
	if (key.pageUp) return ["pageup"];
	if (key.pageDown) return ["pagedown"];
	if (key.home) return ["home"];
	if (key.end) return ["end"];
	if (key.escape) return ["esc"];
	if (key.tab) return [key.shift ? "shift+tab" : "tab"];
	if (key.backspace || key.delete) return ["backspace"];
	if (key.ctrl && input.length === 1) return [`ctrl+${input.toLowerCase()}`];
	if (key.return && input.length <= 1) return ["enter"];
	const names: string[] = [];
	for (const char of input) {
		if (char === "\r" || char === "\n") names.push("enter");
		else if (char === " ") names.push("space");
		else if (char === "\u007f" || char === "\b") names.push("backspace");
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
