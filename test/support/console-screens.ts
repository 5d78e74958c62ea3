/**
 * Which screen a frame shows, told by what a user sees there: the line under the header (a title, or
 * the key list's position and sort), the confirmation's answers, the footer of a field being typed.
 * Screen names are the binding table's, so a command's key can be looked up for what is shown.
 */
import type { Screen } from "../../source/ui/keys/bindings.js";

/** The frame's text as a reader takes it: each row trimmed, wrapped rows joined by one space. */
export function runningText(frame: string): string {
	return frame
		.split("\n")
		.map((row) => row.trim())
		.filter(Boolean)
		.join(" ");
}

interface Frame {
	/** The first row under the header line. */
	top: string;
	rows: string[];
	/** The last row with text: the key hints, on screens that have them. */
	footer: string;
	/** Everything under the header as running text, so a title wrapped on a narrow terminal still reads whole. */
	body: string;
}

/** How each screen is told; a screen added to the binding table without one does not compile. */
const recognisers: Record<Screen, (frame: Frame) => boolean> = {
	// A filter or a setting's value being typed: the footer says what Enter and Esc do to it.
	field: (f) => /^Enter done {2}Esc cancel\b/.test(f.footer),
	help: (f) => f.top.startsWith("Keys on this screen"),
	confirm: (f) => f.rows.some((row) => row.startsWith("y: yes, ")),
	secret: (f) => /Key \d+ created\. This is the only time it is shown:|New secret for key \d+: the old one no longer works/.test(f.body),
	create: (f) => /^(New key|Edit key \d+) · step \d+ of \d+: |^Edit key \d+: choose a field to change/.test(f.body),
	settings: (f) => f.top.startsWith("Store settings"),
	detail: (f) => /^Key (\d+|\(id not given by the server\))( · |$)/.test(f.top),
	entry: (f) => f.rows.some((row) => /^(Time: {6}\S|Request body:$|Response body:$)/.test(row)),
	logs: (f) => /^(All requests|Requests with key \d+)\b/.test(f.top),
	list: (f) => /\b\d+ of \d+ +sort: /.test(f.top),
};

/** The order they are tried in: the first that matches names the screen (overlays before what they cover). */
const tried = ["field", "help", "confirm", "secret", "create", "settings", "detail", "entry", "logs", "list"] as const satisfies readonly Screen[];
/** Every screen is tried: a screen missing from `tried` makes this a type error (exported so it is kept). */
export const everyScreenTried: Exclude<Screen, (typeof tried)[number]> extends never ? true : never = true;

/** The screen `frame` shows (rows joined by newlines, as the terminal laid them out), if one is recognised. */
export function screenShown(frame: string): Screen | undefined {
	const rows = frame.split("\n").map((row) => row.trimEnd());
	const filled = rows.filter(Boolean);
	const shown: Frame = { top: rows[1] ?? "", rows, footer: filled.at(-1) ?? "", body: runningText(rows.slice(1).join("\n")) };
	return tried.find((screen) => recognisers[screen](shown));
}
