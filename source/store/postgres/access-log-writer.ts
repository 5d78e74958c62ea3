/**
 * A PostgreSQL store's access-log sink: entries queued off the request path and written in
 * batches (one multi-row INSERT each, into the day's partition, made when missing), and keys' last
 * uses gathered and stored together after a delay, as the SQLite store's writer does
 * (access-log-writer.ts): a crash loses at most the batch window. A batch that fails stays queued
 * and is tried again on a timer; past `maxQueued` entries the oldest are dropped.
 */
import type { Sql } from "postgres";
import type { NewAccessLogEntry } from "../../core/backend.js";
import { batchSize, batchWindowMs } from "../access-log.js";
import { ensureAccessLogPartitions, partitionName } from "./access-log-partitions.js";

const lastUseDelayMs = 5_000;
/** Writes a stop tries before it counts the queued entries as lost, this far apart. */
const closeAttempts = 3;
const closeRetryMs = 1_000;
const maxQueued = 100_000;
const columns = ["at", "key_id", "method", "path", "status", "duration_ms", "client", "user_agent", "request_body", "response_body"] as const;

type Row = Record<(typeof columns)[number], unknown>;

function rowOf(entry: NewAccessLogEntry): Row {
	return {
		at: new Date(entry.at),
		key_id: entry.keyId,
		method: entry.method,
		path: entry.path,
		status: entry.status,
		duration_ms: entry.durationMs,
		client: entry.client,
		user_agent: entry.userAgent,
		request_body: entry.requestBody,
		response_body: entry.responseBody,
	};
}

export class PostgresAccessLogWriter {
	private queue: NewAccessLogEntry[] = [];
	private lastUse = new Map<number, number>();
	/** The partitions known to exist (by name): made at most once per process unless a write fails. */
	private readonly partitions = new Set<string>();
	private batchTimer: NodeJS.Timeout | undefined;
	private lastUseTimer: NodeJS.Timeout | undefined;
	private retrying = false;
	private writing: Promise<void> = Promise.resolve();

	constructor(
		private readonly sql: Sql,
		private readonly onError: (error: unknown) => void,
		private readonly lastUseDelay = lastUseDelayMs,
		/** Hears a batch written (after failures: the log is written again). */
		private readonly onWritten: () => void = () => {},
	) {}

	append(entry: NewAccessLogEntry): void {
		this.queue.push(entry);
		if (this.queue.length > maxQueued) this.queue = this.queue.slice(this.queue.length - maxQueued);
		if (this.retrying) return;
		if (this.queue.length >= batchSize) void this.flush(false);
		else this.batchTimer ??= setTimeout(() => void this.flush(false), batchWindowMs);
	}

	/** Writes everything queued (and, when `withLastUse`, the gathered last uses); resolves when done or failed. */
	flush(withLastUse: boolean): Promise<void> {
		clearTimeout(this.batchTimer);
		this.batchTimer = undefined;
		const next = this.writing.then(() => this.writeQueued(withLastUse));
		this.writing = next.catch(() => {});
		return next;
	}

	/**
	 * Writes what is queued and stops the timers; resolves to the number of entries that could not
	 * be written. A stop soon after the database came back may find the pool still reconnecting,
	 * so a failed write is tried again a few times (the serving node's stop bounds the whole).
	 */
	async close(): Promise<number> {
		clearTimeout(this.lastUseTimer);
		this.lastUseTimer = undefined;
		for (let attempt = 1; attempt <= closeAttempts; attempt++) {
			if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, closeRetryMs));
			clearTimeout(this.batchTimer);
			if (await this.flush(true).then(() => true, () => false)) break;
		}
		clearTimeout(this.batchTimer);
		return this.queue.length;
	}

	private async writeQueued(withLastUse: boolean): Promise<void> {
		this.retrying = false;
		while (this.queue.length > 0) {
			const batch = this.queue.slice(0, batchSize);
			try {
				await this.insert(batch);
			} catch (error) {
				this.partitions.clear();
				this.retrying = true;
				this.batchTimer = setTimeout(() => void this.flush(withLastUse).catch(() => {}), batchWindowMs * 5);
				this.onError(error);
				throw error;
			}
			this.queue = this.queue.slice(batch.length);
			this.noteUses(batch);
			this.onWritten();
		}
		if (withLastUse) await this.storeLastUse();
	}

	private async insert(batch: NewAccessLogEntry[]): Promise<void> {
		for (const entry of batch) {
			const name = partitionName(new Date(entry.at));
			if (this.partitions.has(name)) continue;
			await ensureAccessLogPartitions(this.sql, new Date(entry.at), 1);
			this.partitions.add(name);
		}
		await this.sql`INSERT INTO access_log ${this.sql(batch.map(rowOf) as never, ...columns)}`;
	}

	private noteUses(batch: NewAccessLogEntry[]): void {
		for (const { at, keyId } of batch) {
			if (keyId !== null && at > (this.lastUse.get(keyId) ?? 0)) this.lastUse.set(keyId, at);
		}
		if (this.lastUse.size > 0) this.lastUseTimer ??= setTimeout(() => void this.storeLastUseLater(), this.lastUseDelay);
	}

	private async storeLastUseLater(): Promise<void> {
		this.lastUseTimer = undefined;
		try {
			await this.storeLastUse();
		} catch (error) {
			this.onError(error);
			this.lastUseTimer = setTimeout(() => void this.storeLastUseLater(), this.lastUseDelay);
		}
	}

	/** Stores the gathered last uses in one statement, in id order; last use only moves forward. */
	private async storeLastUse(): Promise<void> {
		if (this.lastUse.size === 0) return;
		const uses = [...this.lastUse].sort((a, b) => a[0] - b[0]);
		this.lastUse = new Map();
		clearTimeout(this.lastUseTimer);
		this.lastUseTimer = undefined;
		try {
			await this.sql`
				UPDATE api_keys SET last_used_at = used.at
				FROM (SELECT unnest(${uses.map(([id]) => id)}::int[]) AS id, unnest(${uses.map(([, at]) => new Date(at))}::timestamptz[]) AS at) used
				WHERE api_keys.id = used.id AND (api_keys.last_used_at IS NULL OR api_keys.last_used_at < used.at)`;
		} catch (error) {
			for (const [id, at] of uses) if (at > (this.lastUse.get(id) ?? 0)) this.lastUse.set(id, at);
			throw error;
		}
	}
}
