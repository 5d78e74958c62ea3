/**
 * Copying a new key. Over SSH or inside tmux/screen the terminal's own clipboard is reached with
 * OSC 52 (wrapped for tmux and screen); locally a clipboard program is used if one exists.
 * Nothing here can throw: the caller gets a sentence saying what was done, and no more: whether a
 * terminal accepted an OSC 52 write cannot be known, so it is never reported as copied.
 */
import { spawnSync } from "node:child_process";

const maxOsc52Bytes = 100_000;

const unknowable = "whether the terminal let it into the clipboard cannot be checked";

export function osc52(text: string, env: NodeJS.ProcessEnv): string {
	const payload = Buffer.from(text, "utf8").toString("base64");
	const sequence = `\u001b]52;c;${payload}\u0007`;
	if (env.TMUX) return `\u001bPtmux;\u001b${sequence}\u001b\\`;
	if (env.TERM?.startsWith("screen")) return `\u001bP${sequence}\u001b\\`;
	return sequence;
}

/**
 * How tmux would treat an OSC 52 from this pane, from its options as resolved for the pane:
 * passed on to the terminal (allow-passthrough, or a tmux before 3.3, which had no such option and
 * passed everything), taken by tmux itself (set-clipboard on), or dropped. Undefined when tmux
 * could not be asked.
 */
export type TmuxRoute = "passthrough" | "set-clipboard" | "dropped";

export function tmuxRoute(env: NodeJS.ProcessEnv, ask = askTmux): TmuxRoute | undefined {
	const answer = ask(["display-message", "-p", ...(env.TMUX_PANE ? ["-t", env.TMUX_PANE] : []), "#{allow-passthrough}|#{set-clipboard}"]);
	if (answer === undefined) return undefined;
	const [passthrough = "", setClipboard = ""] = answer.trim().split("|");
	if (passthrough !== "0") return "passthrough";
	return setClipboard === "on" ? "set-clipboard" : "dropped";
}

function askTmux(args: string[]): string | undefined {
	const result = spawnSync("tmux", args, { encoding: "utf8", timeout: 2000 });
	return result.status === 0 ? result.stdout : undefined;
}

function localProgram(env: NodeJS.ProcessEnv): [string, string[]] | undefined {
	if (process.platform === "darwin") return ["pbcopy", []];
	if (env.WAYLAND_DISPLAY) return ["wl-copy", []];
	if (env.DISPLAY) return ["xclip", ["-selection", "clipboard"]];
	return undefined;
}

export function copyToClipboard(text: string, env: NodeJS.ProcessEnv, write: (data: string) => void, route = tmuxRoute): string {
	const remote = Boolean(env.SSH_TTY || env.SSH_CONNECTION || env.TMUX || env.TERM?.startsWith("screen"));
	const program = remote ? undefined : localProgram(env);
	if (program) {
		const result = spawnSync(program[0], program[1], { input: text, timeout: 2000 });
		if (result.status === 0) return `copied to the clipboard (${program[0]})`;
	}
	if (Buffer.byteLength(text) > maxOsc52Bytes) return "not copied: too long to send through the terminal";
	if (!env.TMUX) {
		write(osc52(text, env));
		return `sent to the terminal as OSC 52${env.TERM?.startsWith("screen") ? " through screen" : ""}; ${unknowable}`;
	}
	switch (route(env)) {
		case "passthrough":
			write(osc52(text, env));
			return `sent through tmux as OSC 52; ${unknowable}`;
		case "set-clipboard":
			// Unwrapped: tmux takes it itself, into a paste buffer, and sets the terminal's clipboard.
			write(osc52(text, {}));
			return `handed to tmux (set-clipboard on), now in its paste buffer; ${unknowable}`;
		case "dropped":
			return "not copied: tmux drops OSC 52 here; it needs set -g allow-passthrough on (or set -s set-clipboard on)";
		case undefined:
			write(osc52(text, env));
			return `sent through tmux as OSC 52, if it passes it on (allow-passthrough on; tmux did not answer); ${unknowable}`;
	}
}
