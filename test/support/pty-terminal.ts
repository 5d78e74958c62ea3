/**
 * The one terminal the end-to-end tests, the reliability suite and the console benchmark draw in: a
 * program in a pseudo-terminal (node-pty), its screen read through a headless xterm, as a user's
 * terminal would lay it out. Tests speak to the console through test/support/console-driver.ts, built
 * on this; the benchmark uses it directly for its timings. CI is removed from the program's
 * environment: with CI set, Ink draws nothing until exit.
 */
import xterm from "@xterm/headless";
import pty from "node-pty";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Begin and end of a synchronized update (DEC mode 2026), which Ink wraps each frame in on a terminal. */
const beginUpdate = "\u001b[?2026h";
const endUpdate = "\u001b[?2026l";

export interface PtyTerminal {
	pid: number;
	/** The visible rows, trailing blanks trimmed, joined by newlines. */
	screen: () => Promise<string>;
	/**
	 * The visible rows cell by cell, as the terminal laid them out: a wide character fills its cell
	 * and leaves "" in the next; combining marks join their base's cell; a blank cell is " ".
	 */
	cells: () => Promise<string[][]>;
	/**
	 * Each visible cell's look, as words: "inverse", "bold", "dim", "fg N" for a palette colour;
	 * "" for a cell drawn plain.
	 */
	styles: () => Promise<string[][]>;
	write: (data: string) => void;
	/**
	 * Resolves to the milliseconds it took for the screen to satisfy `test`, checked each time the
	 * program's output has been drawn; throws with the screen after `timeoutMs`.
	 */
	waitFor: (test: (screen: string) => boolean, timeoutMs?: number) => Promise<number>;
	/** Whether the terminal is on its alternate screen now. */
	onAlternateScreen: () => Promise<boolean>;
	/** Every title the program set (OSC 0/2), and how many times it rang the bell. */
	titles: string[];
	bells: () => number;
	/** Everything the program wrote, as received. */
	output: () => string;
	/** Resolves to the exit code and signal once the program has ended. */
	exited: Promise<{ code: number; signal: number | undefined }>;
	/** Whether the program is still running. */
	running: () => boolean;
	/** Sends a signal to the program's process id. */
	kill: (signal?: NodeJS.Signals) => void;
	/** Resizes the terminal, as a user dragging the window's edge: the program gets SIGWINCH. */
	resize: (columns: number, rows: number) => void;
	/** SIGTERM to the program's process id (SIGKILL if it has not ended 10 s later), then waits for the exit. */
	close: () => Promise<void>;
}

/** The tests' environment without CI, and without the tmux they may run in: the program's terminal is this one. */
function programEnvironment(extra: Record<string, string> = {}): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !["CI", "TMUX", "TMUX_PANE"].includes(name)) env[name] = value;
	return { ...env, TERM: "xterm-256color", ...extra };
}

export interface PtyOptions {
	columns?: number;
	rows?: number;
	env?: Record<string, string>;
	/** The program to run; node (this one) by default, with `args` its arguments. */
	program?: string;
	/** Text on the terminal before the program starts, as a shell prompt would have left it. */
	before?: string;
}

export function openPty(args: string[], options: PtyOptions = {}): PtyTerminal {
	const cols = options.columns ?? 100;
	const rows = options.rows ?? 30;
	const term = new xterm.Terminal({ cols, rows, allowProposedApi: true });
	const titles: string[] = [];
	let bells = 0;
	let raw = "";
	term.onTitleChange((title) => titles.push(title));
	term.onBell(() => {
		bells++;
	});
	// Every wait wakes when the screen may have changed: output drawn, a resize, the exit.
	let wakers: Array<() => void> = [];
	const wake = () => {
		const woken = wakers;
		wakers = [];
		for (const resolve of woken) resolve();
	};
	let written = new Promise<void>((resolve) => term.write(options.before ?? "", resolve));
	// Inside a synchronized update, a terminal that supports it still shows the last whole frame: the
	// screen is read only between updates, never half drawn.
	let updating = false;
	const child = pty.spawn(options.program ?? process.execPath, args, { name: "xterm-256color", cols, rows, cwd: root, env: programEnvironment(options.env) });
	child.onData((data) => {
		// A marker may be split between two reads: the last few characters before count too.
		const seen = raw.slice(-beginUpdate.length) + data;
		raw += data;
		const begin = seen.lastIndexOf(beginUpdate);
		const end = seen.lastIndexOf(endUpdate);
		written = written
			.then(() => new Promise<void>((resolve) => term.write(data, resolve)))
			.then(() => {
				if (begin !== end) updating = begin > end;
				wake();
			});
	});
	let alive = true;
	const exited = new Promise<{ code: number; signal: number | undefined }>((resolve) =>
		child.onExit(({ exitCode, signal }) => {
			alive = false;
			resolve({ code: exitCode, signal });
			wake();
		}),
	);
	/** Resolves at the next change, or after `ms` at most. */
	const changeWithin = (ms: number) => {
		let timer: NodeJS.Timeout | undefined;
		return Promise.race([
			new Promise<void>((resolve) => wakers.push(resolve)),
			new Promise<void>((resolve) => {
				timer = setTimeout(resolve, ms);
			}),
		]).finally(() => clearTimeout(timer));
	};
	/** Once what has arrived is drawn and no update is half done (a terminal gives up waiting for its end after a second, as this does). */
	const drawn = async () => {
		await written;
		const started = performance.now();
		while (updating && alive && performance.now() - started < 1000) {
			await changeWithin(50);
			await written;
		}
	};
	const screen = async () => {
		await drawn();
		const buffer = term.buffer.active;
		const lines: string[] = [];
		for (let i = 0; i < term.rows; i++) lines.push(buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? "");
		return lines.join("\n");
	};
	/** Every visible cell, read by `read` (undefined past a line's end), row by row. */
	const eachCell = async (read: (cell: xterm.IBufferCell | undefined) => string) => {
		await drawn();
		const buffer = term.buffer.active;
		const rows: string[][] = [];
		for (let y = 0; y < term.rows; y++) {
			const line = buffer.getLine(buffer.viewportY + y);
			const row: string[] = [];
			for (let x = 0; x < term.cols; x++) row.push(read(line?.getCell(x)));
			rows.push(row);
		}
		return rows;
	};
	const cells = () => eachCell((cell) => (cell?.getWidth() === 0 ? "" : cell?.getChars() || " "));
	const styles = () =>
		eachCell((cell) => {
			const look: string[] = [];
			if (cell?.isInverse()) look.push("inverse");
			if (cell?.isBold()) look.push("bold");
			if (cell?.isDim()) look.push("dim");
			if (cell?.isFgPalette()) look.push(`fg ${cell.getFgColor()}`);
			return look.join(" ");
		});
	const kill = (signal: NodeJS.Signals = "SIGTERM") => {
		if (!alive) return;
		try {
			process.kill(child.pid, signal);
		} catch (error) {
			// It ended after it was last heard from (a tmux client, as its server goes).
			if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
		}
	};
	return {
		pid: child.pid,
		screen,
		cells,
		styles,
		write: (data) => {
			if (alive) child.write(data);
		},
		waitFor: async (test, timeoutMs = 20_000) => {
			const started = performance.now();
			for (;;) {
				if (test(await screen())) return performance.now() - started;
				const left = timeoutMs - (performance.now() - started);
				if (left <= 0) throw new Error(`the screen never matched; it was:\n${await screen()}`);
				// A bounded nap as well: a frame may be drawn between the check and the wait.
				await changeWithin(Math.min(left, 100));
			}
		},
		onAlternateScreen: async () => {
			await drawn();
			return term.buffer.active.type === "alternate";
		},
		titles,
		bells: () => bells,
		output: () => raw,
		exited,
		running: () => alive,
		kill,
		resize: (columns, rows) => {
			if (alive) child.resize(columns, rows);
			term.resize(columns, rows);
			wake();
		},
		close: async () => {
			kill("SIGTERM");
			let timer: NodeJS.Timeout | undefined;
			const stubborn = new Promise<void>((resolve) => {
				timer = setTimeout(() => {
					kill("SIGKILL");
					resolve();
				}, 10_000);
			});
			await Promise.race([exited, stubborn]);
			clearTimeout(timer);
			await exited;
			await written;
			term.dispose();
		},
	};
}
