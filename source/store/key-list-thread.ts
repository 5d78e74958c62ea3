/**
 * The key list as the server sends it, read and turned into JSON by a worker thread with its own
 * connection to the store (key-list-worker.ts): at 100,000 keys the whole list takes over a second
 * and a filtered page a quarter of one, which on the server's thread every request would wait for.
 * SQLite's WAL lets that connection read while the store writes; each read sees every change
 * committed before it began.
 */
import type { Worker } from "node:worker_threads";
import type { KeyQuery } from "../core/backend.js";
import { AppError } from "../core/errors.js";
import { describeSqliteError } from "./sqlite-errors.js";
import type { FileIdentity, StoreFileWatch } from "./storage-faults.js";
import { errorOf, startWorker, type ThreadReply } from "./worker-threads.js";

export interface KeyListSetup {
	path: string;
	/** The file the store opened: the worker refuses to read any other. */
	identity: FileIdentity;
}

export type KeyListRequest =
	| { kind: "list"; details: boolean }
	| { kind: "page"; query: KeyQuery }
	| { kind: "ids"; query: Omit<KeyQuery, "offset" | "limit"> }
	| { kind: "by-ids"; ids: readonly number[] };

export interface KeyListAsk {
	id: number;
	request: KeyListRequest;
}

export type KeyListAnswer = { id: number; bytes: Uint8Array } | { id: number; error: ThreadReply };

interface Waiting {
	resolve: (bytes: Uint8Array) => void;
	reject: (error: Error) => void;
}

export class KeyListThread {
	private readonly worker: Worker;
	private readonly waiting = new Map<number, Waiting>();
	private nextId = 1;
	private failure: Error | undefined;

	constructor(setup: KeyListSetup) {
		this.worker = startWorker("key-list-worker", { workerData: setup });
		// Idle, it keeps nothing alive: the server does, and a command never starts it.
		this.worker.unref();
		this.worker.on("message", (answer: KeyListAnswer) => {
			const waiting = this.waiting.get(answer.id);
			this.waiting.delete(answer.id);
			if ("bytes" in answer) waiting?.resolve(answer.bytes);
			else waiting?.reject(errorOf(answer.error));
		});
		const fail = (error: Error) => {
			this.failure = new AppError(`the key-list reader stopped: ${error.message}`, "store");
			for (const waiting of this.waiting.values()) waiting.reject(this.failure);
			this.waiting.clear();
		};
		this.worker.on("error", fail);
		this.worker.on("exit", () => fail(new Error("its thread exited")));
	}

	/** The JSON answer to `request`, as UTF-8 bytes. */
	read(request: KeyListRequest): Promise<Uint8Array> {
		if (this.failure) return Promise.reject(this.failure);
		const id = this.nextId++;
		const ask: KeyListAsk = { id, request };
		return new Promise((resolve, reject) => {
			this.waiting.set(id, { resolve, reject });
			// A request waiting keeps the process alive until it is answered.
			this.worker.ref();
			this.worker.postMessage(ask);
		}).finally(() => {
			if (this.waiting.size === 0) this.worker.unref();
		}) as Promise<Uint8Array>;
	}

	/** Stops the thread; its connection only reads, so nothing is left half-done. */
	async close(): Promise<void> {
		this.worker.removeAllListeners("exit");
		await this.worker.terminate();
	}
}

/**
 * A store's served key lists: the thread starts when serving starts (so the first remote console
 * does not wait for it) or at the first list asked for, and each read first checks the store's file.
 */
export class ServedKeyLists {
	private thread: KeyListThread | undefined;

	constructor(
		private readonly path: string,
		private readonly file: StoreFileWatch,
	) {}

	start(): KeyListThread {
		this.thread ??= new KeyListThread({ path: this.path, identity: this.file.identity });
		return this.thread;
	}

	async read(request: KeyListRequest): Promise<Uint8Array> {
		try {
			this.file.check();
			return await this.start().read(request);
		} catch (error) {
			throw describeSqliteError(error, this.path);
		}
	}

	async close(): Promise<void> {
		await this.thread?.close();
	}
}
