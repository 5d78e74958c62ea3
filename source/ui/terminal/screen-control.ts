/**
 * The alternate screen (entered by hand: Ink 6 has no option for it) and the cursor, restored on
 * every way out: a normal exit, SIGTERM, SIGHUP from a dropped SSH session, or a crash.
 */

const enterAlternate = "\u001b[?1049h\u001b[H";
const leaveAlternate = "\u001b[?1049l";
const showCursor = "\u001b[?25h";

export interface ScreenControl {
	restore: () => void;
}

export function enterAlternateScreen(stdout: NodeJS.WriteStream): ScreenControl {
	stdout.write(enterAlternate);
	let restored = false;
	return {
		restore: () => {
			if (restored) return;
			restored = true;
			stdout.write(`${showCursor}${leaveAlternate}`);
		},
	};
}
