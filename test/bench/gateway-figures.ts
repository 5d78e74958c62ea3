/**
 * A real nginx in front of an upstream, asking `serve` about every request with auth_request,
 * against the same nginx without the check, in front of the same upstream (the bench's bare
 * server): what checking every request at the gateway costs. Both run side by side and take
 * turns, the order swapped each round; each figure is a median.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type RunningNginx, startNginx } from "../support/nginx.js";
import { type Load, load, type Running } from "./server-figures.js";
import { median } from "./stats.js";

export interface GatewayFigures {
	rps: number;
	floorRps: number;
}

/** `key` must pass feed public-npm's view check (the gateway's download location). */
export async function measureGateway(
	serve: Running,
	upstream: Running,
	key: string,
	seconds: number,
	rounds: number,
): Promise<GatewayFigures> {
	const dir = mkdtempSync(join(tmpdir(), "apikeys-tui-bench-nginx-"));
	const hostOf = (url: string) => url.replace(/^http:\/\//, "");
	const started: RunningNginx[] = [];
	try {
		const start = async (auth: boolean) => {
			const own = join(dir, auth ? "with-check" : "without");
			mkdirSync(own);
			const port = await freePort();
			const nginx = await startNginx({ dir: own, port, authorize: hostOf(serve.url), upstream: hostOf(upstream.url), auth });
			started.push(nginx);
			return nginx;
		};
		const checked = await start(true);
		const open = await start(false);
		const path = "/feeds/public-npm/download/left-pad-1.3.0.tgz";
		const request = { headers: { "X-ApiKey": key } };
		const runs = { checked: [] as Load[], open: [] as Load[] };
		for (let round = 0; round < rounds; round++) {
			const turns: [Load[], RunningNginx][] = [
				[runs.checked, checked],
				[runs.open, open],
			];
			for (const [into, nginx] of round % 2 === 0 ? turns : turns.reverse()) into.push(await load(`${nginx.url}${path}`, seconds, request));
		}
		const failures = [...runs.checked, ...runs.open].reduce((sum, run) => sum + run.failures, 0);
		if (failures > 0) throw new Error(`nginx failed ${failures} requests under load`);
		return { rps: median(runs.checked.map((r) => r.rps)), floorRps: median(runs.open.map((r) => r.rps)) };
	} finally {
		for (const nginx of started) await nginx.stop();
		rmSync(dir, { recursive: true, force: true });
	}
}
