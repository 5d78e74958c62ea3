/**
 * The changes to keys: each checked by the rules, written through KeyTable and recorded in the
 * audit trail. Every method runs inside the caller's immediate transaction (LocalStore.write), so
 * a change and its audit entry are written together or not at all.
 */
import type { CreatedKey, ImportItem, ImportReport } from "../core/backend.js";
import type { Catalog } from "../core/catalog.js";
import { AppError, RuleError } from "../core/errors.js";
import { convertLegacyKey } from "../core/legacy.js";
import type { KeyDraft, KeyRecord } from "../core/model.js";
import { applyPatch, customKeyError, draftFromInput, type KeyInput, type RuleContext } from "../core/rules.js";
import { generateKey, keyHint } from "../core/secret.js";
import { recordAudit } from "./audit-trail.js";
import { checkImport } from "./key-import.js";
import type { KeyTable } from "./key-table.js";
import type { Statements } from "./statements.js";
import { readSettings } from "./store-settings.js";

/** The fields an edit changes, each as [before, after], for the audit trail. */
export function draftChanges(current: KeyRecord, next: KeyDraft): Record<string, [unknown, unknown]> {
	const changes: Record<string, [unknown, unknown]> = {};
	for (const field of Object.keys(next) as (keyof KeyDraft)[]) {
		if (JSON.stringify(current[field]) !== JSON.stringify(next[field])) changes[field] = [current[field], next[field]];
	}
	return changes;
}

/** A new key's checked draft; custom key text is checked against the settings too. */
export function newKeyDraft(input: KeyInput, customKey: string | undefined, ctx: RuleContext): KeyDraft {
	const result = draftFromInput(input, ctx, "create");
	const keyProblem = customKey === undefined ? undefined : customKeyError(customKey, ctx.settings);
	const errors = result.ok ? [] : [...result.errors];
	if (keyProblem) errors.push({ field: "key", message: keyProblem });
	if (!result.ok || errors.length > 0) throw new RuleError(errors);
	return result.value;
}

/** What a legacy key becomes when converted, checked by the rules. */
export function convertedDraft(current: KeyRecord, catalog: Catalog, ctx: RuleContext): KeyDraft {
	const conversion = convertLegacyKey(current, catalog);
	if (!conversion.ok) throw new AppError(`key ${current.id} cannot be converted: ${conversion.reason}`, "invalid");
	// Conversion keeps the key's expiration as it is, even where today's policy would refuse it.
	const result = draftFromInput({ ...conversion.draft, expiration: null }, ctx, "import");
	if (!result.ok) throw new RuleError(result.errors);
	return { ...result.value, expiration: conversion.draft.expiration };
}

export class KeyChanges {
	constructor(
		private readonly statements: Statements,
		private readonly keys: KeyTable,
		private readonly catalog: Catalog,
		private readonly secret: Buffer,
	) {}

	private context(): RuleContext {
		return { catalog: this.catalog, settings: readSettings(this.statements), now: new Date() };
	}

	private audit(actor: string, action: string, keyId: number | null, details: Record<string, unknown>): void {
		recordAudit(this.statements, actor, action, keyId, details);
	}

	/** A generated key whose digest no key has yet. */
	private newKey(): string {
		let key = generateKey();
		while (this.keys.digestTaken(key)) key = generateKey();
		return key;
	}

	create(input: KeyInput, options: { key?: string; actor: string }): CreatedKey {
		const draft = newKeyDraft(input, options.key, this.context());
		const key = options.key ?? this.newKey();
		const record = this.keys.insert(draft, key, options.actor);
		this.audit(options.actor, "create", record.id, { ...draft, hint: record.hint, custom: options.key !== undefined });
		return { record, key };
	}

	update(id: number, patch: KeyInput, actor: string): KeyRecord {
		const current = this.keys.mustGet(id);
		const result = applyPatch(current, patch, this.context());
		if (!result.ok) throw new RuleError(result.errors);
		const next = result.value;
		const changes = draftChanges(current, next);
		if (Object.keys(changes).length === 0) return current;
		this.keys.update(id, next);
		this.audit(actor, "update", id, { changes });
		return this.keys.mustGet(id);
	}

	setEnabled(id: number, enabled: boolean, actor: string): KeyRecord {
		const current = this.keys.mustGet(id);
		if (current.enabled === enabled) return current;
		this.keys.setEnabled(id, enabled);
		this.audit(actor, enabled ? "enable" : "disable", id, {});
		return this.keys.mustGet(id);
	}

	roll(id: number, actor: string): CreatedKey {
		const current = this.keys.mustGet(id);
		const key = this.newKey();
		this.keys.setSecret(id, key);
		this.audit(actor, "roll", id, { previousHint: current.hint, hint: keyHint(key) });
		return { record: this.keys.mustGet(id), key };
	}

	delete(id: number, actor: string): void {
		const current = this.keys.mustGet(id);
		this.keys.delete(id);
		this.audit(actor, "delete", id, { type: current.type, displayName: current.displayName, hint: current.hint });
	}

	convert(id: number, actor: string): KeyRecord {
		const current = this.keys.mustGet(id);
		const draft = convertedDraft(current, this.catalog, this.context());
		this.keys.convert(id, draft);
		this.audit(actor, "convert", id, { from: { type: current.type, systemApis: current.systemApis, user: current.user }, to: draft });
		return this.keys.mustGet(id);
	}

	/** All or nothing unless `partial`: refused items are reported, never half-imported. */
	import(items: ImportItem[], options: { actor: string; partial: boolean }): ImportReport {
		const checked = checkImport(items, this.context(), (key) => this.keys.digestTaken(key), this.secret);
		const report: ImportReport = { imported: [], refused: checked.refused };
		if (report.refused.length > 0 && !options.partial) return report;
		for (const { index, draft, key } of checked.accepted) {
			const record = this.keys.insert(draft, key, options.actor);
			this.audit(options.actor, "import", record.id, { ...draft, hint: record.hint });
			report.imported.push({ index, id: record.id, displayName: record.displayName });
		}
		return report;
	}
}
