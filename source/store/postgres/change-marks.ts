/**
 * The change mark of a store that is not serving (the console, a command): the console polls it
 * to follow changes made through other nodes, so it follows the change feed from the first ask.
 */
import type { Sql } from "postgres";
import { type ChangeFollower, databaseIdentity, followChanges, headRevision } from "./change-feed.js";

export interface ChangeMarkOptions {
	pollMs: number;
	/** Reads the head and the database's identity in one snapshot (the store's read guard around it). */
	start: (read: (sql: Sql) => Promise<{ after: number; database: string }>) => Promise<{ after: number; database: string }>;
	onError: (error: unknown) => void;
	onCurrent: () => void;
}

export class ChangeMarks {
	private follower: ChangeFollower | undefined;
	private started = false;
	private stopped = false;

	constructor(
		private readonly sql: Sql,
		private readonly options: ChangeMarkOptions,
	) {}

	/** The revision followed so far ("" until the follower has started); starts it on the first call, again after it failed to start. */
	mark(): string {
		if (!this.started) {
			this.started = true;
			this.follow().catch((error: unknown) => {
				this.started = false;
				this.options.onError(error);
			});
		}
		return String(this.follower?.revision() ?? "");
	}

	async stop(): Promise<void> {
		this.stopped = true;
		await this.follower?.stop();
	}

	private async follow(): Promise<void> {
		const { after, database } = await this.options.start((sql) =>
			sql.begin("isolation level repeatable read read only", async (tx) => ({ after: await headRevision(tx), database: await databaseIdentity(tx) })),
		);
		this.follower = await followChanges(this.sql, {
			after,
			database,
			pollMs: this.options.pollMs,
			onError: this.options.onError,
			onCurrent: this.options.onCurrent,
			apply: () => {},
		});
		if (this.stopped) await this.follower.stop();
	}
}
