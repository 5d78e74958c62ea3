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
		if (line !== "") lines.push(line);
		const pieces = splitWide(word, room);
		line = pieces.pop() ?? "";
		lines.push(...pieces);
	}
	if (line !== "" || lines.length === 0) lines.push(line);
	return lines;
}
