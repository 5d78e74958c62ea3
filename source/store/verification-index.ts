/**
 * Every key of the store in memory by its digest, for verification: a key or a guess costs a map
 * lookup, never a query. Kept current through `key_changes` (db/003): once the store's revision has
 * moved on, only the keys changed since are read again, in the same read transaction as the new
 * revision, so the index always holds one committed state of the store. About 0.4 KB a key.
 */
import type { Statement } from "better-sqlite3";
import type { KeyRecord } from "../core/model.js";
import type { Db } from "./database.js";
import { keyColumns, type KeyRow, recordFromRow } from "./key-rows.js";

/** The store's revision of keys and settings: the last change's number, 0 before any. */
export const keysRevisionSql = "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'key_changes'), 0)";

/** A key's row with its digest after the columns (recordFromRow reads only the columns). */
type IndexedRow = [...KeyRow, digest: Buffer];

export class VerificationIndex {
	/** The revision the index holds; -1 before it is first read. */
	private revision = -1;
	/** By digest (latin1 text): the row as read, made a record at its first lookup. */
	private readonly byDigest = new Map<string, IndexedRow | KeyRecord>();
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
		this.rowById = db.prepare(`SELECT ${keyColumns}, key_digest FROM api_keys WHERE id = ?`).raw(true);
		this.allRows = db.prepare(`SELECT ${keyColumns}, key_digest FROM api_keys`).raw(true);
		// A read transaction: the changes, the rows and the revision all from one snapshot.
		this.catchUpConsistently = db.transaction(() => this.catchUp());
	}

	/** The key with this digest as of `revision` (the store's, just read) or later. */
	find(digest: string, revision: number): KeyRecord | undefined {
		if (revision > this.revision) this.catchUpConsistently();
		const entry = this.byDigest.get(digest);
		if (entry === undefined || !Array.isArray(entry)) return entry;
		const record = recordFromRow(entry as unknown as KeyRow);
		this.byDigest.set(digest, record);
		return record;
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
		for (const row of this.allRows.iterate() as IterableIterator<IndexedRow>) this.add(row);
	}

	private readOne(id: number): void {
		const digest = this.digestOfId.get(id);
		if (digest !== undefined) {
			this.byDigest.delete(digest);
			this.digestOfId.delete(id);
		}
		const row = this.rowById.get(id) as IndexedRow | undefined;
		if (row) this.add(row);
	}

	private add(row: IndexedRow): void {
		const digest = row[17].toString("latin1");
		this.byDigest.set(digest, row);
		this.digestOfId.set(row[0], digest);
	}
}
