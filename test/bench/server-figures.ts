/**
 * The server under load on loopback: authenticated key-list and verify requests and a gateway's
 * authorize checks, each written to the access log, against a bare node:http server that reads the
 * same request and answers with the same status, headers and bytes (a 2 KB list costs the kernel
 * more than "[]") — both in their own processes, driven by autocannon from this one. Then a real
 * nginx asking the authorize route with auth_request, against the same nginx without the check.
 * The main figures use ProGet's default for a key: every request logged with its headers, body
 * logging none (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/pgutil/ApiKeys/Create/CreateCommand.cs#L56-L62);
 * the key list is also measured with body logging "both", which stores each 2 KB answer once more.
 */
import { type ChildProcess, spawn } from "node:child_process";
import autocannon from "autocannon";
import { LocalStore } from "../../source/store/local-store.js";
import { fileURLToPath } from "node:url";
import { type GatewayFigures, measureGateway } from "./gateway-figures.js";
import { median } from "./stats.js";

const cli = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export interface Running {
	url: string;
	child: ChildProcess;
}

export function spawnServer(args: string[], env: Record<string, string> = {}): Promise<Running> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
		let out = "";
		child.stdout?.setEncoding("utf8").on("data", (d: string) => {
			out += d;
			const match = /listening on (http:\/\/[^\s]+)/.exec(out);
			if (match) resolve({ url: match[1] as string, child });
		});
		child.on("exit", (code) => reject(new Error(`server exited (${code})`)));
	});
}

export function stop(running: Running): Promise<void> {
	return new Promise((resolve) => {
		running.child.removeAllListeners("exit");
		running.child.on("exit", () => resolve());
		running.child.kill("SIGTERM");
	});
}

export interface Load {
	rps: number;
	p99: number;
	failures: number;
}

export interface LoadRequest {
	method?: "GET" | "POST";
	headers?: Record<string, string>;
	body?: string;
}

/** Where one run's result goes, the URL it loads, and the request it sends. */
type Turn = [Load[], string, LoadRequest];

export async function load(url: string, seconds: number, request: LoadRequest): Promise<Load> {
	const result = await autocannon({ url, connections: 10, duration: seconds, ...request });
	return { rps: result.requests.average, p99: result.latency.p99, failures: result.non2xx + result.errors + result.timeouts };
}

export interface ServerFigures {
	listRps: number;
	listP99: number;
	listFloorRps: number;
	verifyRps: number;
	verifyP99: number;
	verifyFloorRps: number;
	listWithBodiesRps: number;
	floorP99: number;
	authorizeRps: number;
	authorizeFloorRps: number;
	gateway: GatewayFigures;
}

/** An answer of ours, for the bare server to give back as it is. */
interface Answer {
	status: number;
	headers: Record<string, string>;
	body: string;
}

/** A bare server answering every request to a path with the answer given for it, else 200 "[]". */
const bareServer = `
const answers = JSON.parse(process.env.BARE_ANSWERS);
const other = { status: 200, headers: { "Content-Type": "application/json; charset=utf-8" }, body: "[]" };
require("node:http").createServer((request, response) => {
	request.resume();
	request.on("end", () => {
		const answer = answers[request.url.split("?")[0]] ?? other;
		response.writeHead(answer.status, answer.headers);
		response.end(answer.body);
	});
}).listen(0, "127.0.0.1", function () { console.log("listening on http://127.0.0.1:" + this.address().port); });
`;

async function answerOf(url: string, init: RequestInit, status = 200): Promise<Answer> {
	const response = await fetch(url, init);
	if (response.status !== status) throw new Error(`${url} answered ${response.status}`);
	const headers: Record<string, string> = {};
	for (const [name, value] of response.headers) {
		if (name === "content-type" || name.startsWith("x-apikey-")) headers[name] = value;
	}
	return { status, headers, body: await response.text() };
}

/** `rounds` runs of `seconds` each for every route, on ours and on the floor. */
export async function measureServer(path: string, seconds: number, rounds: number): Promise<ServerFigures> {
	const store = LocalStore.open(path);
	const admin = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "bench admin" }, { actor: "bench" });
	const bodyLogged = await store.createKey(
		{ type: "system", systemApis: ["full-control"], displayName: "bench admin, bodies logged", logging: "both" },
		{ actor: "bench" },
	);
	const checked = await store.createKey({ type: "feed", packagePermissions: ["view"], feed: "npm" }, { actor: "bench" });
	const gatewayKey = await store.createKey({ type: "feed", packagePermissions: ["view"], feed: "public-npm" }, { actor: "bench" });
	for (let i = 0; i < 20; i++) {
		await store.createKey({ type: "personal", user: `user${i}`, displayName: `list entry ${i}` }, { actor: "bench" });
	}
	await store.close();

	const headers = { "X-ApiKey": admin.key, "Content-Type": "application/json" };
	const listRequest = { headers };
	const verifyRequest = {
		method: "POST" as const,
		headers,
		body: JSON.stringify({ key: checked.key, feedPermission: "view", feed: "npm" }),
	};
	// A gateway's check: the client's key in its header, the original URI as nginx sends it.
	const authorizePath = "/api/api-keys/authorize";
	const authorizeRequest = {
		headers: { "X-ApiKey": checked.key, "X-Original-URI": "/npm/left-pad/-/left-pad-1.3.0.tgz", "X-Original-Method": "GET" },
	};
	const authorizeUrl = (base: string) => `${base}${authorizePath}?feed=npm&feedPermission=view`;
	const ours = await spawnServer([cli, "serve", `--db=${path}`, "--port=0", "--trust-proxy=127.0.0.1"]);
	let floor: Running | undefined;
	const runs = {
		list: [] as Load[],
		listFloor: [] as Load[],
		verify: [] as Load[],
		verifyFloor: [] as Load[],
		authorize: [] as Load[],
		authorizeFloor: [] as Load[],
	};
	let listWithBodies: Load;
	let gateway: GatewayFigures;
	try {
		const answers = {
			"/api/api-keys/list": await answerOf(`${ours.url}/api/api-keys/list`, listRequest),
			"/api/api-keys/verify": await answerOf(`${ours.url}/api/api-keys/verify`, verifyRequest),
			[authorizePath]: await answerOf(authorizeUrl(ours.url), authorizeRequest, 204),
		};
		floor = await spawnServer(["-e", bareServer], { BARE_ANSWERS: JSON.stringify(answers) });
		// Ours and the floor take turns, the order swapped each round, so that a machine that
		// speeds up or slows down over the run moves both alike; each figure is a median.
		for (let round = 0; round < rounds; round++) {
			const turns = (ourRuns: Load[], floorRuns: Load[], path: string, request: LoadRequest): Turn[] => {
				const both: Turn[] = [[ourRuns, `${ours.url}${path}`, request], [floorRuns, `${(floor as Running).url}${path}`, request]];
				return round % 2 === 0 ? both : both.reverse();
			};
			const pairs = [
				...turns(runs.list, runs.listFloor, "/api/api-keys/list", listRequest),
				...turns(runs.verify, runs.verifyFloor, "/api/api-keys/verify", verifyRequest),
				...turns(runs.authorize, runs.authorizeFloor, `${authorizePath}?feed=npm&feedPermission=view`, authorizeRequest),
			];
			for (const [into, url, request] of pairs) into.push(await load(url, seconds, request));
		}
		listWithBodies = await load(`${ours.url}/api/api-keys/list`, seconds, { headers: { ...headers, "X-ApiKey": bodyLogged.key } });
		gateway = await measureGateway(ours, floor, gatewayKey.key, seconds, rounds);
	} finally {
		await stop(ours);
		if (floor) await stop(floor);
	}
	const failures = [...runs.list, ...runs.verify, ...runs.authorize, listWithBodies].reduce((sum, run) => sum + run.failures, 0);
	if (failures > 0) throw new Error(`the server failed ${failures} requests under load`);
	const rps = (loads: Load[]) => median(loads.map((l) => l.rps));
	const p99 = (loads: Load[]) => Math.max(...loads.map((l) => l.p99));
	const list = { rps: rps(runs.list), p99: p99(runs.list) };
	const verify = { rps: rps(runs.verify), p99: p99(runs.verify) };
	const listFloor = { rps: rps(runs.listFloor), p99: p99(runs.listFloor) };
	const verifyFloor = { rps: rps(runs.verifyFloor), p99: p99(runs.verifyFloor) };
	return {
		listRps: list.rps,
		listP99: list.p99,
		listFloorRps: listFloor.rps,
		verifyRps: verify.rps,
		verifyP99: verify.p99,
		verifyFloorRps: verifyFloor.rps,
		listWithBodiesRps: listWithBodies.rps,
		floorP99: Math.max(listFloor.p99, verifyFloor.p99),
		authorizeRps: rps(runs.authorize),
		authorizeFloorRps: rps(runs.authorizeFloor),
		gateway,
	};
}
