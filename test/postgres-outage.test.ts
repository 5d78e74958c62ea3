/**
 * A serving node cut off from its database by refused connections (as while the database is down
 * or restarting), through a loopback forwarder that stops listening: once connections pass again,
 * the node is current again within about a second, not after postgres.js's own reconnect wait,
 * which grows to 10-20 s after seven failures in a row. Compared with the outage's own length.
 */
import assert from "node:assert/strict";
import { createServer, connect as connectTcp, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { PostgresStore } from "../source/store/postgres/postgres-store.js";
import { freePort } from "./support/nginx.js";
import { postgresSkipReason, startCluster, waitFor } from "./support/postgres.js";
import { tempDir } from "./support/temp-store.js";

const actor = "tester (test)";

/** Forwards a loopback port to the database's; `down()` drops every connection and stops listening (new ones are refused), `up()` listens again. */
async function forwarder(port: number, target: number): Promise<{ down: () => Promise<void>; up: () => Promise<void> }> {
	const sockets = new Set<Socket>();
	let server: Server | undefined;
	const up = () =>
		new Promise<void>((resolve) => {
			server = createServer((client) => {
				const upstream = connectTcp(target, "127.0.0.1");
				for (const socket of [client, upstream]) {
					sockets.add(socket);
					socket.on("error", () => {});
					socket.on("close", () => {
						sockets.delete(socket);
						client.destroy();
						upstream.destroy();
					});
				}
				client.pipe(upstream).pipe(client);
			});
			server.listen(port, "127.0.0.1", resolve);
		});
	const down = async () => {
		const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
		for (const socket of sockets) socket.destroy();
		await closing;
	};
	await up();
	return { up, down };
}

test("a node whose database refused connections for a while is current again within about a second of their passing again", { skip: postgresSkipReason() }, async (t) => {
	const databasePort = await freePort();
	const cluster = await startCluster(t, { port: databasePort });
	const direct = await cluster.createDatabase("outage");
	const secretFile = `${tempDir(t)}/keys.secret`;
	const writer = await PostgresStore.open(direct, { secretFile });
	t.after(() => writer.close());
	const revoked = await writer.createKey({ type: "system", systemApis: ["full-control"] }, { actor });

	const port = await freePort();
	const link = await forwarder(port, databasePort);
	t.after(() => link.down());
	const node = await PostgresStore.open(Object.assign(new URL(direct), { port: String(port) }).href, { secretFile });
	t.after(() => node.close());
	node.onFeedReport = () => {};
	// Far above the test's length: the node verifies from memory throughout.
	await node.startServing({ maxStalenessMs: 600_000 });

	await link.down();
	const outageMs = 12_000;
	await sleep(outageMs);
	await writer.setEnabled(revoked.record.id, false, actor);
	await link.up();
	const back = performance.now();
	await waitFor(() => node.verifyNow(revoked.key, { kind: "any" }).outcome === "disabled", "the node to see the key disabled while it was cut off");
	const recoveredMs = performance.now() - back;
	assert.ok(recoveredMs < outageMs / 4, `current again ${Math.round(recoveredMs)} ms after the connections passed, after ${outageMs} ms refused`);
});
