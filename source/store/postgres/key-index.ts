/**
 * Every key of a PostgreSQL store in this node's memory by its digest, for verification: a lookup
 * is a map read, never a query, so verification stays synchronous whatever the database does.
 * Read whole with the head revision in one snapshot, then kept current in the background from the
 * change feed: the keys a batch of changes names are read again (a key's latest state, so reading
 * it late is harmless), and everything is read again when the feed says changes were lost.
 * A notified revocation is applied at once and kept until the ordered feed reaches its revision: a
 * batch read before the revocation committed must not bring the key back, and a notice the feed
 * never confirms (anyone who may connect may NOTIFY) is dropped and its key read again.
 */
import type { Sql } from "postgres";
import { formatIso } from "../../core/expiration.js";
import type { KeyType, Logging, VerifiedKey } from "../../core/model.js";
import { defaultSettings, type StoreSettings } from "../../core/settings.js";
import { parseList } from "../key-rows.js";
import { readSettings } from "./settings-audit.js";
import { type ChangeFollower, type FollowedBatch, databaseIdentity, followChanges, headRevision, type RevocationNotice } from "./change-feed.js";

interface KeyRow {
	id: number;
	type: KeyType;
	display_name: string | null;
	system_apis: string | null;
	package_permissions: string | null;
	feed: string | null;
	feed_group: string | null;
	user_name: string | null;
	expiration: Date | null;
	logging: Logging;
	enabled: boolean;
	key_digest: Buffer;
}

function verifiedKey(row: KeyRow): VerifiedKey {
	return {
		id: row.id,
		type: row.type,
		displayName: row.display_name,
		systemApis: parseList(row.system_apis),
		packagePermissions: parseList(row.package_permissions),
		feed: row.feed,
		feedGroup: row.feed_group,
		user: row.user_name,
		// The SQLite store's text form, to the second.
		expiration: row.expiration === null ? null : formatIso(row.expiration),
		logging: row.logging,
		enabled: row.enabled,
	};
}

const columns = "id, type, display_name, system_apis, package_permissions, feed, feed_group, user_name, expiration, logging, enabled, key_digest";

/** Keys read per query when reading every key: each query stays short, so one look's time bound fits a reload at any size. */
const reloadPageSize = 5_000;

export interface KeyIndexOptions {
	/** Looks for changes this often even without a notification. */
	pollMs: number;
	/** Hears a failed look for changes (the next one retries). */
	onError: (error: unknown) => void;
	/** Hears a look that found the index current. */
	onCurrent?: () => void;
}

export class PostgresKeyIndex {
	/** By digest (latin1 text, as the SQLite store's index). */
	private readonly byDigest = new Map<string, VerifiedKey>();
	private readonly digestOfId = new Map<number, string>();
	private follower: ChangeFollower | undefined;
	private currentSettings: StoreSettings = { ...defaultSettings };
	/** Revocations applied from their notification that the ordered feed has not reached yet. */
	private unconfirmed: RevocationNotice[] = [];
	private database = "";

	private constructor(private readonly sql: Sql) {}

	/** Reads every key, then follows the changes; resolves once the index is current. */
	static async open(sql: Sql, options: KeyIndexOptions): Promise<PostgresKeyIndex> {
		const index = new PostgresKeyIndex(sql);
		const { revision, database } = await index.readAll();
		index.follower = await followChanges(sql, {
			after: revision,
			database,
			pollMs: options.pollMs,
			onError: options.onError,
			...(options.onCurrent ? { onCurrent: options.onCurrent } : {}),
			onRevocation: (notice) => index.refuseEarly(notice),
			apply: (batch) => index.apply(batch),
		});
		return index;
	}

	/** The key with this digest, as of the last change applied. */
	find(digest: Buffer): VerifiedKey | undefined {
		return this.byDigest.get(digest.toString("latin1"));
	}

	/** find() for a digest as latin1 text (keyDigestText): a map read, no allocation. */
	findText(digest: string): VerifiedKey | undefined {
		return this.byDigest.get(digest);
	}

	/** The settings, read with the keys and again with every change to them. */
	settings(): StoreSettings {
		return this.currentSettings;
	}

	/** The revision the index holds. */
	revision(): number {
		return this.follower?.revision() ?? 0;
	}

	/** performance.now() when the latest look that found the index current began. */
	confirmedAt(): number {
		return this.follower?.confirmedAt() ?? Number.NEGATIVE_INFINITY;
	}

	/** Resolves once every change committed before the call is in the index. */
	catchUp(): Promise<void> {
		return this.follower?.catchUp() ?? Promise.resolve();
	}

	async close(): Promise<void> {
		await this.follower?.stop();
	}

	/** Reads every key, and the revision and database they are at, in one snapshot. */
	private async readAll(): Promise<{ revision: number; database: string }> {
		const { revision, database, rows, settings } = await this.sql.begin("isolation level repeatable read read only", async (tx) => {
			const rows: KeyRow[] = [];
			for (;;) {
				const after = rows.at(-1)?.id ?? 0;
				const page = await tx<KeyRow[]>`SELECT ${tx.unsafe(columns)} FROM api_keys WHERE id > ${after} ORDER BY id LIMIT ${reloadPageSize}`;
				rows.push(...page);
				if (page.length < reloadPageSize) break;
			}
			return { revision: await headRevision(tx), database: await databaseIdentity(tx), rows, settings: await readSettings(tx) };
		});
		// Replaced at once (no await below): a lookup sees the old index or the new one.
		this.byDigest.clear();
		this.digestOfId.clear();
		for (const row of rows) this.add(row);
		this.currentSettings = settings;
		this.database = database;
		return { revision, database };
	}

	/** A notified revocation, applied now; kept to be applied again over anything read before it committed. */
	private refuseEarly(notice: RevocationNotice): void {
		this.unconfirmed.push(notice);
		this.applyRefusal(notice);
	}

	private applyRefusal({ keyId, refusal }: RevocationNotice): void {
		const digest = this.digestOfId.get(keyId);
		const key = digest === undefined ? undefined : this.byDigest.get(digest);
		if (digest === undefined || key === undefined) return;
		if (refusal.kind === "deleted" || refusal.kind === "rolled") {
			this.byDigest.delete(digest);
			this.digestOfId.delete(keyId);
		} else if (refusal.kind === "disabled") {
			this.byDigest.set(digest, { ...key, enabled: false });
		} else if (refusal.kind === "expires" && (key.expiration === null || Date.parse(key.expiration) > refusal.at)) {
			// An expiration that does not parse already counts as past: it is left as it is.
			this.byDigest.set(digest, { ...key, expiration: formatIso(new Date(refusal.at)) });
		}
	}

	/**
	 * Which notices the batch settles: those at or below its revision (the batch read the key's
	 * state after them), and, once the feed is caught up, those above the head it read although they
	 * arrived before the read (no transaction committed them: not ours).
	 */
	private settledBy(batch: FollowedBatch): RevocationNotice[] {
		const caughtUp = !batch.more;
		return this.unconfirmed.filter(
			(notice) => notice.revision <= batch.revision || (caughtUp && notice.revision > batch.head && notice.receivedAt < batch.readAt),
		);
	}

	private async apply(batch: FollowedBatch): Promise<void> {
		if (batch.database !== this.database) this.unconfirmed = [];
		if (batch.reloadNeeded) {
			await this.readAll();
			this.confirm(batch, []);
			return;
		}
		if (batch.changes.some((change) => change.keyId === null)) this.currentSettings = await readSettings(this.sql);
		const settled = this.settledBy(batch);
		const changed = batch.changes.flatMap((change) => (change.keyId === null ? [] : [change.keyId]));
		const ids = [...new Set([...changed, ...settled.map((notice) => notice.keyId)])];
		if (ids.length === 0) return;
		const rows = await this.sql<KeyRow[]>`SELECT ${this.sql.unsafe(columns)} FROM api_keys WHERE id = ANY(${ids}::int[])`;
		// Applied at once (no await below): a lookup sees the index before the batch or after it.
		for (const id of ids) {
			const digest = this.digestOfId.get(id);
			if (digest === undefined) continue;
			this.byDigest.delete(digest);
			this.digestOfId.delete(id);
		}
		for (const row of rows) this.add(row);
		this.confirm(batch, settled);
	}

	/** Forgets the settled notices and applies the others again over what the batch read. */
	private confirm(batch: FollowedBatch, settled: RevocationNotice[]): void {
		this.unconfirmed = this.unconfirmed.filter((notice) => !settled.includes(notice) && notice.revision > batch.revision);
		for (const notice of this.unconfirmed) this.applyRefusal(notice);
	}

	private add(row: KeyRow): void {
		const digest = row.key_digest.toString("latin1");
		this.byDigest.set(digest, verifiedKey(row));
		this.digestOfId.set(row.id, digest);
	}
}
