/**
 * Revocation propagation across three `serve` nodes on one PostgreSQL store, under load: a child
 * process keeps verify traffic on all three (autocannon); each trial disables a key through the
 * first node's HTTP API and polls the other two back to back with a gateway's check of that key
 * until each refuses it. A sample is the time from the disable's commit to the later of the two
 * refusals (every other node refuses); the commit is when the bench's own LISTEN connection hears
 * the change's notification (its payload names the key, migrations/004-revocation-notices.ts), on
 * a connection and a thread of its own that the pollers do not slow. A refusal is timed when its poll's answer arrives, so a poll's
 * round trip is kept beside the figure, as are the samples counted from the first node's answer and
 * from sending the disable.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { changeChannel } from "../../source/store/postgres/index.js";
import { type Running, spawnServer, stop } from "./server-figures.js";
import { percentile } from "./stats.js";

const builtCli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

export interface Propagation {
	/** From the commit to the later refusal of the two other nodes. */
	p50: number;
	p99: number;
	/** Trials. */
	n: number;
	/** Each node's refusal on its own, from the commit. */
	eachNodeP50: number;
	eachNodeP99: number;
	/** The later refusal counted from the first node's answer (0 when both refused before it). */
	fromAnswerP50: number;
	fromAnswerP99: number;
	/** The later refusal counted from sending the disable. */
	fromSendP50: number;
	fromSendP99: number;
	/** Time the first node took to answer the disable. */
	answerP50: number;
	answerP99: number;
	/** A poll's round trip under the load: how finely a refusal is timed. */
	pollP50: number;
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

/** When (wall clock) `base` first refuses `key`, asking back to back; each poll's round trip goes into `polls`. */
async function refusedAt(base: string, key: string, since: number, polls: number[]): Promise<number> {
	for (;;) {
		const asked = wallClock();
		const stillAllowed = await allowed(base, key);
		const now = wallClock();
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
	/** The program the nodes run (default: this checkout's build). */
	cli?: string;
}

/**
 * Hears the store's disables in a worker thread of its own, so the pollers on the main thread do
 * not delay it; each is timed there, as wall-clock milliseconds (timeOrigin + now, comparable
 * across threads).
 */
const listenerScript = `
const { parentPort, workerData } = require("node:worker_threads");
import(workerData.driver).then(async ({ default: postgres }) => {
	const sql = postgres(workerData.url, { max: 1, onnotice: () => {} });
	await sql.listen(workerData.channel, (payload) => {
		const at = performance.timeOrigin + performance.now();
		const match = /^\\d+ (\\d+) disabled$/.exec(payload);
		if (match) parentPort.postMessage({ id: Number(match[1]), at });
	});
	parentPort.postMessage("listening");
	parentPort.on("message", () => sql.end({ timeout: 1 }).then(() => process.exit(0)));
});
`;

const wallClock = () => performance.timeOrigin + performance.now();

/** `committedAt(id)` resolves with the wall-clock time the disable of key `id` was heard committed. */
async function commitListener(url: string) {
	const worker = new Worker(listenerScript, { eval: true, workerData: { url, channel: changeChannel, driver: import.meta.resolve("postgres") } });
	const heard = new Map<number, number>();
	const waiting = new Map<number, (at: number) => void>();
	await new Promise<void>((resolve, reject) => {
		worker.once("error", reject);
		worker.on("message", (message: "listening" | { id: number; at: number }) => {
			if (message === "listening") return resolve();
			heard.set(message.id, message.at);
			waiting.get(message.id)?.(message.at);
		});
	});
	return {
		committedAt: (id: number) => {
			const at = heard.get(id);
			return at === undefined ? new Promise<number>((resolve) => waiting.set(id, resolve)) : Promise.resolve(at);
		},
		end: () => new Promise<void>((resolve) => {
			worker.once("exit", () => resolve());
			worker.postMessage("end");
		}),
	};
}

export async function measurePropagation(setup: PropagationSetup): Promise<Propagation> {
	const nodes: Running[] = [];
	let loader: ReturnType<typeof spawn> | undefined;
	const listener = await commitListener(setup.url);
	try {
		for (let i = 0; i < 3; i++) {
			nodes.push(await spawnServer([setup.cli ?? builtCli, "serve", `--db=${setup.url}`, `--secret-file=${setup.secretFile}`, "--port=0"]));
		}
		const [origin, ...others] = nodes.map((node) => node.url) as [string, string, string];
		loader = spawn(process.execPath, ["-e", loadScript], {
			cwd: root,
			stdio: "ignore",
			env: { ...process.env, BENCH_LOAD: JSON.stringify({ urls: nodes.map((n) => `${n.url}/api/api-keys/verify`), request: setup.loadRequest }) },
		});
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const fromCommit: number[] = [];
		const eachNode: number[] = [];
		const fromAnswer: number[] = [];
		const fromSend: number[] = [];
		const answers: number[] = [];
		const polls: number[] = [];
		for (const victim of setup.victims) {
			for (const base of others) {
				if (!(await allowed(base, victim.key))) throw new Error(`${base} refuses a key before it was disabled`);
			}
			const since = wallClock();
			const request = { method: "POST", headers: { "X-ApiKey": setup.adminKey } };
			const answered = fetch(`${origin}/api/api-keys/disable?id=${victim.id}`, request).then(async (response) => {
				await response.arrayBuffer();
				if (response.status !== 200) throw new Error(`disable answered ${response.status}`);
				return wallClock();
			});
			const refusals = await Promise.all(others.map((base) => refusedAt(base, victim.key, since, polls)));
			const [answer, committed] = await Promise.all([answered, listener.committedAt(victim.id)]);
			const last = Math.max(...refusals);
			answers.push(answer - since);
			fromCommit.push(last - committed);
			for (const at of refusals) eachNode.push(at - committed);
			fromAnswer.push(Math.max(0, last - answer));
			fromSend.push(last - since);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		return {
			p50: percentile(fromCommit, 50),
			p99: percentile(fromCommit, 99),
			n: fromCommit.length,
			eachNodeP50: percentile(eachNode, 50),
			eachNodeP99: percentile(eachNode, 99),
			fromAnswerP50: percentile(fromAnswer, 50),
			fromAnswerP99: percentile(fromAnswer, 99),
			fromSendP50: percentile(fromSend, 50),
			fromSendP99: percentile(fromSend, 99),
			answerP50: percentile(answers, 50),
			answerP99: percentile(answers, 99),
			pollP50: percentile(polls, 50),
			pollP99: percentile(polls, 99),
		};
	} finally {
		if (loader?.pid !== undefined) {
			const exited = new Promise((resolve) => loader?.on("exit", resolve));
			process.kill(loader.pid, "SIGTERM");
			await exited;
		}
		for (const node of nodes) await stop(node);
		await listener.end();
	}
}
