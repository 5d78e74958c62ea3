/** Runs the real server (the built program) on an ephemeral loopback port, for tests. */
import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { cliPath } from "./run-cli.js";

export interface RunningServer {
	url: string;
	port: number;
	process: ChildProcess;
	output: () => { stdout: string; stderr: string };
	/** Sends SIGTERM and resolves to the exit code. */
	stop: () => Promise<number | null>;
}

export function startServer(db: string, extraArgs: string[] = []): Promise<RunningServer> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [cliPath, "serve", `--db=${db}`, "--port=0", ...extraArgs], {
			stdio: ["ignore", "pipe", "pipe"],
		});
		let stdout = "";
		let stderr = "";
		const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
		const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 20_000);
		child.stderr.setEncoding("utf8").on("data", (d: string) => {
			stderr += d;
		});
		child.stdout.setEncoding("utf8").on("data", (d: string) => {
			stdout += d;
			const match = /^listening on (http:\/\/127\.0\.0\.1:(\d+))\n/.exec(stdout);
			if (match) {
				clearTimeout(timer);
				resolve({
					url: match[1] as string,
					port: Number(match[2]),
					process: child,
					output: () => ({ stdout, stderr }),
					// A server that does not stop is a failure, not a suite waiting for ever: serve bounds its own stop well below this.
					stop: async () => {
						child.kill("SIGTERM");
						let timer: NodeJS.Timeout | undefined;
						const hung = new Promise<never>((_, reject) => {
							timer = setTimeout(() => {
								child.kill("SIGKILL");
								reject(new Error(`serve did not stop within 60 s of SIGTERM (killed): ${stderr}`));
							}, 60_000);
						});
						return Promise.race([exited, hung]).finally(() => clearTimeout(timer));
					},
				});
			}
		});
		child.on("exit", (code) => {
			clearTimeout(timer);
			reject(new Error(`server exited with ${code}: ${stderr}`));
		});
	});
}

/** Sends bytes exactly as given and returns the raw response text once the server closes or answers. */
export function rawRequest(port: number, bytes: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = connect(port, "127.0.0.1", () => socket.end(bytes));
		let text = "";
		socket.setEncoding("utf8").on("data", (d: string) => {
			text += d;
		});
		socket.on("end", () => resolve(text));
		socket.on("error", reject);
	});
}
