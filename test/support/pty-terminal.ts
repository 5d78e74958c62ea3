/**
 * The built program in a pseudo-terminal (node-pty), its screen read through a headless xterm: for
 * the benchmark and the reliability suite, which need exact timings, signals sent to the program
 * itself, and what the terminal state became (alternate screen, title, bell). CI is removed from the
 * program's environment: with CI set, Ink draws nothing until exit.
 */
import xterm from "@xterm/headless";
import pty from "node-pty";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

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
	/** Resolves to the milliseconds it took for the screen to satisfy `test`; throws with the screen after `timeoutMs`. */
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
	kill: (signal?: string) => void;
	/** SIGTERM, then waits for the exit. */
	close: () => Promise<void>;
}

export function environmentWithoutCi(extra: Record<string, string> = {}): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [name, value] of Object.entries(process.env)) if (value !== undefined && name !== "CI") env[name] = value;
	return { ...env, TERM: "xterm-256color", ...extra };
}

export function openPty(
	args: string[],
	options: { columns?: number; rows?: number; env?: Record<string, string> } = {},
): PtyTerminal {
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
	const child = pty.spawn(process.execPath, args, { name: "xterm-256color", cols, rows, cwd: root, env: environmentWithoutCi(options.env) });
	let written = Promise.resolve();
	child.onData((data) => {
		raw += data;
		written = written.then(() => new Promise<void>((resolve) => term.write(data, resolve)));
	});
	const exited = new Promise<{ code: number; signal: number | undefined }>((resolve) =>
		child.onExit(({ exitCode, signal }) => resolve({ code: exitCode, signal })),
	);
	let alive = true;
	void exited.then(() => {
		alive = false;
	});
	const screen = async () => {
		await written;
		const buffer = term.buffer.active;
		const lines: string[] = [];
		for (let i = 0; i < term.rows; i++) lines.push(buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? "");
		return lines.join("\n");
	};
	/** Every visible cell, read by `read` (undefined past a line's end), row by row. */
	const eachCell = async (read: (cell: xterm.IBufferCell | undefined) => string) => {
		await written;
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
			while (performance.now() - started < timeoutMs) {
				if (test(await screen())) return performance.now() - started;
				await new Promise((resolve) => setTimeout(resolve, 1));
			}
			throw new Error(`the screen never matched; it was:\n${await screen()}`);
		},
		onAlternateScreen: async () => {
			await written;
			return term.buffer.active.type === "alternate";
		},
		titles,
		bells: () => bells,
		output: () => raw,
		exited,
		kill: (signal = "SIGTERM") => {
			if (alive) child.kill(signal);
		},
		close: async () => {
			if (alive) child.kill("SIGTERM");
			await exited;
			await written;
			term.dispose();
		},
	};
}
