/**
 * The server under load on loopback: authenticated key-list and verify requests, each written to
 * the access log, against a bare node:http server answering 200 — both in their own processes,
 * driven by autocannon from this one. The main figures use ProGet's default for a key (every
 * request logged with its headers, "Minimal" = body logging none, proget-api.md line 155); the key
 * list is also measured with body logging "both", which stores each 2 KB answer once more.
 */
import { type ChildProcess, spawn } from "node:child_process";
import autocannon from "autocannon";
import { LocalStore } from "../../source/store/local-store.js";
import { median } from "./stats.js";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

interface Running {
	url: string;
	child: ChildProcess;
}

function spawnServer(args: string[]): Promise<Running> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
		let out = "";
		child.stdout?.setEncoding("utf8").on("data", (d: string) => {
			out += d;
			const match = /listening on (http:\/\/[^\s]+)/.exec(out);
			if (match) resolve({ url: match[1] as string, child });
		});
		child.on("exit", (code) => reject(new Error(`server exited (${code})`)));
	});
}

function stop(running: Running): Promise<void> {
	return new Promise((resolve) => {
		running.child.removeAllListeners("exit");
		running.child.on("exit", () => resolve());
		running.child.kill("SIGTERM");
	});
}

interface Load {
	rps: number;
	p99: number;
	failures: number;
}

async function load(url: string, seconds: number, request: { method?: "GET" | "POST"; headers?: Record<string, string>; body?: string }): Promise<Load> {
	const result = await autocannon({ url, connections: 10, duration: seconds, ...request });
	return { rps: result.requests.average, p99: result.latency.p99, failures: result.non2xx + result.errors + result.timeouts };
}

export interface ServerFigures {
	listRps: number;
	listP99: number;
	verifyRps: number;
	verifyP99: number;
	listWithBodiesRps: number;
	floorRps: number;
	floorP99: number;
}

export async function measureServer(path: string, seconds: number): Promise<ServerFigures> {
	const store = LocalStore.open(path);
	const admin = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "bench admin" }, { actor: "bench" });
	const bodyLogged = await store.createKey(
		{ type: "system", systemApis: ["full-control"], displayName: "bench admin, bodies logged", logging: "both" },
		{ actor: "bench" },
	);
	const checked = await store.createKey({ type: "feed", packagePermissions: ["view"], feed: "npm" }, { actor: "bench" });
	for (let i = 0; i < 20; i++) {
		await store.createKey({ type: "personal", user: `user${i}`, displayName: `list entry ${i}` }, { actor: "bench" });
	}
	await store.close();

	const floor = await spawnServer([
		"-e",
		"require('node:http').createServer((q,s)=>{q.resume();q.on('end',()=>s.end('[]'))}).listen(0,'127.0.0.1',function(){console.log('listening on http://127.0.0.1:'+this.address().port)})",
	]);
	const floorRuns: Load[] = [];
	try {
		floorRuns.push(await load(floor.url, seconds, {}));
	} finally {
		await stop(floor);
	}
	const ours = await spawnServer([cli, "serve", `--db=${path}`, "--port=0"]);
	try {
		const headers = { "X-ApiKey": admin.key, "Content-Type": "application/json" };
		const list = await load(`${ours.url}/api/api-keys/list`, seconds, { headers });
		const verify = await load(`${ours.url}/api/api-keys/verify`, seconds, {
			method: "POST",
			headers,
			body: JSON.stringify({ key: checked.key, feedPermission: "view", feed: "npm" }),
		});
		const listWithBodies = await load(`${ours.url}/api/api-keys/list`, seconds, { headers: { ...headers, "X-ApiKey": bodyLogged.key } });
		const failures = list.failures + verify.failures + listWithBodies.failures;
		if (failures > 0) throw new Error(`the server failed ${failures} requests under load`);
		return {
			listRps: list.rps,
			listP99: list.p99,
			verifyRps: verify.rps,
			verifyP99: verify.p99,
			listWithBodiesRps: listWithBodies.rps,
			floorRps: median(floorRuns.map((r) => r.rps)),
			floorP99: median(floorRuns.map((r) => r.p99)),
		};
	} finally {
		await stop(ours);
	}
}
