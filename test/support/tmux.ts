/**
 * Drives the built program in a real terminal: a private tmux server, one key per send-keys, and
 * waits on what the screen shows (never fixed sleeps). CI is removed from the program's
 * environment: with CI set, Ink draws nothing until exit.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { cliPath } from "./run-cli.js";

export interface Terminal {
	/** The raw bytes the program wrote, for checks such as OSC 52. */
	outputFile: string;
	screen: () => string;
	key: (...names: string[]) => void;
	text: (text: string) => void;
	waitFor: (pattern: RegExp, what?: string) => Promise<string>;
	resize: (columns: number, rows: number) => void;
	output: () => string;
	/** The program's process id (the child of the pane's shell). */
	programPid: () => number;
	/** Runs a tmux command on this private server ("set", "-g", …). */
	tmux: (...args: string[]) => string;
}

function quote(value: string): string {
	return `'${value.replace(/'/g, "'\\''")}'`;
}

export function startInTmux(
	t: TestContext,
	args: string[],
	options: { columns?: number; rows?: number; env?: Record<string, string> } = {},
): Terminal {
	const dir = mkdtempSync(join(tmpdir(), "apikeys-tui-tmux-"));
	const socket = join(dir, "tmux.sock");
	const outputFile = join(dir, "output.bin");
	const tmux = (...a: string[]) => execFileSync("tmux", ["-S", socket, ...a], { encoding: "utf8" });
	const env = Object.entries({ TERM: "xterm-256color", ...options.env })
		.map(([k, v]) => `${k}=${quote(v)}`)
		.join(" ");
	const program = `echo before-the-console; env -u CI ${env} ${quote(process.execPath)} ${quote(cliPath)} ${args.map(quote).join(" ")}; echo "[exit $?]"; exec sleep 600`;
	tmux("new-session", "-d", "-x", String(options.columns ?? 100), "-y", String(options.rows ?? 30), "-s", "e2e", program);
	tmux("pipe-pane", "-o", "-t", "e2e", `cat >> ${quote(outputFile)}`);
	t.after(() => {
		try {
			execFileSync("tmux", ["-S", socket, "kill-server"], { stdio: "ignore" });
		} catch {
			// Already gone.
		}
		rmSync(dir, { recursive: true, force: true });
	});
	const screen = () => tmux("capture-pane", "-p", "-t", "e2e");
	return {
		outputFile,
		screen,
		key: (...names) => {
			for (const name of names) tmux("send-keys", "-t", "e2e", name);
		},
		text: (text) => {
			tmux("send-keys", "-t", "e2e", "-l", text);
		},
		waitFor: async (pattern, what) => {
			const deadline = Date.now() + 15_000;
			let last = "";
			while (Date.now() < deadline) {
				last = screen();
				if (pattern.test(last)) return last;
				await new Promise((resolve) => setTimeout(resolve, 40));
			}
			throw new Error(`timed out waiting for ${what ?? pattern}; the screen was:\n${last}`);
		},
		resize: (columns, rows) => {
			tmux("resize-window", "-t", "e2e", "-x", String(columns), "-y", String(rows));
		},
		programPid: () => {
			const shell = tmux("display-message", "-p", "-t", "e2e", "#{pane_pid}").trim();
			return Number(execFileSync("pgrep", ["-P", shell], { encoding: "utf8" }).trim().split("\n")[0]);
		},
		tmux,
		output: () => {
			try {
				return readFileSync(outputFile, "latin1");
			} catch {
				return "";
			}
		},
	};
}
