/**
 * Editing one line of text as a terminal's line editor does: the cursor moves with Left/Right,
 * Home/End and Ctrl-A/Ctrl-E; Backspace and Delete remove a character either side of it; Ctrl-U
 * removes everything before it, Ctrl-K everything after, Ctrl-W the word before it. The console
 * keeps every field's text and one `LineEditor` (one field is edited at a time).
 */
import { isPrintable, textOf } from "./keys/key-names.js";

export interface TextState {
	text: string;
	/** In characters (code points), 0 to the text's length. */
	cursor: number;
	/** The next character typed replaces the whole text (a value shown for change, such as a setting's). */
	replace?: boolean;
}

/** The text and cursor after key `name`, or undefined when it is not a key that edits text. */
export function editText(state: TextState, name: string, maxLength = Number.POSITIVE_INFINITY): TextState | undefined {
	const chars = [...state.text];
	const cursor = Math.max(0, Math.min(state.cursor, chars.length));
	const at = (text: string[], to: number): TextState => ({ text: text.join(""), cursor: to });
	switch (name) {
		case "left":
			return at(chars, Math.max(0, cursor - 1));
		case "right":
			return at(chars, Math.min(chars.length, cursor + 1));
		case "home":
		case "ctrl+a":
			return at(chars, 0);
		case "end":
		case "ctrl+e":
			return at(chars, chars.length);
		case "backspace":
			return cursor === 0 ? at(chars, 0) : at([...chars.slice(0, cursor - 1), ...chars.slice(cursor)], cursor - 1);
		case "delete":
			return at([...chars.slice(0, cursor), ...chars.slice(cursor + 1)], cursor);
		case "ctrl+u":
			return at(chars.slice(cursor), 0);
		case "ctrl+k":
			return at(chars.slice(0, cursor), cursor);
		case "ctrl+w": {
			let start = cursor;
			while (start > 0 && chars[start - 1] === " ") start--;
			while (start > 0 && chars[start - 1] !== " ") start--;
			return at([...chars.slice(0, start), ...chars.slice(cursor)], start);
		}
	}
	if (!isPrintable(name)) return undefined;
	if (state.replace) return at([textOf(name)], 1);
	if (chars.length >= maxLength) return at(chars, cursor);
	return at([...chars.slice(0, cursor), textOf(name), ...chars.slice(cursor)], cursor + 1);
}

/**
 * What a field shows in `width` cells: the part around the cursor and the unit under it. `units`
 * are the text's characters as drawn (escaped, or masked), one per character, so the cursor stays
 * on the character it is at.
 */
export function fieldView(units: readonly string[], cursor: number, width: number): { before: string; under: string; after: string } {
	const at = Math.max(0, Math.min(cursor, units.length));
	const room = Math.max(1, width);
	// Scrolled so the cursor is in view, with the text's end (and the cursor after it) when it fits.
	const start = Math.max(0, Math.min(at - room + 1, units.length + 1 - room));
	const shown = units.slice(start, start + room);
	return { before: shown.slice(0, at - start).join(""), under: shown[at - start] ?? "", after: shown.slice(at - start + 1).join("") };
}

/** A line typed into: its text and how it changes. */
export interface TextField {
	value(): string;
	/** The text after an editing key (maybe the same text, its cursor moved). */
	set(text: string): void;
	/** Enter. */
	done(): void;
	/** Esc. */
	cancel(): void;
	maxLength?: number;
}

/** The cursor of the one field being typed, and the editing keys applied to it. */
export class LineEditor {
	/** In characters. */
	cursor = 0;
	/** The field shows a value to change: the first character typed replaces it (a setting's number, a kept date). */
	private replace = false;

	/** A field takes the keys: its cursor starts after its text. */
	focus(text: string, replaceOnType = false): void {
		this.cursor = [...text].length;
		this.replace = replaceOnType;
	}

	/** `text` after an editing key; undefined for a key that does not edit text. */
	edit(text: string, name: string, maxLength?: number): string | undefined {
		const edited = editText({ text, cursor: this.cursor, replace: this.replace }, name, maxLength);
		if (!edited) return undefined;
		this.cursor = edited.cursor;
		this.replace = false;
		return edited.text;
	}

	/** Applies an editing key to `field`; false when the key does not edit text. */
	type(field: TextField, name: string): boolean {
		const edited = this.edit(field.value(), name, field.maxLength);
		if (edited === undefined) return false;
		field.set(edited);
		return true;
	}
}
