/** Runs the built program (dist/cli.js) as a user would, with input on stdin, never on argv. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const cliPath = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export interface CliResult {
	code: number;
	stdout: string;
	stderr: string;
}

export function runCli(
	args: string[],
	options: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [cliPath, ...args], {
			env: { ...process.env, APIKEYS_TUI_DB: "", ...options.env },
			stdio: ["pipe", "pipe", "pipe"],
		});
		let stdout = "";
		let stderr = "";
		child.stdout.setEncoding("utf8").on("data", (d: string) => {
			stdout += d;
		});
		child.stderr.setEncoding("utf8").on("data", (d: string) => {
			stderr += d;
		});
		child.on("error", reject);
		child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
		child.stdin.end(options.stdin ?? "");
	});
}
