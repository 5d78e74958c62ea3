/**
 * The console as a user drives it, for end-to-end tests: press a command ("delete") and the key the
 * binding table gives it on the screen shown is sent; wait for a screen or for text to be shown;
 * type; resize; walk the create wizard. The built program (dist/cli.js) runs in the one PTY harness
 * (pty-terminal.ts), or inside tmux in that terminal where tmux itself is under test. Every wait is
 * bounded and checks what is on the screen, never how long something took.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { Command, Screen } from "../../source/ui/keys/bindings.js";
import { keyBytes, keyFor } from "./console-keys.js";
import { runningText, screenShown } from "./console-screens.js";
import { type ConsoleWizard, wizardOf } from "./console-wizard.js";
import { openPty, type PtyTerminal } from "./pty-terminal.js";
import { cliPath } from "./run-cli.js";

/** The line on the terminal before the console starts, as a shell would have left it; it is there again once the console has ended. */
export const promptLine = "$ apikeys-tui";

/** How long a wait goes on before it fails, showing the screen: generous, for a loaded machine. */
const patience = 20_000;

/** A text to find as a reader would (wrapped lines read on), a pattern for the rows as laid out, or a test of them. */
export type Expected = string | RegExp | ((frame: string) => boolean);

export interface Console {
	/** Presses the key the binding table gives `command` on the screen shown now, `times` times; fails if it has none there. */
	press: (command: Command, times?: number) => Promise<void>;
	/** Types text as a paste arrives: in one write, or in chunks of 1,000 characters when it is longer. */
	type: (text: string) => Promise<void>;
	/** Waits until the screen shown is `screen`; resolves to the frame. */
	expectScreen: (screen: Screen, within?: number) => Promise<string>;
	/** Waits until the frame shows `expected`; resolves to the frame. */
	expectText: (expected: Expected, within?: number) => Promise<string>;
	/** Waits until the console has ended; resolves to its exit code. */
	expectExit: (within?: number) => Promise<number>;
	/** The visible rows now, trailing blanks trimmed, joined by newlines. */
	frame: () => Promise<string>;
	/** The screen shown now, if one is recognised. */
	screen: () => Promise<Screen | undefined>;
	/** Resizes the terminal. */
	size: (columns: number, rows: number) => void;
	wizard: ConsoleWizard;
	/** The terminal itself, for what it was sent (raw output, titles, bells, colours) and for signals. */
	terminal: PtyTerminal;
	/** Runs a tmux command on the private tmux server (only inside tmux). */
	tmux: (...args: string[]) => string;
	/** Ends the console by its process id (and the private tmux server by its own) and waits for the end. */
	close: () => Promise<void>;
}

export interface ConsoleOptions {
	columns?: number;
	rows?: number;
	env?: Record<string, string>;
	/** Runs the console in a tmux session (status line off) inside the terminal, for what tmux changes. */
	inTmux?: boolean;
}

function describe(expected: Expected): string {
	if (typeof expected === "string") return JSON.stringify(expected);
	return typeof expected === "function" ? "the frame asked for" : String(expected);
}

function matches(frame: string, expected: Expected): boolean {
	if (typeof expected === "string") return frame.includes(expected) || runningText(frame).includes(expected);
	return typeof expected === "function" ? expected(frame) : expected.test(frame);
}

/** A private tmux server's folder: its socket, and a configuration that hides the status line. */
function privateTmux(): { dir: string; socket: string; config: string } {
	const dir = mkdtempSync(join(tmpdir(), "apikeys-tui-tmux-"));
	const config = join(dir, "tmux.conf");
	writeFileSync(config, "set -g status off\n");
	return { dir, socket: join(dir, "tmux.sock"), config };
}

/** The built console with `args` (e.g. `--db=…`), in a terminal of 100x30 unless told; closed after the test. */
export function openConsole(t: Pick<TestContext, "after">, args: string[], options: ConsoleOptions = {}): Console {
	const size = { columns: options.columns ?? 100, rows: options.rows ?? 30, env: options.env ?? {}, before: `${promptLine}\r\n` };
	const tmuxServer = options.inTmux ? privateTmux() : undefined;
	const terminal = tmuxServer
		? openPty(["-S", tmuxServer.socket, "-f", tmuxServer.config, "new-session", process.execPath, cliPath, ...args], { ...size, program: "tmux" })
		: openPty([cliPath, ...args], size);
	const tmux = (...tmuxArgs: string[]) => {
		if (!tmuxServer) throw new Error("this console is not inside tmux");
		return execFileSync("tmux", ["-S", tmuxServer.socket, ...tmuxArgs], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
	};

	const until = async <T>(what: string, read: (frame: string) => T | undefined, within = patience): Promise<T> => {
		let found: T | undefined;
		try {
			await terminal.waitFor((frame) => {
				found = read(frame);
				return found !== undefined || !terminal.running();
			}, within);
		} catch {
			// Reported below, with the screen.
		}
		if (found !== undefined) return found;
		const frame = await terminal.screen();
		const ended = terminal.running() ? `did not show ${what} within ${within / 1000} s` : `ended (exit ${(await terminal.exited).code}) before it showed ${what}`;
		throw new Error(`the console ${ended}; the screen (${screenShown(frame) ?? "not recognised"}) was:\n${frame}`);
	};

	const frame = () => terminal.screen();
	const press = async (command: Command, times = 1) => {
		// A frame half drawn, or "terminal too small", names no screen: the next whole one does.
		const screen = await until(`a screen to press "${command}" on`, screenShown);
		const bytes = keyBytes(keyFor(command, screen));
		for (let i = 0; i < times; i++) terminal.write(bytes);
	};
	const type = async (text: string) => {
		// By characters, never inside one: a chunk's end must not split a surrogate pair.
		const characters = [...text];
		for (let at = 0; at < characters.length; at += 1000) {
			// A short gap between chunks, so each is one read for the program, as a paste over SSH arrives.
			if (at > 0) await new Promise((resolve) => setTimeout(resolve, 20));
			terminal.write(characters.slice(at, at + 1000).join(""));
		}
	};
	const expectText = (expected: Expected, within?: number) =>
		until(describe(expected), (shown) => (matches(shown, expected) ? shown : undefined), within);
	const expectScreen = (screen: Screen, within?: number) =>
		until(`the ${screen} screen`, (shown) => (screenShown(shown) === screen ? shown : undefined), within);
	const expectExit = async (within = patience) => {
		let timer: NodeJS.Timeout | undefined;
		const late = new Promise<undefined>((resolve) => {
			timer = setTimeout(() => resolve(undefined), within);
		});
		const exit = await Promise.race([terminal.exited, late]);
		clearTimeout(timer);
		if (!exit) throw new Error(`the console was still running ${within / 1000} s later; the screen was:\n${await frame()}`);
		return exit.code;
	};
	/** The tmux server first, found through its socket (so before the socket's folder goes): it outlives its client. */
	const endTmux = () => {
		if (!tmuxServer) return;
		try {
			process.kill(Number(tmux("display-message", "-p", "#{pid}").trim()), "SIGTERM");
		} catch {
			// The server had ended with its last session.
		}
	};
	let closed: Promise<void> | undefined;
	const close = () => {
		closed ??= (async () => {
			endTmux();
			await terminal.close();
			if (tmuxServer) rmSync(tmuxServer.dir, { recursive: true, force: true });
		})();
		return closed;
	};
	t.after(close);
	const screen = async () => screenShown(await frame());
	const driver: Omit<Console, "wizard"> = { press, type, expectScreen, expectText, expectExit, frame, screen, size: terminal.resize, terminal, tmux, close };
	return { ...driver, wizard: wizardOf(driver) };
}
