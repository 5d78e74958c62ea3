/**
 * The access log's writer: entries queued and inserted in batches, one transaction each, off the
 * request path (it runs in the access-log thread, access-log-worker.ts), and the keys' last uses
 * gathered and stored with a delay. Reading and pruning are in access-log.ts.
 */
import type { NewAccessLogEntry } from "../core/backend.js";
import { batchSize, batchWindowMs } from "./access-log.js";
import type { Db } from "./database.js";

/** Rows per INSERT statement: one call into SQLite for many rows. */
const rowsPerInsert = 50;
const insertColumns =
	"INSERT INTO access_log (at, key_id, method, path, status, duration_ms, client, user_agent, request_body, response_body) VALUES ";
const columnCount = 10;
const rowPlaceholders = `(${Array<string>(columnCount).fill("?").join(", ")})`;
/**
 * Keys' last-used times are gathered and stored this long after the first use not yet stored
 * (and at every explicit flush), all in one transaction in id order: a busy gateway with many keys
 * would otherwise rewrite a key's page with nearly every batch. A hard crash can lose at most this
 * much of it; the access log keeps every use.
 */
const lastUseDelayMs = 5_000;
/** Entries kept while writes fail (a full disk, a missing store file); beyond it the oldest are dropped. */
const maxQueued = 100_000;

/** An entry's values in the INSERT's column order: what is queued and passed between threads. */
export type AccessLogRow = [
	at: number,
	keyId: number | null,
	method: string,
	path: string,
	status: number,
	durationMs: number,
	client: string,
	userAgent: string | null,
	requestBody: string | null,
	responseBody: string | null,
];

export function rowValues(entry: NewAccessLogEntry): AccessLogRow {
	return [
		entry.at,
		entry.keyId,
		entry.method,
		entry.path,
		entry.status,
		entry.durationMs,
		entry.client,
		entry.userAgent,
		entry.requestBody,
		entry.responseBody,
	];
}

/**
 * Writes batches of entries, one transaction each. A batch that cannot be written (a full disk, a
 * store file gone) stays queued and is tried again on a timer, not with every new batch; past
 * `maxQueued` entries the oldest are dropped, so a long outage cannot exhaust memory.
 */
export class AccessLogWriter {
	private queue: AccessLogRow[] = [];
	/** The latest use of each key written to the log but not yet to the key. */
	private lastUse = new Map<number, number>();
	private lastUseTimer: NodeJS.Timeout | undefined;
	private retryTimer: NodeJS.Timeout | undefined;
	private readonly insertOne;
	private readonly insertMany;
	private readonly writeLastUse;
	private readonly writeBatch;

	constructor(
		db: Db,
		private readonly onError: (error: unknown) => void,
		/** Told how many entries each written batch held. */
		private readonly onWritten: (count: number) => void,
		/** Called before each batch; throws to keep the batch queued (the store file is gone). */
		private readonly beforeWrite: () => void,
		private readonly lastUseDelay = lastUseDelayMs,
	) {
		this.insertOne = db.prepare(insertColumns + rowPlaceholders);
		this.insertMany = db.prepare(insertColumns + Array<string>(rowsPerInsert).fill(rowPlaceholders).join(", "));
		// Last-used only moves forward.
		const touch = db.prepare(
			"UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
		);
		this.writeLastUse = db.transaction((uses: [keyId: number, at: number][]) => {
			for (const [keyId, at] of uses) {
				const iso = new Date(at).toISOString();
				touch.run(iso, keyId, iso);
			}
		});
		// One array of values for a many-row INSERT, filled in place for each group of rows.
		const values = new Array<unknown>(rowsPerInsert * columnCount);
		this.writeBatch = db.transaction((rows: AccessLogRow[]) => {
			const whole = rows.length - (rows.length % rowsPerInsert);
			for (let start = 0; start < whole; start += rowsPerInsert) {
				let at = 0;
				for (let index = start; index < start + rowsPerInsert; index++) {
					const row = rows[index] as AccessLogRow;
					for (let column = 0; column < columnCount; column++) values[at++] = row[column];
				}
				this.insertMany.run(values);
			}
			for (let index = whole; index < rows.length; index++) this.insertOne.run(rows[index]);
		});
	}

	/**
	 * Queues entries; writes once a batch is full or when told to (`now`), unless writes are
	 * failing: then everything waits for the retry.
	 */
	add(rows: AccessLogRow[], now: boolean): void {
		for (const row of rows) this.queue.push(row);
		if (this.queue.length > maxQueued) this.queue = this.queue.slice(this.queue.length - maxQueued);
		if (this.retryTimer === undefined && (now || this.queue.length >= batchSize)) this.flush();
	}

	/** Tries everything queued now, last uses included, and stops retrying. */
	close(): void {
		this.flush(true);
		if (this.retryTimer) clearTimeout(this.retryTimer);
		this.retryTimer = undefined;
		if (this.lastUseTimer) clearTimeout(this.lastUseTimer);
		this.lastUseTimer = undefined;
	}

	/**
	 * Writes everything queued, and the keys' last uses with it when `withLastUse` (an explicit
	 * flush). Entries stay queued if the write fails, to be tried again.
	 */
	flush(withLastUse = false): void {
		if (this.retryTimer) {
			clearTimeout(this.retryTimer);
			this.retryTimer = undefined;
		}
		const rows = this.queue;
		this.queue = [];
		let written = 0;
		try {
			while (written < rows.length) {
				this.beforeWrite();
				const batch = rows.slice(written, written + batchSize);
				this.writeBatch.immediate(batch);
				this.noteUses(batch);
				written += batch.length;
				this.onWritten(batch.length);
			}
			if (withLastUse) this.storeLastUse();
		} catch (error) {
			this.queue = rows.slice(written);
			this.retryTimer = setTimeout(() => this.flush(withLastUse), batchWindowMs * 5);
			this.onError(error);
		}
	}

	/** Remembers the latest use of each key in a written batch, to be stored within the delay. */
	private noteUses(rows: AccessLogRow[]): void {
		for (const [at, keyId] of rows) {
			if (keyId !== null && at > (this.lastUse.get(keyId) ?? 0)) this.lastUse.set(keyId, at);
		}
		if (this.lastUse.size > 0) this.lastUseTimer ??= setTimeout(() => this.storeLastUseLater(), this.lastUseDelay);
	}

	private storeLastUseLater(): void {
		this.lastUseTimer = undefined;
		try {
			this.storeLastUse();
		} catch (error) {
			this.onError(error);
			this.lastUseTimer = setTimeout(() => this.storeLastUseLater(), this.lastUseDelay);
		}
	}

	/** Stores the gathered last uses, in id order so each page of keys is written once. */
	private storeLastUse(): void {
		if (this.lastUse.size === 0) return;
		this.beforeWrite();
		this.writeLastUse.immediate([...this.lastUse].sort((a, b) => a[0] - b[0]));
		this.lastUse = new Map();
		if (this.lastUseTimer) clearTimeout(this.lastUseTimer);
		this.lastUseTimer = undefined;
	}
}
