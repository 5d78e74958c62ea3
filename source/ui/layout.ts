/**
 * How the terminal's rows are shared out: the frame, the body between header and footer, and the
 * key list's rows. Pure, so the console can size its first page before Ink draws anything.
 */

/** One row short of the terminal: a frame as tall as the screen makes Ink 6 clear it on every update. */
export function frameHeight(terminalRows: number): number {
	return terminalRows - 1;
}

/**
 * The rows between the header (1) and the footer: the message's lines (at least one, kept for
 * it) and the key hints (1). A long message takes rows from the body rather than being cut.
 */
export function bodyHeight(terminalRows: number, messageLines = 1): number {
	return Math.max(1, frameHeight(terminalRows) - 2 - Math.max(1, messageLines));
}

/** The most lines a message may take: all the frame has but the header, the hints and one body row. */
export function messageRoom(terminalRows: number): number {
	return Math.max(1, frameHeight(terminalRows) - 3);
}

/** The key list's rows in a body this tall: less its column headings and status line. */
export function listRowsIn(body: number): number {
	return Math.max(1, body - 2);
}

export function listHeight(terminalRows: number, messageLines = 1): number {
	return listRowsIn(bodyHeight(terminalRows, messageLines));
}
