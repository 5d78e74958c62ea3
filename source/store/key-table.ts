/**
 * The SQL over `api_keys` that the store's operations share: reading records (through key-rows.ts's
 * mapping and list clauses) and writing the columns a change sets. Rules and the audit trail are
 * the caller's; these only read and write rows, inside the caller's transaction.
 */
import type { KeyPage, KeyQuery } from "../core/backend.js";
import { notFound } from "../core/errors.js";
import type { KeyDraft, KeyRecord } from "../core/model.js";
import { keyDigest, keyHint } from "../core/secret.js";
import { filterClause, type KeyRow, keyColumns, listJson, orderClause, recordFromRow } from "./key-rows.js";
import type { Statements } from "./statements.js";

function now(): string {
	return new Date().toISOString();
}

/** The reads, which need no secret: the key-list thread runs them on a connection of its own. */
export class KeyReads {
	constructor(protected readonly statements: Statements) {}

	row(id: number): KeyRecord | undefined {
		const row = this.statements.keyRows(`SELECT ${keyColumns} FROM api_keys WHERE id = ?`).get(id) as KeyRow | undefined;
		return row && recordFromRow(row);
	}

	mustGet(id: number): KeyRecord {
		const record = this.row(id);
		if (!record) throw notFound(id);
		return record;
	}

	/** Every key in id order, last uses included. */
	all(): KeyRecord[] {
		return (this.statements.keyRows(`SELECT ${keyColumns} FROM api_keys ORDER BY id`).all() as KeyRow[]).map(recordFromRow);
	}

	page(query: KeyQuery): KeyPage {
		const where = filterClause(query.filter);
		const total = this.statements.sql(`SELECT count(*) FROM api_keys ${where.sql}`).pluck().get(...where.params) as number;
		const rows = this.statements
			.keyRows(`SELECT ${keyColumns} FROM api_keys ${where.sql} ${orderClause(query.sort)} LIMIT ? OFFSET ?`)
			.all(...where.params, Math.max(0, query.limit), Math.max(0, query.offset)) as KeyRow[];
		return { rows: rows.map(recordFromRow), total };
	}

	ids(query: Omit<KeyQuery, "offset" | "limit">): number[] {
		const where = filterClause(query.filter);
		return this.statements.sql(`SELECT id FROM api_keys ${where.sql} ${orderClause(query.sort)}`).pluck().all(...where.params) as number[];
	}

	/** These keys in the order asked, those that no longer exist left out. */
	byIds(ids: readonly number[]): KeyRecord[] {
		const rows = this.statements
			.keyRows(`SELECT ${keyColumns} FROM api_keys WHERE id IN (SELECT value FROM json_each(?))`)
			.all(JSON.stringify(ids)) as KeyRow[];
		const byId = new Map(rows.map((row) => [row[0], recordFromRow(row)]));
		return ids.flatMap((id) => byId.get(id) ?? []);
	}
}

export class KeyTable extends KeyReads {
	constructor(
		statements: Statements,
		private readonly secret: Buffer,
	) {
		super(statements);
	}

	digestTaken(key: string): boolean {
		return this.statements.sql("SELECT 1 FROM api_keys WHERE key_digest = ?").get(keyDigest(this.secret, key)) !== undefined;
	}

	insert(draft: KeyDraft, key: string, actor: string): KeyRecord {
		const result = this.statements
			.sql(
				`INSERT INTO api_keys (type, key_digest, key_hint, display_name, description, system_apis, package_permissions,
				   feed, feed_group, user_name, expiration, logging, enabled, created_at, created_by)
				 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			)
			.run(
				draft.type,
				keyDigest(this.secret, key),
				keyHint(key),
				draft.displayName,
				draft.description,
				listJson(draft.systemApis),
				listJson(draft.packagePermissions),
				draft.feed,
				draft.feedGroup,
				draft.user,
				draft.expiration,
				draft.logging,
				now(),
				actor,
			);
		return this.mustGet(Number(result.lastInsertRowid));
	}

	/** Writes every field an edit may change. */
	update(id: number, next: KeyDraft): void {
		this.statements
			.sql(
				`UPDATE api_keys SET display_name = ?, description = ?, system_apis = ?, package_permissions = ?, feed = ?,
				   feed_group = ?, user_name = ?, expiration = ?, logging = ?, updated_at = ? WHERE id = ?`,
			)
			.run(
				next.displayName,
				next.description,
				listJson(next.systemApis),
				listJson(next.packagePermissions),
				next.feed,
				next.feedGroup,
				next.user,
				next.expiration,
				next.logging,
				now(),
				id,
			);
	}

	/** Writes what converting a legacy key changes: its type and what it may reach. */
	convert(id: number, draft: KeyDraft): void {
		this.statements
			.sql(
				`UPDATE api_keys SET type = ?, system_apis = ?, package_permissions = ?, feed = ?, feed_group = ?,
				   user_name = ?, updated_at = ? WHERE id = ?`,
			)
			.run(draft.type, listJson(draft.systemApis), listJson(draft.packagePermissions), draft.feed, draft.feedGroup, draft.user, now(),
				id);
	}

	setEnabled(id: number, enabled: boolean): void {
		this.statements.sql("UPDATE api_keys SET enabled = ?, updated_at = ? WHERE id = ?").run(enabled ? 1 : 0, now(), id);
	}

	setSecret(id: number, key: string): void {
		this.statements
			.sql("UPDATE api_keys SET key_digest = ?, key_hint = ?, updated_at = ? WHERE id = ?")
			.run(keyDigest(this.secret, key), keyHint(key), now(), id);
	}

	delete(id: number): void {
		this.statements.sql("DELETE FROM api_keys WHERE id = ?").run(id);
	}
}
