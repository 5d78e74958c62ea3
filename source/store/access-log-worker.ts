/**
 * The access-log writer's own thread, started by AccessLogThread (see there for the protocol). It
 * opens its own connection to the store, so inserting the batches — the larger part of what
 * logging a request costs — runs beside the server's request handling instead of inside it.
 */
import { parentPort, workerData } from "node:worker_threads";
import { AccessLogWriter } from "./access-log-writer.js";
import type { ThreadRequest, ThreadSetup } from "./access-log-thread.js";
import { openConnection } from "./database.js";
import { StoreFileWatch } from "./storage-faults.js";
import { replyOf } from "./worker-threads.js";

const setup = workerData as ThreadSetup;
const counters = new BigInt64Array(setup.counters);

function reply(error: unknown): void {
	setup.replies.postMessage(replyOf(error));
}

/** Lets the thread waiting in AccessLogThread go on. */
function acknowledge(): void {
	Atomics.add(counters, 1, 1n);
	Atomics.notify(counters, 1);
}

let writer: AccessLogWriter | undefined;
let close = () => {};
try {
	const file = new StoreFileWatch(setup.path, setup.identity);
	// Opened by path: first make sure the path still leads to the store's file, or say why not.
	file.check(true);
	const db = openConnection(setup.path);
	writer = new AccessLogWriter(
		db,
		reply,
		(count) => Atomics.add(counters, 0, BigInt(count)),
		() => file.check(true),
	);
	close = () => db.close();
} catch (error) {
	// Nothing can be written: every entry sent counts as unwritten, which the store reports at close.
	reply(error);
}

parentPort?.on("message", (request: ThreadRequest) => {
	if ("rows" in request) writer?.add(request.rows, request.writeNow);
	else if ("flush" in request) {
		writer?.flush(true);
		acknowledge();
	} else {
		writer?.close();
		close();
		acknowledge();
		parentPort?.close();
	}
});
