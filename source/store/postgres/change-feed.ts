/**
 * Following a PostgreSQL store's changes (key_changes, migrations/002-key-changes.ts) in commit
 * order. A node reads its keys, notes the revision it read them at, then applies the changes after
 * it. LISTEN tells it when to look; it looks again whenever its LISTEN connection is (re)made, and
 * on a timer, since a notification sent while that connection is down is lost for good. After a
 * failover it reads everything again: with asynchronous replication the standby may never have
 * had the last changes the old primary committed, and it numbers its own from where its copy ends.
 * A notification that names a revocation (migrations/004-revocation-notices.ts) is handed over at
 * once, before the look it starts: refusing a key early is safe, granting one early is not. A look
 * that finds the schema moved past what this program can work on fails (IncompatibleSchema).
 */
import { performance } from "node:perf_hooks";
import type { ISql, Sql } from "postgres";
import { changeChannel } from "./coordination.js";
import { IncompatibleSchema, newerSchemaProblem, type SchemaState } from "./schema.js";

export interface KeyChange {
	revision: number;
	/** null: the settings changed. */
	keyId: number | null;
}

/** How a change makes a key refused: gone (deleted, or its old text no longer matches), disabled, or expiring at `at` (epoch ms). */
export type Refusal = { kind: "deleted" | "rolled" | "disabled" } | { kind: "expires"; at: number };

/** A revocation as its notification tells it, before the ordered feed confirms it. */
export interface RevocationNotice {
	revision: number;
	keyId: number;
	refusal: Refusal;
	/** performance.now() when it arrived. */
	receivedAt: number;
}

/** The revocation a notification's payload names; undefined for an empty payload or one not in our form (anyone may NOTIFY). */
export function parseRevocationNotice(payload: string, receivedAt: number): RevocationNotice | undefined {
	const match = /^(\d{1,18}) (\d{1,10}) (deleted|rolled|disabled|expires (-?\d{1,16}))$/.exec(payload);
	if (!match) return undefined;
	const [, revision, keyId, what, at] = match as unknown as [string, string, string, string, string | undefined];
	const refusal: Refusal = at === undefined ? { kind: what as "deleted" | "rolled" | "disabled" } : { kind: "expires", at: Number(at) };
	return { revision: Number(revision), keyId: Number(keyId), refusal, receivedAt };
}

export interface ChangeBatch {
	/** The changes after the revision asked for, oldest first. */
	changes: KeyChange[];
	/**
	 * The reader must read every key and the settings again: changes it has not seen were pruned,
	 * or the database is behind it (restored from a backup, or not the database it read before).
	 */
	reloadNeeded: boolean;
	/** Where the reader is once it has applied this batch (after a reload: the revision to reload at). */
	revision: number;
	/** More changes wait after this batch. */
	more: boolean;
	/** The latest revision as of this read. */
	head: number;
	/** Which database server answered (databaseIdentity). */
	database: string;
	/** The store's schema as of this read: a node that cannot work on it must stop trusting its keys. */
	schema: SchemaState;
}

/** A batch as a follower hands it over. */
export interface FollowedBatch extends ChangeBatch {
	/** performance.now() when its read began: a true notification that arrived before it is at or below `head`. */
	readAt: number;
}

/**
 * The cluster and its timeline (`system identifier/timeline`): a promoted standby starts a new
 * timeline, so a failover changes it. Read on the primary; a standby answers `…/recovery`.
 */
const identitySql = `(SELECT system_identifier::text FROM pg_control_system()) || '/' ||
	CASE WHEN pg_is_in_recovery() THEN 'recovery' ELSE substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) END`;

/** Which database server this is, for telling a failover (see identitySql). */
export async function databaseIdentity(sql: ISql): Promise<string> {
	const [row] = await sql<{ database: string }[]>`SELECT ${sql.unsafe(identitySql)} AS database`;
	return row?.database ?? "";
}

interface ChangeRow {
	database: string;
	schema_version: string;
	compatible_from: string;
	pruned: string;
	head: string | null;
	revision: string | null;
	key_id: number | null;
}

/** The changes after `revision`, at most `limit`; pruned-through, head and changes are read in one snapshot. */
export async function changesAfter(sql: ISql, revision: number, limit = 1000): Promise<ChangeBatch> {
	const rows = await sql<ChangeRow[]>`
		SELECT ${sql.unsafe(identitySql)} AS database, meta.value AS pruned, (SELECT max(revision) FROM key_changes)::text AS head,
			(SELECT value FROM store_meta WHERE name = 'schema_version') AS schema_version,
			(SELECT value FROM store_meta WHERE name = 'schema_compatible_from') AS compatible_from,
			changed.revision::text AS revision, changed.key_id
		FROM store_meta meta
		LEFT JOIN LATERAL (
			SELECT revision, key_id FROM key_changes WHERE revision > ${revision} ORDER BY revision LIMIT ${limit}
		) changed ON true
		WHERE meta.name = 'changes_pruned_through'
		ORDER BY changed.revision`;
	const database = rows[0]?.database ?? "";
	const pruned = Number(rows[0]?.pruned ?? 0);
	const head = rows[0]?.head === null || rows[0]?.head === undefined ? pruned : Number(rows[0].head);
	const schema = { version: Number(rows[0]?.schema_version), compatibleFrom: Number(rows[0]?.compatible_from) };
	if (revision < pruned || revision > head) {
		return { changes: [], reloadNeeded: true, revision: head, more: false, head, database, schema };
	}
	const changes = rows
		.filter((row) => row.revision !== null)
		.map((row) => ({ revision: Number(row.revision), keyId: row.key_id }));
	const more = changes.length === limit;
	return { changes, reloadNeeded: false, revision: changes.at(-1)?.revision ?? revision, more, head, database, schema };
}

/** The latest revision: a node reads its keys and this in one snapshot, then follows the changes after it. */
export async function headRevision(sql: ISql): Promise<number> {
	const [row] = await sql<{ head: string }[]>`
		SELECT coalesce((SELECT max(revision) FROM key_changes), value::bigint)::text AS head
		FROM store_meta WHERE name = 'changes_pruned_through'`;
	return Number(row?.head ?? 0);
}

export interface FollowOptions {
	/** The revision the follower starts after (the one its keys were read at). */
	after: number;
	/** The database its keys were read from (databaseIdentity), in the same snapshot. */
	database: string;
	/** Applies a batch; the follower moves past it once this resolves, and not if it throws. */
	apply: (batch: FollowedBatch) => void | Promise<void>;
	/** Looks for changes this often even without a notification; 0: only when notified or (re)connected. */
	pollMs: number;
	/** Hears a failed look for changes (the next one retries). */
	onError: (error: unknown) => void;
	/** Hears a look that found the follower current. */
	onCurrent?: () => void;
	/** Hears a notified revocation past the revisions read, before the look it starts. */
	onRevocation?: (notice: RevocationNotice) => void;
	/** Changes read per query. */
	batchSize?: number;
}

export interface ChangeFollower {
	/** The last revision applied. */
	revision: () => number;
	/** performance.now() when the latest look that found the follower current began: what it is known current as of. */
	confirmedAt: () => number;
	/** Looks for changes now; resolves once every change committed before the call is applied. */
	catchUp: () => Promise<void>;
	stop: () => Promise<void>;
}

/** Starts following; resolves once it is listening and has caught up. */
export async function followChanges(sql: Sql, options: FollowOptions): Promise<ChangeFollower> {
	let revision = options.after;
	let database = options.database;
	let confirmedAt = Number.NEGATIVE_INFINITY;
	/** The last revision read, applied or being applied: a notice at or below it is in hand already. */
	let readThrough = revision;
	let queued: Promise<void> | undefined;
	let tail: Promise<void> = Promise.resolve();

	const readAll = async () => {
		for (;;) {
			const began = performance.now();
			const read = await changesAfter(sql, revision, options.batchSize);
			// Nothing read is applied from a schema this program cannot work on (a newer node migrated past it).
			const newer = newerSchemaProblem(read.schema);
			if (newer !== undefined) throw new IncompatibleSchema(newer);
			const failedOver = read.database !== database;
			const reload = { changes: [], reloadNeeded: true, revision: read.head, more: false };
			const batch = { ...read, readAt: began, ...(failedOver ? reload : {}) };
			// A reload may move back (a restored or promoted database numbers on from its own end).
			readThrough = batch.reloadNeeded ? batch.revision : Math.max(readThrough, batch.revision);
			await options.apply(batch);
			revision = batch.revision;
			database = batch.database;
			if (!batch.more) {
				confirmedAt = began;
				options.onCurrent?.();
				return;
			}
		}
	};
	// One look at a time; a call while one runs queues one more (it starts after the call, so it
	// sees what the call was about), and calls while that one waits share it.
	const catchUp = (): Promise<void> => {
		if (queued) return queued;
		const next = tail.then(() => {
			queued = undefined;
			return readAll();
		});
		queued = next;
		tail = next.catch(() => {});
		return next;
	};
	const lookInBackground = () => {
		catchUp().catch(options.onError);
	};

	const notified = (payload: string) => {
		const notice = options.onRevocation && parseRevocationNotice(payload, performance.now());
		if (notice && notice.revision > readThrough) options.onRevocation?.(notice);
		lookInBackground();
	};
	const listening = await sql.listen(changeChannel, notified, lookInBackground);
	const timer = options.pollMs > 0 ? setInterval(lookInBackground, options.pollMs) : undefined;
	timer?.unref();
	let stopped = false;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		clearInterval(timer);
		await listening.unlisten();
		await tail;
	};
	try {
		await catchUp();
	} catch (error) {
		await stop();
		throw error;
	}
	return { revision: () => revision, confirmedAt: () => confirmedAt, catchUp, stop };
}
