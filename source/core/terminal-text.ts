/**
 * Text from outside (request paths, user agents, logged bodies, names from a remote instance)
 * made safe to print: control characters, escape sequences and bidi overrides can never reach
 * the terminal; each is shown as a visible escape instead.
 */
const unsafe = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const unsafeOrNewline = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(char: string): string {
	const code = char.codePointAt(0) ?? 0;
	return code <= 0xff
		? `\\x${code.toString(16).padStart(2, "0")}`
		: `\\u${code.toString(16).padStart(4, "0")}`;
}

/** One line: every control character, newlines and tabs included, shown escaped. */
export function safeLine(text: string): string {
	return text.replace(unsafeOrNewline, escapeChar);
}

/** Several lines: keeps newlines and tabs, escapes every other control character. */
export function safeBlock(text: string): string {
	return text.replace(unsafe, escapeChar);
}

const unsafeInJson = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON for a terminal: JSON.stringify leaves C1 controls (which terminals such as xterm.js obey:
 * U+009D starts an OSC, a title or a clipboard write) and bidi overrides as they are; these are
 * written as \u escapes instead, which parse back to the same value.
 */
export function terminalJson(value: unknown, indent?: number): string {
	return JSON.stringify(value, null, indent).replace(unsafeInJson, (char) => `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`);
}
