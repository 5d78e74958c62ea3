/**
 * A PostgreSQL store's settings and audit trail: the SQLite store's rules (store-settings.ts) over
 * this engine's tables. Writes run inside the caller's transaction, so a change and its audit
 * entry are committed together.
 */
import type { ISql } from "postgres";
import type { AuditEntry } from "../../core/backend.js";
import type { StoreSettings } from "../../core/settings.js";
import { parseSettingChanges, settingsDiff, settingsFromRows } from "../store-settings.js";

export async function readSettings(sql: ISql): Promise<StoreSettings> {
	return settingsFromRows(await sql<{ name: string; value: string }[]>`SELECT name, value FROM settings`);
}

/** Writes the changes, all or none; returns what changed, each as [before, after], for the audit trail. */
export async function writeSettings(sql: ISql, changes: Record<string, unknown>): Promise<Record<string, [unknown, unknown]>> {
	const parsed = parseSettingChanges(changes);
	const before = await readSettings(sql);
	const diff = settingsDiff(before, parsed);
	// Only what changes is written: every written row is a change the nodes read again.
	for (const [name, value] of parsed) {
		if (!(name in diff)) continue;
		await sql`INSERT INTO settings (name, value) VALUES (${name}, ${JSON.stringify(value)})
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`;
	}
	return diff;
}

export async function recordAudit(
	sql: ISql,
	actor: string,
	action: string,
	keyId: number | null,
	details: Record<string, unknown>,
): Promise<void> {
	await sql`INSERT INTO audit_log (at, actor, action, key_id, details)
		VALUES (${new Date()}, ${actor}, ${action}, ${keyId}, ${sql.json(details as never)})`;
}

interface AuditRow {
	id: string;
	at: Date;
	actor: string;
	action: string;
	key_id: number | null;
	details: Record<string, unknown>;
}

/** The newest entries first, of one key or of the whole store. */
export async function readAuditTrail(sql: ISql, keyId: number | undefined, limit: number): Promise<AuditEntry[]> {
	const rows =
		keyId === undefined
			? await sql<AuditRow[]>`SELECT id::text, at, actor, action, key_id, details FROM audit_log ORDER BY id DESC LIMIT ${limit}`
			: await sql<AuditRow[]>`SELECT id::text, at, actor, action, key_id, details FROM audit_log WHERE key_id = ${keyId} ORDER BY id DESC LIMIT ${limit}`;
	return rows.map((row) => ({
		id: Number(row.id),
		at: row.at.toISOString(),
		actor: row.actor,
		action: row.action,
		keyId: row.key_id,
		details: row.details,
	}));
}
