/**
 * What a command's key is on a screen, read from the console's one binding table, and the bytes a
 * terminal sends for that key. The table is read in `keyFor` alone, so a change to its shape touches
 * that one function.
 */
import { bindings, type Command, type Screen } from "../../source/ui/keys/bindings.js";

/** The key the binding table gives `command` on `screen` (its first, as the footer shows it); throws when it has none there. */
export function keyFor(command: Command, screen: Screen): string {
	const binding = bindings.find((b) => b.command === command && b.screens.includes(screen));
	const key = binding?.keys[0];
	if (key === undefined) throw new Error(`"${command}" is not bound on the ${screen} screen`);
	return key;
}

const sequences: Record<string, string> = {
	enter: "\r",
	esc: "\u001b",
	space: " ",
	tab: "\t",
	"shift+tab": "\u001b[Z",
	up: "\u001b[A",
	down: "\u001b[B",
	right: "\u001b[C",
	left: "\u001b[D",
	home: "\u001b[H",
	end: "\u001b[F",
	pageup: "\u001b[5~",
	pagedown: "\u001b[6~",
	backspace: "\u007f",
	delete: "\u001b[3~",
};

/** The bytes an xterm sends for a key as the binding table names it ("enter", "ctrl+r", "G"). */
export function keyBytes(key: string): string {
	const known = sequences[key];
	if (known !== undefined) return known;
	const control = /^ctrl\+([a-z])$/.exec(key)?.[1];
	if (control) return String.fromCharCode(control.charCodeAt(0) - 96);
	if ([...key].length === 1) return key;
	throw new Error(`no terminal bytes known for the key "${key}"`);
}
