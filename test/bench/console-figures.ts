/**
 * The console in a pseudo-terminal (node-pty, screen read through @xterm/headless): time to the
 * first frame with key rows, time from a key press to the frame that shows it, and peak memory;
 * each beside a minimal Ink app bundled the same way.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { keyBytes, keyFor } from "../support/console-keys.js";
import { openPty as open, type PtyTerminal as Session } from "../support/pty-terminal.js";
import { median, percentile } from "./stats.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = join(root, "dist", "cli.js");

async function bundleMinimal(dir: string): Promise<string> {
	const outfile = join(dir, "minimal-ink.js");
	await build({
		entryPoints: [fileURLToPath(new URL("./minimal-ink.tsx", import.meta.url))],
		bundle: true,
		platform: "node",
		format: "esm",
		target: "node20",
		outfile,
		jsx: "automatic",
		define: { "process.env.NODE_ENV": '"production"' },
		alias: { "react-devtools-core": join(root, "source/ui/terminal/devtools-stub.ts") },
		banner: { js: "import {createRequire as __cr} from 'node:module'; const require = __cr(import.meta.url);" },
		logLevel: "warning",
	});
	return outfile;
}

/** Milliseconds from spawn to the first frame that `ready` accepts, `runs` times. */
async function startups(args: string[], ready: (s: string) => boolean, runs: number): Promise<number[]> {
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		const session = open(args);
		times.push(await session.waitFor(ready));
		await session.close();
	}
	return times;
}

const position = (screen: string) => Number(/(\d+) of/.exec(screen)?.[1] ?? Number.NaN);

/**
 * The console's keys by command, from the binding table, sent straight to the terminal: a driver's
 * press reads the screen first, which the timings must not include.
 */
const consoleKey = {
	down: keyBytes(keyFor("down", "list")),
	bottom: keyBytes(keyFor("bottom", "list")),
	logsAll: keyBytes(keyFor("logs-all", "list")),
	back: keyBytes(keyFor("back", "logs")),
	filter: keyBytes(keyFor("filter", "logs")),
	done: keyBytes(keyFor("next", "field")),
};

/** Latency of each `key`: from the write to the frame where the position has moved on by one. */
async function presses(session: Session, count: number, key: string): Promise<number[]> {
	const times: number[] = [];
	for (let i = 0; i < count; i++) {
		const before = position(await session.screen());
		const started = performance.now();
		session.write(key);
		await session.waitFor((s) => position(s) === before + 1);
		times.push(performance.now() - started);
	}
	return times;
}

function peakRssMb(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, "utf8");
	const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
	return kb / 1024;
}

export interface ConsoleFigures {
	startupMs: number;
	startupFloorMs: number;
	keypressP95Ms: number;
	keypressFloorP95Ms: number;
	listKeypressP95Ms: number;
	logsKeypressP95Ms: number;
	rssMb: number;
}

export async function measureConsole(db: string, dir: string, runs: number, keyPresses: number): Promise<ConsoleFigures> {
	const minimal = await bundleMinimal(dir);
	const hasRows = (s: string) => /› .*\n/.test(s) && /1 of \d+/.test(s);
	const startup = median(await startups([cli, `--db=${db}`], hasRows, runs));
	const startupFloor = median(await startups([minimal], (s) => /ready ?0 of/.test(s), runs));

	const floorSession = open([minimal]);
	await floorSession.waitFor((s) => /ready ?0 of/.test(s));
	const floorTimes = await presses(floorSession, keyPresses * 2, "j");
	await floorSession.close();

	const session = open([cli, `--db=${db}`]);
	await session.waitFor(hasRows);
	const listTimes = await presses(session, keyPresses, consoleKey.down);
	session.write(consoleKey.logsAll);
	await session.waitFor((s) => s.includes("All requests") && /1 of \d+/.test(s));
	const logTimes = await presses(session, keyPresses, consoleKey.down);
	session.write(consoleKey.back);
	await session.waitFor((s) => !s.includes("All requests"));
	session.write(consoleKey.bottom);
	await session.waitFor((s) => {
		const match = /(\d+) of (\d+)/.exec(s);
		return match !== null && match[1] === match[2];
	});
	session.write(consoleKey.logsAll);
	await session.waitFor((s) => s.includes("All requests"));
	session.write(consoleKey.filter);
	session.write(`status:4xx${consoleKey.done}`);
	await session.waitFor((s) => s.includes("filter: status:4xx") && !s.includes("working"));
	const rss = peakRssMb(session.pid);
	await session.close();
	return {
		startupMs: startup,
		startupFloorMs: startupFloor,
		keypressP95Ms: percentile([...listTimes, ...logTimes], 95),
		keypressFloorP95Ms: percentile(floorTimes, 95),
		listKeypressP95Ms: percentile(listTimes, 95),
		logsKeypressP95Ms: percentile(logTimes, 95),
		rssMb: rss,
	};
}
