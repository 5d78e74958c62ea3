/**
 * The local backend: keys in an SQLite file. Every change and its audit entry are written in one
 * immediate transaction, so a change is either whole or absent, and two processes never deadlock.
 */
import type { Requirement } from "../core/access.js";
import { checkAccess } from "../core/access.js";
import type {
	AccessLogFilter,
	AccessLogPage,
	AuditEntry,
	Backend,
	Capabilities,
	CreatedKey,
	ImportItem,
	ImportReport,
	KeyPage,
	KeyQuery,
	NewAccessLogEntry,
	VerifyResult,
} from "../core/backend.js";
import { type Catalog, catalogFor, type ProfileName } from "../core/catalog.js";
import { AppError, notFound, RuleError } from "../core/errors.js";
import { convertLegacyKey } from "../core/legacy.js";
import type { KeyDraft, KeyRecord } from "../core/model.js";
import {
	applyPatch,
	customKeyError,
	draftFromInput,
	type KeyInput,
	type RuleContext,
} from "../core/rules.js";
import { generateKey, keyDigest, keyDigestText, keyHint } from "../core/secret.js";
import {
	defaultSettings,
	parseSettingValue,
	type SettingName,
	type StoreSettings,
	settingSpec,
} from "../core/settings.js";
import { pruneAccessLog, queryAccessLog } from "./access-log.js";
import { AccessLogThread } from "./access-log-thread.js";
import type { Statement } from "better-sqlite3";
import { type Db, type OpenOptions, openStore } from "./database.js";
import {
	filterClause,
	type KeyRow,
	keyColumns,
	listJson,
	orderClause,
	recordFromRow,
} from "./key-rows.js";
import { diskIsFull, StoreFileWatch } from "./storage-faults.js";
import { keysRevisionSql, VerificationIndex } from "./verification-index.js";

const everything: Capabilities = {
	update: { available: true },
	enable: { available: true },
	roll: { available: true },
	accessLogs: { available: true },
	settings: { available: true },
	audit: { available: true },
	lastUsed: { available: true },
	convert: { available: true },
};

/** The marks of what has been committed, as read this event-loop turn (see anyMark, keysMark). */
interface TurnMarks {
	/** commitsInThisProcess when these were read: any later commit here makes them out of date. */
	commits: number;
	any?: string;
	/** With performance.now() just before it was read. */
	keys?: { revision: number; readAt: number };
	/** Set once their forgetting at the end of the turn is scheduled. */
	clearing?: true;
}

/**
 * Commits made through any store opened in this process (and access-log flushes it waited for):
 * a mark read before one of them is out of date, so what this process changes is seen at once.
 */
let commitsInThisProcess = 0;

/**
 * How long the keys' revision read in a turn stands for a long synchronous run of verifications:
 * another process's change to keys reaches them within this bound (anchors-keys.md, d.14).
 */
const keysRevisionLifeMs = 1;

function memoized<T>(values: Map<string, unknown>, name: string, compute: () => T): T {
	let value = values.get(name) as T | undefined;
	if (value === undefined) {
		value = compute();
		values.set(name, value);
	}
	return value;
}

function sqliteCode(error: unknown): string {
	return (error as { code?: string }).code ?? "";
}

export class LocalStore implements Backend {
	readonly kind = "local" as const;
	readonly capabilities = everything;
	readonly catalog: Catalog;
	private readonly db: Db;
	private readonly secret: Buffer;
	private readonly file: StoreFileWatch;
	private readonly statements = new Map<string, Statement>();
	private ownWrites = 0;
	/** The marks read this event-loop turn, each when first needed: keysMark's always, anyMark's once checkChangesOncePerTurn. */
	private turnMarks: TurnMarks = { commits: commitsInThisProcess };
	private changesOncePerTurn = false;
	private memos: { mark: string; values: Map<string, unknown> } | undefined;
	private keyMemos: { mark: number; values: Map<string, unknown> } | undefined;
	/** Made at the first verification: the console never needs it. */
	private verification: VerificationIndex | undefined;
	private logWriter: AccessLogThread | undefined;
	private closed = false;

	private constructor(
		readonly location: string,
		readonly profile: ProfileName,
		db: Db,
		secret: Buffer,
	) {
		this.db = db;
		this.secret = secret;
		this.catalog = catalogFor(profile);
		this.file = new StoreFileWatch(location);
	}

	static open(path: string, options: OpenOptions = {}): LocalStore {
		const opened = openStore(path, options);
		try {
			return new LocalStore(opened.path, opened.profile, opened.db, opened.secret);
		} catch (error) {
			opened.db.close();
			throw error;
		}
	}

	/** A prepared statement, prepared once per store: verification runs hot on the server. */
	private sql(text: string): Statement {
		let statement = this.statements.get(text);
		if (!statement) {
			statement = this.db.prepare(text);
			this.statements.set(text, statement);
		}
		return statement;
	}

	/** A statement over `api_keys` whose rows come back as KeyRow arrays. */
	private keyRows(text: string): Statement {
		return this.sql(text).raw(true);
	}

	/** Runs a store operation, turning SQLite's failures into one-line messages. */
	private guard<T>(operation: () => T): T {
		try {
			this.file.check();
			return operation();
		} catch (error) {
			throw this.describe(error);
		}
	}

	/** SQLite's failure as a one-line AppError where it is one a person can act on. */
	private describe(error: unknown): unknown {
		if (error instanceof AppError) return error;
		const code = sqliteCode(error);
		if (code === "SQLITE_CONSTRAINT_UNIQUE") return new AppError("a key with this text already exists", "conflict");
		if (code === "SQLITE_FULL" || (code.startsWith("SQLITE_IOERR") && diskIsFull(this.location)))
			return new AppError(`${this.location}: the disk is full; nothing was changed`, "store");
		if (code.startsWith("SQLITE_READONLY"))
			return new AppError(`${this.location}: the store is read-only; nothing was changed`, "store");
		if (code === "SQLITE_BUSY")
			return new AppError(`${this.location}: the store stayed busy for 10 s; nothing was changed`, "unavailable");
		if (code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_CANTOPEN")
			return new AppError(`${this.location}: the store cannot be read or written (${code})`, "store");
		return error;
	}

	private write<T>(operation: () => T): T {
		try {
			return this.guard(() => {
				// Never commit to a file that is no longer the store: the change would be lost unseen.
				this.file.check(true);
				return this.db.transaction(operation).immediate();
			});
		} finally {
			this.noteOwnWrite();
		}
	}

	private noteOwnWrite(): void {
		this.ownWrites++;
		commitsInThisProcess++;
	}

	/**
	 * Moves on with every commit, by anyone: SQLite's data_version with other connections' commits
	 * (the access-log writer's too), `ownWrites` with this one's. What is cached under it is current.
	 */
	private anyMark(): string {
		const cached = this.currentMarks().any;
		if (cached !== undefined) return cached;
		const mark = `${this.sql("PRAGMA data_version").pluck().get()}:${this.ownWrites}`;
		if (this.changesOncePerTurn) this.keepForTurn().any = mark;
		return mark;
	}

	/**
	 * Moves on with every change to keys or settings, by anyone, and with nothing else
	 * (db/003_key_changes.sql). Read once per event-loop turn, and again within a turn once
	 * keysRevisionLifeMs has passed: one read is an SQLite read transaction (two or three system
	 * calls, 5 µs in this VM, more than the rest of a verification). So a change committed through
	 * this process is seen at once, and one committed by another process by every verification in a
	 * later turn (a request that arrives after it) and within 1 ms in a long synchronous run.
	 */
	private keysMark(): number {
		const marks = this.currentMarks();
		const now = performance.now();
		if (marks.keys && now - marks.keys.readAt < keysRevisionLifeMs) return marks.keys.revision;
		const revision = this.sql(`SELECT ${keysRevisionSql}`).pluck().get() as number;
		this.keepForTurn().keys = { revision, readAt: now };
		return revision;
	}

	/** The marks read this turn, none if anything was committed in this process since. */
	private currentMarks(): TurnMarks {
		if (this.turnMarks.commits !== commitsInThisProcess) this.turnMarks = { commits: commitsInThisProcess };
		return this.turnMarks;
	}

	/** This turn's marks, forgotten when the turn ends. */
	private keepForTurn(): TurnMarks {
		const marks = this.currentMarks();
		if (!marks.clearing) {
			marks.clearing = true;
			setImmediate(() => {
				if (this.turnMarks === marks) this.turnMarks = { commits: commitsInThisProcess };
			});
		}
		return marks;
	}

	/**
	 * From now on, any commit by other connections is looked for once per event-loop turn instead
	 * of at every check (keysMark always is). For the server: the requests handled in one turn had
	 * all arrived before it began, so each still sees every change committed before it arrived.
	 */
	checkChangesOncePerTurn(): void {
		this.changesOncePerTurn = true;
	}

	private context(): RuleContext {
		return { catalog: this.catalog, settings: this.readSettings(), now: new Date() };
	}

	private readSettings(): StoreSettings {
		const rows = this.sql("SELECT name, value FROM settings").all() as {
			name: string;
			value: string;
		}[];
		const settings: StoreSettings = { ...defaultSettings };
		for (const row of rows) {
			const spec = settingSpec(row.name);
			if (!spec) continue;
			const parsed = parseSettingValue(spec, JSON.parse(row.value));
			if (parsed.ok)
				(settings as unknown as Record<SettingName, unknown>)[spec.name] = parsed.value;
		}
		return settings;
	}

	private audit(
		actor: string,
		action: string,
		keyId: number | null,
		details: Record<string, unknown>,
	): void {
		this.sql("INSERT INTO audit_log (at, actor, action, key_id, details) VALUES (?, ?, ?, ?, ?)")
			.run(new Date().toISOString(), actor, action, keyId, JSON.stringify(details));
	}

	private row(id: number): KeyRecord | undefined {
		const row = this.keyRows(`SELECT ${keyColumns} FROM api_keys WHERE id = ?`).get(id) as KeyRow | undefined;
		return row && recordFromRow(row);
	}

	private mustGet(id: number): KeyRecord {
		const record = this.row(id);
		if (!record) throw notFound(id);
		return record;
	}

	private insertKey(draft: KeyDraft, key: string, actor: string): KeyRecord {
		const result = this.sql(
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
				new Date().toISOString(),
				actor,
			);
		return this.mustGet(Number(result.lastInsertRowid));
	}

	private digestTaken(key: string): boolean {
		return (
			this.sql("SELECT 1 FROM api_keys WHERE key_digest = ?")
				.get(keyDigest(this.secret, key)) !== undefined
		);
	}

	async listKeys(): Promise<KeyRecord[]> {
		return [...this.listKeysNow()];
	}

	/** Every key in id order, last uses included; shared between calls until the next commit, so never change it. */
	listKeysNow(): readonly KeyRecord[] {
		return this.memo("keys", () => (this.keyRows(`SELECT ${keyColumns} FROM api_keys ORDER BY id`).all() as KeyRow[]).map(recordFromRow));
	}

	/**
	 * A value derived from the store's contents, computed once per committed state: the server
	 * answers the same key list many times between changes. Whatever commits, here or in another
	 * process (the access-log writer too), moves the mark on and so drops every value.
	 */
	memo<T>(name: string, compute: () => T): T {
		return this.guard(() => {
			const mark = this.anyMark();
			if (this.memos?.mark !== mark) this.memos = { mark, values: new Map() };
			return memoized(this.memos.values, name, compute);
		});
	}

	/**
	 * A value derived from keys and settings alone (never from last uses or the access log),
	 * computed once per revision of them: logging requests does not drop it.
	 */
	memoUntilKeysChange<T>(name: string, compute: () => T): T {
		return this.guard(() => {
			const mark = this.keysMark();
			if (this.keyMemos?.mark !== mark) this.keyMemos = { mark, values: new Map() };
			return memoized(this.keyMemos.values, name, compute);
		});
	}

	async queryKeys(query: KeyQuery): Promise<KeyPage> {
		return this.guard(() => {
			const where = filterClause(query.filter);
			const total = this.sql(`SELECT count(*) FROM api_keys ${where.sql}`)
				.pluck()
				.get(...where.params) as number;
			const rows = this.keyRows(
				`SELECT ${keyColumns} FROM api_keys ${where.sql} ${orderClause(query.sort)} LIMIT ? OFFSET ?`,
			)
				.all(...where.params, Math.max(0, query.limit), Math.max(0, query.offset)) as KeyRow[];
			return { rows: rows.map(recordFromRow), total };
		});
	}

	async keyIds(query: Omit<KeyQuery, "offset" | "limit">): Promise<number[]> {
		return this.guard(() => {
			const where = filterClause(query.filter);
			return this.sql(`SELECT id FROM api_keys ${where.sql} ${orderClause(query.sort)}`)
				.pluck()
				.all(...where.params) as number[];
		});
	}

	async keysByIds(ids: readonly number[]): Promise<KeyRecord[]> {
		if (ids.length === 0) return [];
		return this.guard(() => {
			const rows = this.keyRows(`SELECT ${keyColumns} FROM api_keys WHERE id IN (SELECT value FROM json_each(?))`).all(
				JSON.stringify(ids),
			) as KeyRow[];
			const byId = new Map(rows.map((row) => [row[0], recordFromRow(row)]));
			return ids.flatMap((id) => byId.get(id) ?? []);
		});
	}

	async getKey(id: number): Promise<KeyRecord | undefined> {
		return this.guard(() => this.row(id));
	}

	async createKey(input: KeyInput, options: { key?: string; actor: string }): Promise<CreatedKey> {
		return this.write(() => {
			const ctx = this.context();
			const result = draftFromInput(input, ctx, "create");
			const keyProblem =
				options.key === undefined ? undefined : customKeyError(options.key, ctx.settings);
			const errors = result.ok ? [] : [...result.errors];
			if (keyProblem) errors.push({ field: "key", message: keyProblem });
			if (!result.ok || errors.length > 0) throw new RuleError(errors);
			let key = options.key ?? generateKey();
			while (options.key === undefined && this.digestTaken(key)) key = generateKey();
			const record = this.insertKey(result.value, key, options.actor);
			this.audit(options.actor, "create", record.id, {
				...result.value,
				hint: record.hint,
				custom: options.key !== undefined,
			});
			return { record, key };
		});
	}

	async updateKey(id: number, patch: KeyInput, actor: string): Promise<KeyRecord> {
		return this.write(() => {
			const current = this.mustGet(id);
			const result = applyPatch(current, patch, this.context());
			if (!result.ok) throw new RuleError(result.errors);
			const next = result.value;
			const changes: Record<string, [unknown, unknown]> = {};
			for (const field of Object.keys(next) as (keyof KeyDraft)[]) {
				if (JSON.stringify(current[field]) !== JSON.stringify(next[field]))
					changes[field] = [current[field], next[field]];
			}
			if (Object.keys(changes).length === 0) return current;
			this.sql(
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
					new Date().toISOString(),
					id,
				);
			this.audit(actor, "update", id, { changes });
			return this.mustGet(id);
		});
	}

	async setEnabled(id: number, enabled: boolean, actor: string): Promise<KeyRecord> {
		return this.write(() => {
			const current = this.mustGet(id);
			if (current.enabled === enabled) return current;
			this.sql("UPDATE api_keys SET enabled = ?, updated_at = ? WHERE id = ?")
				.run(enabled ? 1 : 0, new Date().toISOString(), id);
			this.audit(actor, enabled ? "enable" : "disable", id, {});
			return this.mustGet(id);
		});
	}

	async rollKey(id: number, actor: string): Promise<CreatedKey> {
		return this.write(() => {
			const current = this.mustGet(id);
			let key = generateKey();
			while (this.digestTaken(key)) key = generateKey();
			this.sql("UPDATE api_keys SET key_digest = ?, key_hint = ?, updated_at = ? WHERE id = ?")
				.run(keyDigest(this.secret, key), keyHint(key), new Date().toISOString(), id);
			this.audit(actor, "roll", id, { previousHint: current.hint, hint: keyHint(key) });
			return { record: this.mustGet(id), key };
		});
	}

	async deleteKey(id: number, actor: string): Promise<void> {
		this.write(() => {
			const current = this.mustGet(id);
			this.sql("DELETE FROM api_keys WHERE id = ?").run(id);
			this.audit(actor, "delete", id, {
				type: current.type,
				displayName: current.displayName,
				hint: current.hint,
			});
		});
	}

	async convertLegacyKey(id: number, actor: string): Promise<KeyRecord> {
		return this.write(() => {
			const current = this.mustGet(id);
			const conversion = convertLegacyKey(current, this.catalog);
			if (!conversion.ok)
				throw new AppError(`key ${id} cannot be converted: ${conversion.reason}`, "invalid");
			const ctx = this.context();
			// Conversion keeps the key's expiration as it is, even where today's policy would refuse it.
			const result = draftFromInput({ ...conversion.draft, expiration: null }, ctx, "import");
			if (!result.ok) throw new RuleError(result.errors);
			const draft = { ...result.value, expiration: conversion.draft.expiration };
			this.sql(
				`UPDATE api_keys SET type = ?, system_apis = ?, package_permissions = ?, feed = ?, feed_group = ?,
					   user_name = ?, updated_at = ? WHERE id = ?`,
			)
				.run(
					draft.type,
					listJson(draft.systemApis),
					listJson(draft.packagePermissions),
					draft.feed,
					draft.feedGroup,
					draft.user,
					new Date().toISOString(),
					id,
				);
			this.audit(actor, "convert", id, {
				from: { type: current.type, systemApis: current.systemApis, user: current.user },
				to: draft,
			});
			return this.mustGet(id);
		});
	}

	async importKeys(
		items: ImportItem[],
		options: { actor: string; partial: boolean },
	): Promise<ImportReport> {
		return this.write(() => {
			const ctx = this.context();
			const report: ImportReport = { imported: [], refused: [] };
			const accepted: { index: number; draft: KeyDraft; key: string }[] = [];
			const seen = new Set<string>();
			for (const [index, item] of items.entries()) {
				const checked = this.checkImportItem(item, ctx, seen);
				if (typeof checked === "string") {
					const displayName = typeof item.displayName === "string" ? item.displayName : null;
					report.refused.push({ index, displayName, reason: checked });
				} else accepted.push({ index, ...checked });
			}
			if (report.refused.length > 0 && !options.partial) return report;
			for (const { index, draft, key } of accepted) {
				const record = this.insertKey(draft, key, options.actor);
				this.audit(options.actor, "import", record.id, { ...draft, hint: record.hint });
				report.imported.push({ index, id: record.id, displayName: record.displayName });
			}
			return report;
		});
	}

	/** The checked draft of one import item, or why it is refused. */
	private checkImportItem(
		item: ImportItem,
		ctx: RuleContext,
		seen: Set<string>,
	): { draft: KeyDraft; key: string } | string {
		const result = draftFromInput(item, ctx, "import");
		if (!result.ok) return result.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
		if (typeof item.key !== "string" || item.key === "")
			return "key: the key text is required to import a key";
		const problem = customKeyError(item.key, ctx.settings);
		if (problem) return `key: ${problem}`;
		const digest = keyDigest(this.secret, item.key).toString("hex");
		if (seen.has(digest)) return "key: the same key text appears earlier in this import";
		if (this.digestTaken(item.key)) return "key: a key with this text already exists in the store";
		seen.add(digest);
		return { draft: result.value, key: item.key };
	}

	async verify(key: string, requirement: Requirement): Promise<VerifyResult> {
		return this.guard(() => this.verifyNow(key, requirement));
	}

	/**
	 * Looks the key up by its keyed digest in the verification index (every key in memory, by
	 * digest): no comparison ever runs over the secret itself, so the time taken says nothing about
	 * how much of a guess was right. The index is brought up to the store's revision of keys first,
	 * so a key disabled by another process is refused at once.
	 */
	verifyNow(key: string, requirement: Requirement): VerifyResult {
		return this.verifyDigestNow(this.digestOf(key), requirement);
	}

	/** The keyed digest a key is looked up by: the HMAC, most of what a verification costs. */
	digestOf(key: string): string {
		return keyDigestText(this.secret, key);
	}

	/** verifyNow for a key whose digest the caller already has. */
	verifyDigestNow(digest: string, requirement: Requirement): VerifyResult {
		try {
			return this.verifyUnguarded(digest, requirement);
		} catch (error) {
			throw this.describe(error);
		}
	}

	/** Reads every key into verification's index now, so no request waits for it (0.7 s for 100,000 keys). */
	prepareVerification(): void {
		this.guard(() => this.verificationIndex().update(this.keysMark()));
	}

	private verificationIndex(): VerificationIndex {
		this.verification ??= new VerificationIndex(this.db);
		return this.verification;
	}

	private verifyUnguarded(digest: string, requirement: Requirement): VerifyResult {
		this.file.check();
		const record = this.verificationIndex().find(digest, this.keysMark());
		const outcome = checkAccess(record, requirement, this.catalog, new Date());
		return record ? { outcome, record } : { outcome };
	}

	async getSettings(): Promise<StoreSettings> {
		return this.guard(() => this.readSettings());
	}

	/** The settings as of now, read again only after a commit: the server consults them on every request. */
	settingsNow(): StoreSettings {
		return this.memoUntilKeysChange("settings", () => this.readSettings());
	}

	async updateSettings(changes: Record<string, unknown>, actor: string): Promise<StoreSettings> {
		return this.write(() => {
			const errors: string[] = [];
			const parsed: [SettingName, unknown][] = [];
			for (const [name, raw] of Object.entries(changes)) {
				const spec = settingSpec(name);
				if (!spec) {
					errors.push(`unknown setting "${name}"`);
					continue;
				}
				const value = parseSettingValue(spec, raw);
				if (value.ok) parsed.push([spec.name, value.value]);
				else errors.push(value.error);
			}
			if (errors.length > 0) throw new AppError(errors.join("; "), "invalid");
			const before = this.readSettings();
			const upsert = this.sql(
				"INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
			);
			const diff: Record<string, [unknown, unknown]> = {};
			for (const [name, value] of parsed) {
				upsert.run(name, JSON.stringify(value));
				if (before[name] !== value) diff[name] = [before[name], value];
			}
			if (Object.keys(diff).length > 0) this.audit(actor, "settings", null, { changes: diff });
			return this.readSettings();
		});
	}

	async queryAccessLog(
		filter: AccessLogFilter,
		page: { before?: number; limit: number },
	): Promise<AccessLogPage> {
		return this.guard(() => queryAccessLog(this.db, filter, page));
	}

	async auditTrail(keyId?: number, limit = 200): Promise<AuditEntry[]> {
		return this.guard(() => {
			const rows = (
				keyId === undefined
					? this.sql("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?").all(limit)
					: this.db
							.prepare("SELECT * FROM audit_log WHERE key_id = ? ORDER BY id DESC LIMIT ?")
							.all(keyId, limit)
			) as {
				id: number;
				at: string;
				actor: string;
				action: string;
				key_id: number | null;
				details: string;
			}[];
			return rows.map((r) => ({
				id: r.id,
				at: r.at,
				actor: r.actor,
				action: r.action,
				keyId: r.key_id,
				details: JSON.parse(r.details) as Record<string, unknown>,
			}));
		});
	}

	/** Told when a batch of access-log entries could not be written (they are kept and tried again). */
	onLogError: ((error: unknown) => void) | undefined;
	private lastLogError: unknown;

	/**
	 * A value that changes whenever anything is committed to the store, by this process or another:
	 * the console polls it to follow changes made elsewhere.
	 */
	changeMark(): string {
		return this.guard(() => this.anyMark());
	}

	/**
	 * Queues an access-log entry; it is written within the batch window, by a thread of its own
	 * (another connection, so its commits are seen here as any other connection's are).
	 */
	logAccess(entry: NewAccessLogEntry): void {
		this.logWriter ??= new AccessLogThread(this.location, this.file.identity, (error) => {
			this.lastLogError = this.describe(error);
			this.onLogError?.(this.lastLogError);
		});
		this.logWriter.append(entry);
	}

	flushAccessLog(): void {
		this.guard(() => this.logWriter?.flush());
		commitsInThisProcess++;
	}

	async pruneAccessLog(now = new Date()): Promise<number> {
		return this.guard(() => {
			const settings = this.readSettings();
			return pruneAccessLog(
				this.db,
				{ maxAgeDays: settings.logRetentionDays, maxRows: settings.logMaxRows, maxBytes: settings.logMaxBytes },
				now,
			);
		});
	}

	/**
	 * Copies the database into `path` (an empty file the caller made) with SQLite's online backup:
	 * one consistent snapshot, the WAL's recent commits included, while other processes write on.
	 */
	async backupDatabase(path: string): Promise<void> {
		this.file.check();
		try {
			// After the first step, every page in one step (one read transaction): a step of a few pages
			// at a time starts over whenever another process commits between two steps.
			await this.db.backup(path, { progress: () => 0x7fffffff });
		} catch (error) {
			throw this.describe(error);
		}
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		try {
			const unwritten = this.logWriter?.close() ?? 0;
			if (unwritten > 0) {
				const reason = (this.lastLogError as Error | undefined)?.message ?? "unknown error";
				throw new AppError(
					`${unwritten} access-log ${unwritten === 1 ? "entry" : "entries"} could not be written: ${reason}`,
					"store",
				);
			}
		} finally {
			this.db.close();
		}
	}
}
