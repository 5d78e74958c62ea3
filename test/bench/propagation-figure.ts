/**
 * Revocation propagation across three `serve` nodes on one PostgreSQL store, under load: a child
 * process keeps verify traffic on all three (autocannon); each trial disables a key through the
 * first node's HTTP API and polls the other two back to back with a gateway's check of that key
 * until each refuses it. A sample is the time from the first node's answer (the disable is
 * committed) to another node's first refusal, 0 when it refused before that answer; the time from
 * sending the disable, which adds the first node's write, is kept beside it.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Running, spawnServer, stop } from "./server-figures.js";
import { percentile } from "./stats.js";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

export interface Propagation {
	p50: number;
	p99: number;
	/** Samples: trials × the two nodes that did not take the change. */
	n: number;
	/** The same samples counted from sending the disable. */
	fromSendP50: number;
	fromSendP99: number;
	/** Median time the first node took to answer the disable. */
	answerP50: number;
	/** A poll's round trip under the load, p99: how finely a refusal is timed. */
	pollP99: number;
}

/** Verify traffic on every URL until killed: autocannon in its own process, so the pollers keep this event loop. */
const loadScript = `
const autocannon = require("autocannon");
const { urls, request } = JSON.parse(process.env.BENCH_LOAD);
for (const url of urls) autocannon({ url, connections: 3, duration: 3600, ...request });
`;

/** A gateway's check of `key`: true while the node lets it through. */
async function allowed(base: string, key: string): Promise<boolean> {
	const response = await fetch(`${base}/api/api-keys/authorize?feed=npm&feedPermission=view`, {
		headers: { "X-ApiKey": key, "X-Original-URI": "/npm/left-pad", "X-Original-Method": "GET" },
	});
	await response.arrayBuffer();
	return response.status === 204;
}

/** When (performance.now()) `base` first refuses `key`, asking back to back; each poll's round trip goes into `polls`. */
async function refusedAt(base: string, key: string, since: number, polls: number[]): Promise<number> {
	for (;;) {
		const asked = performance.now();
		const stillAllowed = await allowed(base, key);
		const now = performance.now();
		polls.push(now - asked);
		if (!stillAllowed) return now;
		if (now - since > 10_000) throw new Error(`${base} still allows a key disabled 10 s ago`);
	}
}

export interface PropagationSetup {
	url: string;
	secretFile: string;
	adminKey: string;
	/** Keys to disable, one a trial: feed keys for npm with view, each with its id. */
	victims: { id: number; key: string }[];
	/** The verify request the load sends (an admin key's header and a key to check). */
	loadRequest: { method: "POST"; headers: Record<string, string>; body: string };
}

export async function measurePropagation(setup: PropagationSetup): Promise<Propagation> {
	const nodes: Running[] = [];
	let loader: ReturnType<typeof spawn> | undefined;
	try {
		for (let i = 0; i < 3; i++) {
			nodes.push(await spawnServer([cli, "serve", `--db=${setup.url}`, `--secret-file=${setup.secretFile}`, "--port=0"]));
		}
		const [origin, ...others] = nodes.map((node) => node.url) as [string, string, string];
		loader = spawn(process.execPath, ["-e", loadScript], {
			cwd: root,
			stdio: "ignore",
			env: { ...process.env, BENCH_LOAD: JSON.stringify({ urls: nodes.map((n) => `${n.url}/api/api-keys/verify`), request: setup.loadRequest }) },
		});
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const fromAnswer: number[] = [];
		const fromSend: number[] = [];
		const answers: number[] = [];
		const polls: number[] = [];
		for (const victim of setup.victims) {
			for (const base of others) {
				if (!(await allowed(base, victim.key))) throw new Error(`${base} refuses a key before it was disabled`);
			}
			const since = performance.now();
			const request = { method: "POST", headers: { "X-ApiKey": setup.adminKey } };
			const answered = fetch(`${origin}/api/api-keys/disable?id=${victim.id}`, request).then(async (response) => {
				await response.arrayBuffer();
				if (response.status !== 200) throw new Error(`disable answered ${response.status}`);
				return performance.now();
			});
			const refusals = await Promise.all(others.map((base) => refusedAt(base, victim.key, since, polls)));
			const answer = await answered;
			answers.push(answer - since);
			for (const at of refusals) {
				fromSend.push(at - since);
				fromAnswer.push(Math.max(0, at - answer));
			}
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		return {
			p50: percentile(fromAnswer, 50),
			p99: percentile(fromAnswer, 99),
			n: fromAnswer.length,
			fromSendP50: percentile(fromSend, 50),
			fromSendP99: percentile(fromSend, 99),
			answerP50: percentile(answers, 50),
			pollP99: percentile(polls, 99),
		};
	} finally {
		if (loader?.pid !== undefined) {
			const exited = new Promise((resolve) => loader?.on("exit", resolve));
			process.kill(loader.pid, "SIGTERM");
			await exited;
		}
		for (const node of nodes) await stop(node);
	}
}
