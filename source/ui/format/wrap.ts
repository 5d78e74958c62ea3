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
 * Text wrapped at the width after its first `prefix` cells (a label, a `› [ ] ` box), each further
 * line indented by `indent` cells (the prefix's width unless told); a line that fits is kept as it is.
 */
export function wrapHanging(text: string, width: number, prefix: number, indent = prefix): string[] {
	if (stringWidth(text) <= width) return [text];
	// A prefix wider than half the line leaves too little room beside it: the line wraps whole.
	if (Math.max(prefix, indent) > width / 2) return wrapText(text, width);
	const head = [...text].slice(0, prefix).join("");
	const rest = [...text].slice(prefix).join("");
	const [first = "", ...more] = wrapText(rest, width - Math.max(prefix, indent));
	return [`${head}${first}`, ...more.map((piece) => `${" ".repeat(indent)}${piece}`)];
}

/**
 * A screen's line wrapped: `Label:   value` goes on under its value, clear of the label; an
 * indented line without a label (an audit entry, a request) goes on two cells further in, so its
 * further lines do not read as lines of their own.
 */
export function wrapIndented(line: string, width: number): string[] {
	const [, spaces = "", label = ""] = /^( *)([A-Z][A-Za-z ]*: +)?/.exec(line) ?? [];
	const prefix = spaces.length + label.length;
	return wrapHanging(line, width, prefix, label ? prefix : prefix + 2);
}
