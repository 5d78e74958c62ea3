/**
 * The one text field every typed value uses (filters, wizard fields, the custom key, settings): the
 * text around a block cursor, scrolled to keep the cursor in view, masked where it is a secret.
 */
import { Text } from "ink";
import { safeLine } from "../../core/terminal-text.js";
import { fieldView } from "../text-field.js";

export function TextField({ text, cursor, width, mask }: { text: string; cursor: number; width: number; mask?: string }) {
	// Typed or pasted text may hold controls the rules refuse later: never drawn raw.
	const units = [...text].map((char) => (mask === undefined ? safeLine(char) : mask));
	const view = fieldView(units, cursor, width - 1);
	return (
		<Text>
			{view.before}
			{view.under === "" ? "█" : <Text inverse>{view.under}</Text>}
			{view.after}
		</Text>
	);
}
