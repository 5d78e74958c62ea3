/**
 * The PostgreSQL figures (issue 22): verify requests/s of one `serve` node on PostgreSQL against
 * the same node on SQLite (same keys, taking turns under autocannon); the node's and the
 * database's CPU per request (from /proc: in-process verification, which reads only memory, and a
 * verify request over HTTP, whose one database cost is its batched access-log row); and
 * revocation propagation across three nodes under load (propagation-figure.ts). The bench starts
 * and stops its own cluster (test/support/postgres.ts); without PostgreSQL it says so and skips.
 */
import { join } from "node:path";
import autocannon from "autocannon";
import type { Backend } from "../../source/core/backend.js";
import { LocalStore } from "../../source/store/local-store.js";
import { PostgresStore } from "../../source/store/postgres/index.js";
import { postgresSkipReason, startCluster } from "../support/postgres.js";
import { clusterCpuMs, processCpuMs } from "./process-cpu.js";
import { measurePropagation, type Propagation, type PropagationSetup } from "./propagation-figure.js";
import { type Running, spawnServer, stop } from "./server-figures.js";
import { median } from "./stats.js";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export interface BenchFigure {
	name: string;
	value: number;
	floor: number | null;
	unit: string;
	higherIsBetter: boolean;
}

export interface PostgresGroup {
	figures: BenchFigure[];
	scaling: Record<string, number>;
}

/** The same keys in either engine: an admin, a feed key the load checks, a short list. */
async function seedKeys(store: Backend) {
	const admin = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "bench admin" }, { actor: "bench" });
	const checked = await store.createKey({ type: "feed", packagePermissions: ["view"], feed: "npm" }, { actor: "bench" });
	for (let i = 0; i < 20; i++) await store.createKey({ type: "personal", user: `user${i}`, displayName: `list entry ${i}` }, { actor: "bench" });
	return { admin: admin.key, checked: checked.key };
}

function verifyRequest(keys: { admin: string; checked: string }) {
	return {
		method: "POST" as const,
		headers: { "X-ApiKey": keys.admin, "Content-Type": "application/json" },
		body: JSON.stringify({ key: keys.checked, feedPermission: "view", feed: "npm" }),
	};
}

interface Run {
	rps: number;
	requests: number;
	nodeCpuMs: number;
	dbCpuMs: number;
}

/** One autocannon run against `node`, with its CPU and, given a postmaster, the database's until the log rows are written. */
async function loadRun(node: Running, seconds: number, request: ReturnType<typeof verifyRequest>, postmaster?: number): Promise<Run> {
	const nodePid = node.child.pid as number;
	const [nodeBefore, dbBefore] = [processCpuMs(nodePid), postmaster === undefined ? 0 : clusterCpuMs(postmaster)];
	const result = await autocannon({ url: `${node.url}/api/api-keys/verify`, connections: 10, duration: seconds, ...request });
	if (result.non2xx + result.errors + result.timeouts > 0) throw new Error(`${node.url} failed requests under load`);
	const nodeCpuMs = processCpuMs(nodePid) - nodeBefore;
	// The last batch of access-log rows goes out within the batch window (200 ms).
	await new Promise((resolve) => setTimeout(resolve, 1000));
	const dbCpuMs = postmaster === undefined ? 0 : clusterCpuMs(postmaster) - dbBefore;
	return { rps: result.requests.average, requests: result.requests.total, nodeCpuMs, dbCpuMs };
}

function measurePropagationLogged(log: (message: string) => void, trials: number, setup: PropagationSetup): Promise<Propagation> {
	log(`PostgreSQL: revocation propagation across three nodes under load (${trials} keys disabled)`);
	return measurePropagation(setup);
}

function propagationFigure(propagation: Propagation): BenchFigure {
	return { name: "pg_propagation_p99_ms", value: propagation.p99, floor: null, unit: "ms", higherIsBetter: false };
}

/** Beside the figure: its median, each node on its own, the same counted from the disable's answer and from sending it, the probe's own round trip. */
function propagationScaling(propagation: Propagation): Record<string, number> {
	return {
		pg_propagation_p50_ms: propagation.p50,
		pg_propagation_trials: propagation.n,
		pg_propagation_each_node_p50_ms: propagation.eachNodeP50,
		pg_propagation_each_node_p99_ms: propagation.eachNodeP99,
		pg_propagation_from_answer_p50_ms: propagation.fromAnswerP50,
		pg_propagation_from_answer_p99_ms: propagation.fromAnswerP99,
		pg_propagation_from_send_p50_ms: propagation.fromSendP50,
		pg_propagation_from_send_p99_ms: propagation.fromSendP99,
		pg_disable_answer_p50_ms: propagation.answerP50,
		pg_disable_answer_p99_ms: propagation.answerP99,
		pg_propagation_poll_p50_ms: propagation.pollP50,
		pg_propagation_poll_p99_ms: propagation.pollP99,
	};
}

export interface PostgresBenchOptions {
	/** The program the nodes run (default: this checkout's build), to measure another build the same way. */
	cli?: string;
	/** Only the propagation figures. */
	propagationOnly?: boolean;
}

export async function measurePostgres(
	dir: string,
	quick: boolean,
	log: (message: string) => void,
	options: PostgresBenchOptions = {},
): Promise<PostgresGroup | undefined> {
	const skip = postgresSkipReason();
	if (skip !== undefined) {
		log(`PostgreSQL figures skipped: ${skip}`);
		return undefined;
	}
	const cleanups: (() => unknown)[] = [];
	const nodes: Running[] = [];
	try {
		let cluster;
		try {
			const stoppedAfter = { after: (cleanup: () => unknown) => cleanups.push(cleanup) } as Parameters<typeof startCluster>[0];
			cluster = await startCluster(stoppedAfter);
		} catch (error) {
			if (!(error as Error).message.startsWith("PostgreSQL is not installed")) throw error;
			log(`PostgreSQL figures skipped: ${(error as Error).message}`);
			return undefined;
		}
		const url = await cluster.createDatabase("bench");
		const secretFile = join(dir, "bench-pg.secret");
		const sqlitePath = join(dir, "bench-pg-twin.db");
		const pg = await PostgresStore.open(url, { secretFile });
		const pgKeys = await seedKeys(pg);
		const trials = quick ? 20 : 100;
		const victims = [];
		for (let i = 0; i < trials; i++) {
			const input = { type: "feed", packagePermissions: ["view"], feed: "npm", displayName: `revoked ${i}` } as const;
			const created = await pg.createKey(input, { actor: "bench" });
			victims.push({ id: created.record.id, key: created.key });
		}
		if (options.propagationOnly) {
			await pg.close();
			const setup = { url, secretFile, adminKey: pgKeys.admin, victims, loadRequest: verifyRequest(pgKeys), cli: options.cli };
			const propagation = await measurePropagationLogged(log, trials, setup);
			return { figures: [propagationFigure(propagation)], scaling: propagationScaling(propagation) };
		}
		// Verification in-process reads only this node's memory: the database should not notice.
		await pg.startServing();
		const verifyCount = quick ? 20_000 : 200_000;
		const requirement = { kind: "feed-permission", permission: "view", feed: "npm" } as const;
		const [dbBefore, nodeBefore] = [clusterCpuMs(cluster.pid), process.cpuUsage()];
		for (let i = 0; i < verifyCount; i++) pg.verifyNow(i % 2 === 0 ? pgKeys.checked : pgKeys.admin, requirement);
		const nodeUsage = process.cpuUsage(nodeBefore);
		const inMemoryDbUs = ((clusterCpuMs(cluster.pid) - dbBefore) * 1000) / verifyCount;
		await pg.close();
		const sqlite = LocalStore.open(sqlitePath);
		const sqliteKeys = await seedKeys(sqlite);
		await sqlite.close();

		log("PostgreSQL: one node against the same node on SQLite (autocannon, 10 connections)");
		nodes.push(await spawnServer([options.cli ?? cli, "serve", `--db=${url}`, `--secret-file=${secretFile}`, "--port=0"]));
		nodes.push(await spawnServer([options.cli ?? cli, "serve", `--db=${sqlitePath}`, "--port=0"]));
		const [pgNode, sqliteNode] = nodes as [Running, Running];
		const idleBefore = clusterCpuMs(cluster.pid);
		await new Promise((resolve) => setTimeout(resolve, 2000));
		const idleDbMsPerS = (clusterCpuMs(cluster.pid) - idleBefore) / 2;
		const seconds = quick ? 2 : 5;
		const pgRuns: Run[] = [];
		const sqliteRuns: Run[] = [];
		for (let round = 0; round < (quick ? 1 : 5); round++) {
			const turns: [Run[], Running, ReturnType<typeof verifyRequest>, number | undefined][] = [
				[pgRuns, pgNode, verifyRequest(pgKeys), cluster.pid],
				[sqliteRuns, sqliteNode, verifyRequest(sqliteKeys), undefined],
			];
			for (const [into, node, request, postmaster] of round % 2 === 0 ? turns : turns.reverse()) {
				into.push(await loadRun(node, seconds, request, postmaster));
			}
		}
		for (const node of nodes.splice(0)) await stop(node);
		const perRequestUs = (runs: Run[], ms: (run: Run) => number) => median(runs.map((run) => (ms(run) * 1000) / run.requests));

		const loadRequest = verifyRequest(pgKeys);
		const setup = { url, secretFile, adminKey: pgKeys.admin, victims, loadRequest, cli: options.cli };
		const propagation = await measurePropagationLogged(log, trials, setup);
		return {
			figures: [
				// The floor is the same node on SQLite: the ratio is what PostgreSQL costs a verify request.
				{
					name: "pg_verify_rps",
					value: median(pgRuns.map((r) => r.rps)),
					floor: median(sqliteRuns.map((r) => r.rps)),
					unit: "/s",
					higherIsBetter: true,
				},
				propagationFigure(propagation),
			],
			scaling: {
				...propagationScaling(propagation),
				pg_node_cpu_us_per_verify_request: perRequestUs(pgRuns, (r) => r.nodeCpuMs),
				sqlite_node_cpu_us_per_verify_request: perRequestUs(sqliteRuns, (r) => r.nodeCpuMs),
				pg_db_cpu_us_per_verify_request: perRequestUs(pgRuns, (r) => r.dbCpuMs),
				pg_db_cpu_us_per_verify_in_process: inMemoryDbUs,
				pg_node_cpu_us_per_verify_in_process: (nodeUsage.user + nodeUsage.system) / verifyCount,
				pg_db_idle_cpu_ms_per_s: idleDbMsPerS,
			},
		};
	} finally {
		for (const node of nodes) await stop(node);
		for (const cleanup of cleanups.reverse()) await cleanup();
	}
}
