/**
 * A node's access log on PostgreSQL as the store holds it: the batched writer made on the first
 * entry, what its failures are told to, and the stop's count of entries that could not be written.
 */
import type { Sql } from "postgres";
import type { NewAccessLogEntry } from "../../core/backend.js";
import { AppError } from "../../core/errors.js";
import { PostgresAccessLogWriter } from "./access-log-writer.js";

export interface AccessLogHooks {
	/** A batch could not be written (described for people; it is kept and tried again). */
	failed: (described: unknown) => void;
	/** A batch was written. */
	written: () => void;
}

export class PostgresAccessLog {
	private writer: PostgresAccessLogWriter | undefined;
	private lastError: unknown;

	constructor(
		private readonly sql: Sql,
		/** The driver's error in one line for people (postgres-errors.ts). */
		private readonly describe: (error: unknown) => unknown,
		private readonly hooks: AccessLogHooks,
	) {}

	/** Queues an entry; it is written within the batch window, with others in one INSERT. */
	append(entry: NewAccessLogEntry): void {
		this.writer ??= new PostgresAccessLogWriter(
			this.sql,
			(error) => {
				this.lastError = this.describe(error);
				this.hooks.failed(this.lastError);
			},
			undefined,
			() => this.hooks.written(),
		);
		this.writer.append(entry);
	}

	/** Has every queued entry and the keys' last uses written before it resolves. */
	async flush(): Promise<void> {
		await this.writer?.flush(true);
	}

	/** Writes what is queued and stops; throws one line saying how many entries could not be written. */
	async close(): Promise<void> {
		const unwritten = (await this.writer?.close()) ?? 0;
		if (unwritten === 0) return;
		const entries = unwritten === 1 ? "entry" : "entries";
		throw new AppError(`${unwritten} access-log ${entries} could not be written: ${(this.lastError as Error | undefined)?.message ?? "unknown error"}`, "store");
	}
}
