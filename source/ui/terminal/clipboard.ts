/**
 * Copying a new key. Over SSH or inside tmux/screen the terminal's own clipboard is reached with
 * OSC 52 (wrapped for tmux and screen); locally a clipboard program is used if one exists.
 * Nothing here can throw: the caller gets a sentence saying what happened.
 */
import { spawnSync } from "node:child_process";

const maxOsc52Bytes = 100_000;

export function osc52(text: string, env: NodeJS.ProcessEnv): string {
	const payload = Buffer.from(text, "utf8").toString("base64");
	const sequence = `\u001b]52;c;${payload}\u0007`;
	if (env.TMUX) return `\u001bPtmux;\u001b${sequence}\u001b\\`;
	if (env.TERM?.startsWith("screen")) return `\u001bP${sequence}\u001b\\`;
	return sequence;
}

function localProgram(env: NodeJS.ProcessEnv): [string, string[]] | undefined {
	if (process.platform === "darwin") return ["pbcopy", []];
	if (env.WAYLAND_DISPLAY) return ["wl-copy", []];
	if (env.DISPLAY) return ["xclip", ["-selection", "clipboard"]];
	return undefined;
}

export function copyToClipboard(text: string, env: NodeJS.ProcessEnv, write: (data: string) => void): string {
	const remote = Boolean(env.SSH_TTY || env.SSH_CONNECTION || env.TMUX || env.TERM?.startsWith("screen"));
	const program = remote ? undefined : localProgram(env);
	if (program) {
		const result = spawnSync(program[0], program[1], { input: text, timeout: 2000 });
		if (result.status === 0) return "copied to the clipboard";
	}
	if (Buffer.byteLength(text) > maxOsc52Bytes) return "too long to copy through the terminal";
	write(osc52(text, env));
	return "sent to the terminal's clipboard (OSC 52)";
}
