/**
 * Access-log entries, queued on the calling thread and written by a worker thread with its own
 * connection to the store (access-log-worker.ts). The caller pays for copying an entry into a
 * batch; the inserts, index updates and commits run beside it.
 *
 * Entries are handed to the worker in small groups as they come; the worker writes a batch once it
 * holds a full one, and everything it holds when the batch window closes (so no entry waits longer
 * than the window, the most a hard crash can lose). What fails stays with the worker for its retry.
 * A shared counter says how many entries have been written, so the entries that never were (a full
 * disk, a store file gone, the worker dead) are known without asking.
 * flush() and close() wait for the worker, blocking, as the in-thread writes they replace did.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from "node:worker_threads";
import type { NewAccessLogEntry } from "../core/backend.js";
import { AppError } from "../core/errors.js";
import { batchWindowMs } from "./access-log.js";
import { type AccessLogRow, rowValues } from "./access-log-writer.js";
import type { FileIdentity } from "./storage-faults.js";
import { errorOf, startWorker, type ThreadReply } from "./worker-threads.js";

export interface ThreadSetup {
	path: string;
	/** The file the store opened: the worker refuses to write to any other. */
	identity: FileIdentity;
	/** BigInt64Array: [entries written, acknowledgements of flush and close]. */
	counters: SharedArrayBuffer;
	replies: MessagePort;
}

/** Entries sent on to the worker, and whether it should write what it holds now (the window closed). */
export type ThreadRequest = { rows: AccessLogRow[]; writeNow: boolean } | { flush: true } | { close: true };

/**
 * Entries are handed to the worker in groups: each message wakes the worker thread, which costs
 * the server more than copying the entries; this size answered the most requests on loopback
 * (docs/PERFORMANCE.md). An entry kept here until a whole batch is full would outlive several
 * young-generation collections and be copied into the old one.
 */
const handOverSize = 512;

/** Longer than SQLite's 10 s busy timeout plus a large batch. */
const defaultWaitLimitMs = 20_000;

export class AccessLogThread {
	private rows: AccessLogRow[] = [];
	private timer: NodeJS.Timeout | undefined;
	private sent = 0;
	private running = true;
	private readonly counters = new BigInt64Array(new SharedArrayBuffer(16));
	private readonly replies: MessagePort;
	private readonly worker: Worker;

	constructor(
		path: string,
		identity: FileIdentity,
		private readonly onError: (error: unknown) => void,
		/** How long flush() and close() wait for a worker that writes nothing. */
		private readonly waitLimitMs = defaultWaitLimitMs,
	) {
		const channel = new MessageChannel();
		this.replies = channel.port1;
		const setup: ThreadSetup = { path, identity, counters: this.counters.buffer as SharedArrayBuffer, replies: channel.port2 };
		this.replies.on("message", (reply: ThreadReply) => onError(errorOf(reply)));
		this.replies.unref();
		this.worker = startWorker("access-log-worker", { workerData: setup, transferList: [channel.port2] });
		// The server keeps the process alive; a command that logs waits for the writes in close().
		this.worker.unref();
		this.worker.on("error", (error) => {
			this.running = false;
			onError(error);
		});
		this.worker.on("exit", () => {
			this.running = false;
		});
	}

	append(entry: NewAccessLogEntry): void {
		this.rows.push(rowValues(entry));
		if (this.rows.length >= handOverSize) this.send(false);
		// The window starts with the first entry after the last one closed: no entry waits longer.
		this.timer ??= setTimeout(() => this.send(true), batchWindowMs);
	}

	/** Has everything queued written (or tried, and kept for the retry) before it returns. */
	flush(): void {
		this.send(true);
		this.wait({ flush: true });
	}

	/** Writes what is queued and stops the worker; returns how many entries were never written. */
	close(): number {
		this.send(true);
		this.wait({ close: true });
		void this.worker.terminate();
		this.replies.close();
		return this.sent - Number(Atomics.load(this.counters, 0));
	}

	/** Hands what is queued to the worker; `windowClosed` has it write everything it holds. */
	private send(windowClosed: boolean): void {
		if (windowClosed && this.timer) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}
		if (this.rows.length === 0 && !windowClosed) return;
		const request: ThreadRequest = { rows: this.rows, writeNow: windowClosed };
		this.sent += this.rows.length;
		this.rows = [];
		if (this.running) this.worker.postMessage(request);
	}

	/**
	 * Waits for the worker to acknowledge `request`. A long backlog (a million entries queued by a
	 * seed or an import) may take longer than the limit to write; the wait gives up only when the
	 * worker has written nothing for that long.
	 */
	private wait(request: ThreadRequest): void {
		if (!this.running) return;
		const acknowledged = Atomics.load(this.counters, 1);
		this.worker.postMessage(request);
		let written = Atomics.load(this.counters, 0);
		while (Atomics.wait(this.counters, 1, acknowledged, this.waitLimitMs) === "timed-out") {
			const now = Atomics.load(this.counters, 0);
			if (now === written) {
				this.onError(new AppError(`the access-log writer wrote nothing for ${this.waitLimitMs / 1000} s`, "store"));
				break;
			}
			written = now;
		}
		// Failures the worker reported meanwhile, so they are known before this returns.
		for (let next = receiveMessageOnPort(this.replies); next; next = receiveMessageOnPort(this.replies)) {
			this.onError(errorOf(next.message as ThreadReply));
		}
	}
}
