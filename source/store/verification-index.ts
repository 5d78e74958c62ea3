/**
 * Every key of the store in memory by its digest, for verification: a key or a guess costs a map
 * lookup, never a query. Kept current through `key_changes` (db/003): once the store's revision has
 * moved on, only the keys changed since are read again, in the same read transaction as the new
 * revision, so the index always holds one committed state of the store. It keeps what verification
 * needs of a key (VerifiedKey), about 0.45 KB a key.
 */
import type { Statement } from "better-sqlite3";
import type { KeyType, Logging, VerifiedKey } from "../core/model.js";
import type { Db } from "./database.js";
import { parseList } from "./key-rows.js";

/** The store's revision of keys and settings: the last change's number, 0 before any. */
export const keysRevisionSql = "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'key_changes'), 0)";

const columns =
	"id, type, display_name, system_apis, package_permissions, feed, feed_group, user_name, expiration, logging, enabled, key_digest";

/** A row of `columns`, kept as read (without its digest) until its first lookup makes it a VerifiedKey. */
type Row = [
	id: number,
	type: KeyType,
	displayName: string | null,
	systemApis: string | null,
	packagePermissions: string | null,
	feed: string | null,
	feedGroup: string | null,
	user: string | null,
	expiration: string | null,
	logging: Logging,
	enabled: number,
	digest?: Buffer,
];

function verifiedKey(row: Row): VerifiedKey {
	const [id, type, displayName, systemApis, packagePermissions, feed, feedGroup, user, expiration, logging, enabled] = row;
	return {
		id,
		type,
		displayName,
		systemApis: parseList(systemApis),
		packagePermissions: parseList(packagePermissions),
		feed,
		feedGroup,
		user,
		expiration,
		logging,
		enabled: enabled === 1,
	};
}

export class VerificationIndex {
	/** The revision the index holds; -1 before it is first read. */
	private revision = -1;
	/** By digest (latin1 text). */
	private readonly byDigest = new Map<string, Row | VerifiedKey>();
	private readonly digestOfId = new Map<number, string>();
	private readonly revisionNow: Statement;
	private readonly oldestChange: Statement;
	private readonly changedSince: Statement;
	private readonly rowById: Statement;
	private readonly allRows: Statement;
	private readonly catchUpConsistently: () => void;

	constructor(db: Db) {
		this.revisionNow = db.prepare(`SELECT ${keysRevisionSql}`).pluck();
		this.oldestChange = db.prepare("SELECT min(revision) FROM key_changes").pluck();
		this.changedSince = db.prepare("SELECT DISTINCT key_id FROM key_changes WHERE revision > ? AND key_id IS NOT NULL").pluck();
		this.rowById = db.prepare(`SELECT ${columns} FROM api_keys WHERE id = ?`).raw(true);
		this.allRows = db.prepare(`SELECT ${columns} FROM api_keys`).raw(true);
		// A read transaction: the changes, the rows and the revision all from one snapshot.
		this.catchUpConsistently = db.transaction(() => this.catchUp());
	}

	/** Brings the index up to `revision` (the store's, just read) or later. */
	update(revision: number): void {
		if (revision > this.revision) this.catchUpConsistently();
	}

	/** The key with this digest as of `revision` or later. */
	find(digest: string, revision: number): VerifiedKey | undefined {
		this.update(revision);
		const entry = this.byDigest.get(digest);
		if (entry === undefined || !Array.isArray(entry)) return entry;
		const key = verifiedKey(entry);
		this.byDigest.set(digest, key);
		return key;
	}

	private catchUp(): void {
		const revision = this.revisionNow.get() as number;
		if (revision === this.revision) return;
		const oldest = this.oldestChange.get() as number | null;
		// Changes this index has not seen were pruned (or it has never been read): read every key.
		if (this.revision < 0 || oldest === null || oldest > this.revision + 1) this.readAll();
		else for (const id of this.changedSince.all(this.revision) as number[]) this.readOne(id);
		this.revision = revision;
	}

	private readAll(): void {
		this.byDigest.clear();
		this.digestOfId.clear();
		for (const row of this.allRows.iterate() as IterableIterator<Row>) this.add(row);
	}

	private readOne(id: number): void {
		const digest = this.digestOfId.get(id);
		if (digest !== undefined) {
			this.byDigest.delete(digest);
			this.digestOfId.delete(id);
		}
		const row = this.rowById.get(id) as Row | undefined;
		if (row) this.add(row);
	}

	private add(row: Row): void {
		const digest = (row.pop() as Buffer).toString("latin1");
		this.byDigest.set(digest, row);
		this.digestOfId.set(row[0], digest);
	}
}
