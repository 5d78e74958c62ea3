/**
 * Text broken into lines of at most `width` terminal cells, at spaces where it can be and inside a
 * word only when the word alone is wider than a line; no line starts with the space it broke at.
 */
import stringWidth from "string-width";

function splitWide(word: string, width: number): string[] {
	const parts: string[] = [];
	let part = "";
	for (const char of word) {
		if (part !== "" && stringWidth(part + char) > width) {
			parts.push(part);
			part = "";
		}
		part += char;
	}
	if (part !== "") parts.push(part);
	return parts;
}

export function wrapText(text: string, width: number): string[] {
	const room = Math.max(1, width);
	const lines: string[] = [];
	let line = "";
	for (const word of text.split(" ").filter((w) => w !== "")) {
		const joined = line === "" ? word : `${line} ${word}`;
		if (stringWidth(joined) <= room) {
			line = joined;
			continue;
		}
		// A word wider than a line is cut anyway: it starts where the line has room (a path after
		// its method and status), rather than leaving that room empty.
		const fill = line !== "" && stringWidth(word) > room && room - stringWidth(line) > 1;
		if (line !== "" && !fill) lines.push(line);
		const pieces = splitWide(fill ? joined : word, room);
		line = pieces.pop() ?? "";
		lines.push(...pieces);
	}
	if (line !== "" || lines.length === 0) lines.push(line);
	return lines;
}

/**
 * Text wrapped at the width, each line after the first indented by `indent` cells, under the
 * text that follows the first line's prefix (a label, a `› [ ] ` box); a line that fits is kept as it is.
 */
export function wrapHanging(text: string, width: number, indent: number): string[] {
	if (stringWidth(text) <= width) return [text];
	// A prefix wider than half the line leaves too little room beside it: the line wraps whole.
	if (indent > width / 2) return wrapText(text, width);
	const head = [...text].slice(0, indent).join("");
	const rest = [...text].slice(indent).join("");
	return wrapText(rest, width - indent).map((piece, i) => `${i === 0 ? head : " ".repeat(indent)}${piece}`);
}

/** A screen's line (`Label:   value`, or an indented one) wrapped with its value's column kept clear below the label. */
export function wrapIndented(line: string, width: number): string[] {
	return wrapHanging(line, width, /^ *(?:[A-Z][A-Za-z ]*: +)?/.exec(line)?.[0].length ?? 0);
}
