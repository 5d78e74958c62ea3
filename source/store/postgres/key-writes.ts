/**
 * The changes to a PostgreSQL store's keys and settings, each checked by the same rules as the
 * SQLite store's (key-changes.ts), written with its audit entry in one transaction. Every such
 * transaction takes the change-order lock first (coordination.ts): writers are serialized as
 * SQLite's immediate transactions are, so a change is checked against the state it is applied to,
 * and a transaction that locks keys always holds that lock before any row lock.
 */
import type { ISql, Sql, TransactionSql } from "postgres";
import type { CreatedKey, ImportItem, ImportReport } from "../../core/backend.js";
import type { Catalog } from "../../core/catalog.js";
import { notFound, RuleError } from "../../core/errors.js";
import type { KeyDraft, KeyRecord } from "../../core/model.js";
import { applyPatch, type KeyInput, type RuleContext } from "../../core/rules.js";
import { generateKey, keyDigest, keyHint } from "../../core/secret.js";
import type { StoreSettings } from "../../core/settings.js";
import { convertedDraft, draftChanges, newKeyDraft } from "../key-changes.js";
import { checkImport } from "../key-import.js";
import { keyColumns, listJson } from "../key-rows.js";
import { lockNamespace, lockPurpose } from "./coordination.js";
import { keyWithId, type PostgresKeyRow, recordFromPostgres } from "./key-list.js";
import { readSettings, recordAudit, writeSettings } from "./settings-audit.js";

async function mustGet(sql: ISql, id: number): Promise<KeyRecord> {
	const record = await keyWithId(sql, id);
	if (!record) throw notFound(id);
	return record;
}

export class KeyWrites {
	constructor(
		private readonly sql: Sql,
		private readonly catalog: Catalog,
		private readonly secret: Buffer,
	) {}

	/** Runs `change` in a transaction that holds the change-order lock from its first statement. */
	private transaction<T>(change: (tx: TransactionSql) => Promise<T>): Promise<T> {
		return this.sql.begin(async (tx) => {
			await tx`SELECT pg_advisory_xact_lock(${lockNamespace}, ${lockPurpose.changeOrder})`;
			return change(tx);
		}) as Promise<T>;
	}

	private async context(tx: ISql): Promise<RuleContext> {
		return { catalog: this.catalog, settings: await readSettings(tx), now: new Date() };
	}

	private async digestsTaken(tx: ISql, keys: readonly string[]): Promise<Set<string>> {
		const digests = keys.map((key) => keyDigest(this.secret, key));
		const rows = await tx<{ digest: Buffer }[]>`SELECT key_digest AS digest FROM api_keys WHERE key_digest = ANY(${digests}::bytea[])`;
		return new Set(rows.map((row) => row.digest.toString("hex")));
	}

	/** A generated key whose digest no key has yet. */
	private async newKey(tx: ISql): Promise<string> {
		for (;;) {
			const key = generateKey();
			if ((await this.digestsTaken(tx, [key])).size === 0) return key;
		}
	}

	private async insert(tx: ISql, draft: KeyDraft, key: string, actor: string): Promise<KeyRecord> {
		const [row] = await tx`
			INSERT INTO api_keys (type, key_digest, key_hint, display_name, description, system_apis, package_permissions,
				feed, feed_group, user_name, expiration, logging, enabled, created_at, created_by)
			VALUES (${draft.type}, ${keyDigest(this.secret, key)}, ${keyHint(key)}, ${draft.displayName}, ${draft.description},
				${listJson(draft.systemApis)}, ${listJson(draft.packagePermissions)}, ${draft.feed}, ${draft.feedGroup}, ${draft.user},
				${draft.expiration}, ${draft.logging}, true, ${new Date()}, ${actor})
			RETURNING ${tx.unsafe(keyColumns)}`.values();
		return recordFromPostgres(row as unknown as PostgresKeyRow);
	}

	create(input: KeyInput, options: { key?: string; actor: string }): Promise<CreatedKey> {
		return this.transaction(async (tx) => {
			const draft = newKeyDraft(input, options.key, await this.context(tx));
			const key = options.key ?? (await this.newKey(tx));
			const record = await this.insert(tx, draft, key, options.actor);
			await recordAudit(tx, options.actor, "create", record.id, { ...draft, hint: record.hint, custom: options.key !== undefined });
			return { record, key };
		});
	}

	update(id: number, patch: KeyInput, actor: string): Promise<KeyRecord> {
		return this.transaction(async (tx) => {
			const current = await mustGet(tx, id);
			const result = applyPatch(current, patch, await this.context(tx));
			if (!result.ok) throw new RuleError(result.errors);
			const next = result.value;
			const changes = draftChanges(current, next);
			if (Object.keys(changes).length === 0) return current;
			await tx`
				UPDATE api_keys SET display_name = ${next.displayName}, description = ${next.description},
					system_apis = ${listJson(next.systemApis)}, package_permissions = ${listJson(next.packagePermissions)}, feed = ${next.feed},
					feed_group = ${next.feedGroup}, user_name = ${next.user}, expiration = ${next.expiration}, logging = ${next.logging},
					updated_at = ${new Date()}
				WHERE id = ${id}`;
			await recordAudit(tx, actor, "update", id, { changes });
			return mustGet(tx, id);
		});
	}

	setEnabled(id: number, enabled: boolean, actor: string): Promise<KeyRecord> {
		return this.transaction(async (tx) => {
			const current = await mustGet(tx, id);
			if (current.enabled === enabled) return current;
			await tx`UPDATE api_keys SET enabled = ${enabled}, updated_at = ${new Date()} WHERE id = ${id}`;
			await recordAudit(tx, actor, enabled ? "enable" : "disable", id, {});
			return mustGet(tx, id);
		});
	}

	roll(id: number, actor: string): Promise<CreatedKey> {
		return this.transaction(async (tx) => {
			const current = await mustGet(tx, id);
			const key = await this.newKey(tx);
			await tx`UPDATE api_keys SET key_digest = ${keyDigest(this.secret, key)}, key_hint = ${keyHint(key)}, updated_at = ${new Date()} WHERE id = ${id}`;
			await recordAudit(tx, actor, "roll", id, { previousHint: current.hint, hint: keyHint(key) });
			return { record: await mustGet(tx, id), key };
		});
	}

	delete(id: number, actor: string): Promise<void> {
		return this.transaction(async (tx) => {
			const current = await mustGet(tx, id);
			await tx`DELETE FROM api_keys WHERE id = ${id}`;
			await recordAudit(tx, actor, "delete", id, { type: current.type, displayName: current.displayName, hint: current.hint });
		});
	}

	convert(id: number, actor: string): Promise<KeyRecord> {
		return this.transaction(async (tx) => {
			const current = await mustGet(tx, id);
			const draft = convertedDraft(current, this.catalog, await this.context(tx));
			await tx`
				UPDATE api_keys SET type = ${draft.type}, system_apis = ${listJson(draft.systemApis)},
					package_permissions = ${listJson(draft.packagePermissions)}, feed = ${draft.feed}, feed_group = ${draft.feedGroup},
					user_name = ${draft.user}, updated_at = ${new Date()}
				WHERE id = ${id}`;
			await recordAudit(tx, actor, "convert", id, { from: { type: current.type, systemApis: current.systemApis, user: current.user }, to: draft });
			return mustGet(tx, id);
		});
	}

	/** All or nothing unless `partial`: refused items are reported, never half-imported. */
	import(items: ImportItem[], options: { actor: string; partial: boolean }): Promise<ImportReport> {
		return this.transaction(async (tx) => {
			const texts = items.flatMap((item) => (typeof item.key === "string" ? [item.key] : []));
			const taken = await this.digestsTaken(tx, texts);
			const checked = checkImport(items, await this.context(tx), (key) => taken.has(keyDigest(this.secret, key).toString("hex")), this.secret);
			const report: ImportReport = { imported: [], refused: checked.refused };
			if (report.refused.length > 0 && !options.partial) return report;
			for (const { index, draft, key } of checked.accepted) {
				const record = await this.insert(tx, draft, key, options.actor);
				await recordAudit(tx, options.actor, "import", record.id, { ...draft, hint: record.hint });
				report.imported.push({ index, id: record.id, displayName: record.displayName });
			}
			return report;
		});
	}

	updateSettings(changes: Record<string, unknown>, actor: string): Promise<StoreSettings> {
		return this.transaction(async (tx) => {
			const diff = await writeSettings(tx, changes);
			if (Object.keys(diff).length > 0) await recordAudit(tx, actor, "settings", null, { changes: diff });
			return readSettings(tx);
		});
	}
}
