/** A small RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF, a header row. */

export function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = "";
	let quoted = false;
	let i = 0;
	const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
	while (i < body.length) {
		const char = body[i] as string;
		if (quoted) {
			if (char === '"' && body[i + 1] === '"') {
				field += '"';
				i += 2;
				continue;
			}
			if (char === '"') quoted = false;
			else field += char;
			i++;
			continue;
		}
		if (char === '"' && field === "") quoted = true;
		else if (char === ",") {
			row.push(field);
			field = "";
		} else if (char === "\n" || char === "\r") {
			if (char === "\r" && body[i + 1] === "\n") i++;
			row.push(field);
			rows.push(row);
			row = [];
			field = "";
		} else field += char;
		i++;
	}
	if (quoted) throw new Error("a quoted field is not closed");
	if (field !== "" || row.length > 0) {
		row.push(field);
		rows.push(row);
	}
	return rows.filter((r) => !(r.length === 1 && r[0] === ""));
}
