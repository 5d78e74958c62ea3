/**
 * A console over a remote instance at scale, and what the key list costs everyone else: the
 * console on `serve` (a real server, a pseudo-terminal) to its first frame with key rows, beside
 * the same console on the store file itself; and how much longer a verify takes while the server
 * makes the key list (pgutil's whole list, the detailed one, a filtered page and the filtered ids
 * at once) than on a server doing nothing else. The wait is a p99, beside the same p99 of the idle
 * server: on a shared machine any single request can lose the processor for tens of milliseconds.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalStore } from "../../source/store/local-store.js";
import { openPty } from "../support/pty-terminal.js";
import { spawnServer, stop } from "./server-figures.js";
import { median, percentile } from "./stats.js";

const defaultCli = join(fileURLToPath(new URL("../..", import.meta.url)), "dist", "cli.js");

export interface RemoteFigures {
	firstRowsMs: number;
	firstRowsLocalMs: number;
	/** p99 of a verify's time while the lists are made, less its median on the idle server. */
	verifyWaitMs: number;
	/** The same p99 less median on the idle server: what this machine's own noise adds. */
	verifyWaitFloorMs: number;
	/** The longest verify while the lists were made, less the idle median (with the noise in it). */
	verifyWaitWorstMs: number;
}

const hasRows = (s: string) => /› .*\n/.test(s) && /1 of \d+/.test(s);

async function firstRows(args: string[], env: Record<string, string> = {}): Promise<number> {
	const session = openPty(args, { env });
	try {
		return await session.waitFor(hasRows);
	} finally {
		await session.close();
	}
}

async function timed(send: () => Promise<Response>): Promise<number> {
	const started = performance.now();
	const response = await send();
	await response.arrayBuffer();
	return performance.now() - started;
}

/** `cli` may name another build (the one before a change) to measure it the same way. */
export async function measureRemote(db: string, runs: number, cli = defaultCli): Promise<RemoteFigures> {
	const store = LocalStore.open(db);
	const admin = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "bench admin" }, { actor: "bench" });
	const probe = await store.createKey({ type: "system", systemApis: ["sca"], displayName: "bench verify" }, { actor: "bench" });
	await store.close();
	const server = await spawnServer([cli, "serve", `--db=${db}`, "--port=0"]);
	try {
		const api = `${server.url}/api/api-keys`;
		const headers = { "X-ApiKey": admin.key };
		const verify = () =>
			timed(() => fetch(`${api}/verify`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify({ key: probe.key }) }));
		// Local and remote take turns, so a slow patch of the shared machine falls on both.
		const remote: number[] = [];
		const local: number[] = [];
		for (let i = 0; i < runs; i++) {
			remote.push(await firstRows([cli, `--source=${server.url}`], { APIKEYS_TUI_API_KEY: admin.key }));
			local.push(await firstRows([cli, `--db=${db}`]));
		}

		const idle: number[] = [];
		for (let i = 0; i < 500; i++) idle.push(await verify());
		const idleMs = median(idle);
		const during: number[] = [];
		for (let i = 0; i < runs; i++) {
			// A change first, so no list is answered from memory.
			await fetch(`${api}/disable?id=${probe.record.id}`, { method: "POST", headers });
			await fetch(`${api}/enable?id=${probe.record.id}`, { method: "POST", headers });
			let listing = true;
			const lists = Promise.all(
				["list", "list?details=true", "page?filter=feed&sort=name&limit=40", "ids?filter=feed&sort=name"].map((path) =>
					timed(() => fetch(`${api}/${path}`, { headers })),
				),
			).finally(() => {
				listing = false;
			});
			while (listing) during.push(await verify());
			await lists;
		}
		return {
			firstRowsMs: median(remote),
			firstRowsLocalMs: median(local),
			verifyWaitMs: percentile(during, 99) - idleMs,
			verifyWaitFloorMs: percentile(idle, 99) - idleMs,
			verifyWaitWorstMs: Math.max(...during) - idleMs,
		};
	} finally {
		await stop(server);
	}
}
