/** The audit trail of admin changes: one row per change, written in the change's own transaction. */
import type { AuditEntry } from "../core/backend.js";
import type { Statements } from "./statements.js";

interface AuditRow {
	id: number;
	at: string;
	actor: string;
	action: string;
	key_id: number | null;
	details: string;
}

export function recordAudit(
	statements: Statements,
	actor: string,
	action: string,
	keyId: number | null,
	details: Record<string, unknown>,
): void {
	statements
		.sql("INSERT INTO audit_log (at, actor, action, key_id, details) VALUES (?, ?, ?, ?, ?)")
		.run(new Date().toISOString(), actor, action, keyId, JSON.stringify(details));
}

/** The newest entries first, of one key or of the whole store. */
export function readAuditTrail(statements: Statements, keyId: number | undefined, limit: number): AuditEntry[] {
	const rows = (
		keyId === undefined
			? statements.sql("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?").all(limit)
			: statements.sql("SELECT * FROM audit_log WHERE key_id = ? ORDER BY id DESC LIMIT ?").all(keyId, limit)
	) as AuditRow[];
	return rows.map((r) => ({
		id: r.id,
		at: r.at,
		actor: r.actor,
		action: r.action,
		keyId: r.key_id,
		details: JSON.parse(r.details) as Record<string, unknown>,
	}));
}
