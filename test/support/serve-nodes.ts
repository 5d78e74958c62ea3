/**
 * Several `serve` nodes (the built program) on one PostgreSQL store, for the issue 22 tests: a
 * store made by the CLI with a full-control key, nodes started on it and stopped by the test, and
 * the HTTP calls the tests make; a loopback TCP relay stands between a node and its database when
 * a test must cut one node off.
 */
import { createServer, type Socket, connect as connectTcp } from "node:net";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { runCli } from "./run-cli.js";
import { type RunningServer, startServer } from "./server-process.js";
import { tempDir } from "./temp-store.js";

export interface NodeStore {
	/** --secret-file=… for every node and command. */
	secretArg: string;
	/** A key with full control: every node's caller. */
	admin: string;
}

/** Makes the store in the database at `url` (schema and secret file) with a full-control key. */
export async function makeStore(t: TestContext, url: string): Promise<NodeStore> {
	const secretArg = `--secret-file=${join(tempDir(t), "keys.secret")}`;
	const created = await runCli(["create", "system", "--apis=full-control", "--name=admin", "--json", `--db=${url}`, secretArg]);
	if (created.code !== 0) throw new Error(`create failed: ${created.stderr}`);
	return { secretArg, admin: (JSON.parse(created.stdout) as { key: string }).key };
}

/** A `serve` node on `url`, stopped (SIGTERM) after the test. */
export async function startNode(t: TestContext, url: string, store: NodeStore, extraArgs: string[] = []): Promise<RunningServer> {
	const node = await startServer(url, [store.secretArg, ...extraArgs]);
	t.after(async () => {
		if (node.process.exitCode === null && node.process.signalCode === null) await node.stop();
	});
	return node;
}

export interface Answer {
	status: number;
	text: string;
}

/** A request to a node as `key`'s holder; a JSON body when given. */
export async function call(node: RunningServer, path: string, key: string, body?: unknown): Promise<Answer> {
	const response = await fetch(`${node.url}${path}`, {
		method: body === undefined ? "GET" : "POST",
		headers: { "X-ApiKey": key, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
	return { status: response.status, text: await response.text() };
}

/** What a node says of `key` (POST /verify as the admin): its outcome, or `HTTP <status>: <text>`. */
export async function outcomeOf(node: RunningServer, store: NodeStore, key: string): Promise<string> {
	const answer = await call(node, "/api/api-keys/verify", store.admin, { key, systemApi: "full-control" });
	return answer.status === 200 ? (JSON.parse(answer.text) as { outcome: string }).outcome : `HTTP ${answer.status}: ${answer.text}`;
}

/** Creates a full-control key through a node; its id and text. */
export async function createKey(node: RunningServer, store: NodeStore, name: string): Promise<{ id: number; key: string }> {
	const answer = await call(node, "/api/api-keys/create", store.admin, { type: "system", systemApis: ["full-control"], displayName: name });
	if (answer.status !== 200) throw new Error(`create answered ${answer.status}: ${answer.text}`);
	return JSON.parse(answer.text) as { id: number; key: string };
}

export interface TcpRelay {
	port: number;
	/** Cuts every connection through the relay and refuses new ones (each closed at once). */
	block: () => void;
	unblock: () => void;
}

/** Relays loopback connections on a free port to `targetPort`; closed after the test. */
export async function startRelay(t: TestContext, targetPort: number): Promise<TcpRelay> {
	const open = new Set<Socket>();
	let blocked = false;
	const server = createServer((client) => {
		if (blocked) {
			client.destroy();
			return;
		}
		const upstream = connectTcp(targetPort, "127.0.0.1");
		for (const socket of [client, upstream]) {
			open.add(socket);
			socket.on("close", () => open.delete(socket));
			socket.on("error", () => {
				client.destroy();
				upstream.destroy();
			});
		}
		client.pipe(upstream).pipe(client);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const address = server.address();
	t.after(async () => {
		for (const socket of open) socket.destroy();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});
	return {
		port: typeof address === "object" && address ? address.port : 0,
		block: () => {
			blocked = true;
			for (const socket of open) socket.destroy();
		},
		unblock: () => {
			blocked = false;
		},
	};
}
