/**
 * The SQLite engine: keys in an SQLite file, served as a Backend to the console and the commands
 * and as a ServedStore to `serve`. Every change and its audit entry are written in one immediate
 * transaction, so a change is either whole or absent, and two processes never deadlock. The SQL
 * lives in the modules beside it (docs/STORE.md lists them); this class holds them together.
 */
import type { Requirement } from "../core/access.js";
import type {
	AccessLogFilter,
	AccessLogPage,
	AuditEntry,
	CreatedKey,
	ImportItem,
	ImportReport,
	KeyPage,
	KeyQuery,
	NewAccessLogEntry,
	VerifyResult,
} from "../core/backend.js";
import { everyCapability } from "../core/backend.js";
import { type Catalog, catalogFor, type ProfileName } from "../core/catalog.js";
import { AppError } from "../core/errors.js";
import type { KeyRecord } from "../core/model.js";
import type { KeyInput } from "../core/rules.js";
import type { ServedJson, ServedStore, ServingHealth } from "../core/served-store.js";
import type { StoreSettings } from "../core/settings.js";
import { pruneAccessLog, queryAccessLog } from "./access-log.js";
import { AccessLogThread } from "./access-log-thread.js";
import { readAuditTrail, recordAudit } from "./audit-trail.js";
import { ChangeMarks } from "./change-marks.js";
import { type Db, type OpenOptions, openStore } from "./database.js";
import { KeyChanges } from "./key-changes.js";
import { ServedKeyLists } from "./key-list-thread.js";
import { KeyTable } from "./key-table.js";
import { LocalVerifier } from "./local-verifier.js";
import { Memos } from "./memos.js";
import { describeSqliteError } from "./sqlite-errors.js";
import { Statements } from "./statements.js";
import { StoreFileWatch } from "./storage-faults.js";
import { readSettings, writeSettings } from "./store-settings.js";

export class LocalStore implements ServedStore {
	readonly kind = "local" as const;
	readonly engine = "sqlite" as const;
	readonly capabilities = everyCapability;
	readonly catalog: Catalog;
	private readonly file: StoreFileWatch;
	private readonly statements: Statements;
	private readonly marks: ChangeMarks;
	private readonly keys: KeyTable;
	private readonly changes: KeyChanges;
	private readonly verifier: LocalVerifier;
	/** Values computed once per commit (anyMark), and once per change to keys or settings (keysMark). */
	private readonly memos = new Memos<string>();
	private readonly keyMemos = new Memos<number>();
	private logWriter: AccessLogThread | undefined;
	/** The server's key lists, read by a thread of their own so that requests are answered meanwhile. */
	private readonly lists: ServedKeyLists;
	private lastLogError: unknown;
	private closed = false;
	/** Told when a batch of access-log entries could not be written (they are kept and tried again). */
	onLogError: ((error: unknown) => void) | undefined;

	private constructor(
		readonly location: string,
		readonly profile: ProfileName,
		private readonly db: Db,
		secret: Buffer,
	) {
		this.catalog = catalogFor(profile);
		this.file = new StoreFileWatch(location);
		this.statements = new Statements(db);
		this.marks = new ChangeMarks(this.statements);
		this.keys = new KeyTable(this.statements, secret);
		this.changes = new KeyChanges(this.statements, this.keys, this.catalog, secret);
		this.verifier = new LocalVerifier(db, secret, this.catalog, this.marks, this.file, location);
		this.lists = new ServedKeyLists(location, this.file);
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

	/** Runs a store operation, turning SQLite's failures into one-line messages. */
	private guard<T>(operation: () => T): T {
		try {
			this.file.check();
			return operation();
		} catch (error) {
			throw describeSqliteError(error, this.location);
		}
	}

	private write<T>(operation: () => T): T {
		try {
			return this.guard(() => {
				// Never commit to a file that is no longer the store: the change would be lost unseen.
				this.file.check(true);
				return this.db.transaction(operation).immediate();
			});
		} finally {
			this.marks.noteCommit();
		}
	}

	/** A value derived from the store's contents (last uses included), computed once per commit by anyone. */
	private memo<T>(name: string, compute: () => T): T {
		return this.guard(() => this.memos.get(this.marks.anyMark(), name, compute));
	}

	/** A value derived from keys and settings alone, computed once per change to them: logging requests does not drop it. */
	private memoUntilKeysChange<T>(name: string, compute: () => T): T {
		return this.guard(() => this.keyMemos.get(this.marks.keysMark(), name, compute));
	}

	async listKeys(): Promise<KeyRecord[]> {
		return [...this.memo("keys", () => this.keys.all())];
	}

	async servedKeyList(details: boolean): Promise<ServedJson> {
		// pgutil's list holds no last use, so it lasts until a key changes; the details follow every commit.
		if (details) return this.memo("list-json-details", () => this.lists.read({ kind: "list", details }));
		return this.memoUntilKeysChange("list-json", () => this.lists.read({ kind: "list", details }));
	}

	// A remote console's windows of the list, read off the server's thread as the whole list is.
	readonly servedKeyPage = (query: KeyQuery): Promise<ServedJson> => this.lists.read({ kind: "page", query });
	readonly servedKeyIds = (query: Omit<KeyQuery, "offset" | "limit">): Promise<ServedJson> => this.lists.read({ kind: "ids", query });
	readonly servedKeysByIds = (ids: readonly number[]): Promise<ServedJson> => this.lists.read({ kind: "by-ids", ids });

	async queryKeys(query: KeyQuery): Promise<KeyPage> {
		return this.guard(() => this.keys.page(query));
	}

	async keyIds(query: Omit<KeyQuery, "offset" | "limit">): Promise<number[]> {
		return this.guard(() => this.keys.ids(query));
	}

	async keysByIds(ids: readonly number[]): Promise<KeyRecord[]> {
		if (ids.length === 0) return [];
		return this.guard(() => this.keys.byIds(ids));
	}

	async getKey(id: number): Promise<KeyRecord | undefined> {
		return this.guard(() => this.keys.row(id));
	}

	async createKey(input: KeyInput, options: { key?: string; actor: string }): Promise<CreatedKey> {
		return this.write(() => this.changes.create(input, options));
	}

	async updateKey(id: number, patch: KeyInput, actor: string): Promise<KeyRecord> {
		return this.write(() => this.changes.update(id, patch, actor));
	}

	async setEnabled(id: number, enabled: boolean, actor: string): Promise<KeyRecord> {
		return this.write(() => this.changes.setEnabled(id, enabled, actor));
	}

	async rollKey(id: number, actor: string): Promise<CreatedKey> {
		return this.write(() => this.changes.roll(id, actor));
	}

	async deleteKey(id: number, actor: string): Promise<void> {
		this.write(() => this.changes.delete(id, actor));
	}

	async convertLegacyKey(id: number, actor: string): Promise<KeyRecord> {
		return this.write(() => this.changes.convert(id, actor));
	}

	async importKeys(items: ImportItem[], options: { actor: string; partial: boolean }): Promise<ImportReport> {
		return this.write(() => this.changes.import(items, options));
	}

	async startServing(): Promise<void> {
		this.marks.checkChangesOncePerTurn();
		this.guard(() => this.verifier.prepare());
		this.lists.start();
	}

	/** Current while the file is the one opened; once it is deleted or replaced every check is refused (guard). No path: clients read it. */
	servingHealth(): ServingHealth {
		try {
			this.file.check(true);
			return { status: "ok" };
		} catch (error) {
			const said = error instanceof AppError ? error.message : "";
			// "PATH: the store file was deleted while in use; nothing was changed (…)": the middle is for anyone.
			const reason = said.startsWith(`${this.location}: `) ? (said.slice(this.location.length + 2).split(";")[0] ?? "") : "the store file cannot be read";
			return { status: "stale", reason, lastConfirmed: null };
		}
	}

	digestOf(key: string): string {
		return this.verifier.digestOf(key);
	}

	verifyNow(key: string, requirement: Requirement): VerifyResult {
		return this.verifier.verifyNow(key, requirement);
	}

	verifyDigestNow(digest: string, requirement: Requirement): VerifyResult {
		return this.verifier.verifyDigestNow(digest, requirement);
	}

	async getSettings(): Promise<StoreSettings> {
		return this.guard(() => readSettings(this.statements));
	}

	settingsNow(): StoreSettings {
		return this.memoUntilKeysChange("settings", () => readSettings(this.statements));
	}

	async updateSettings(changes: Record<string, unknown>, actor: string): Promise<StoreSettings> {
		return this.write(() => {
			const diff = writeSettings(this.statements, changes);
			if (Object.keys(diff).length > 0) recordAudit(this.statements, actor, "settings", null, { changes: diff });
			return readSettings(this.statements);
		});
	}

	async auditTrail(keyId?: number, limit = 200): Promise<AuditEntry[]> {
		return this.guard(() => readAuditTrail(this.statements, keyId, limit));
	}

	/** Changes whenever anything is committed, by this process or another: the console polls it to follow changes made elsewhere. */
	changeMark(): string {
		return this.guard(() => this.marks.anyMark());
	}

	async queryAccessLog(filter: AccessLogFilter, page: { before?: number; limit: number }): Promise<AccessLogPage> {
		return this.guard(() => queryAccessLog(this.db, filter, page));
	}

	/**
	 * Queues an access-log entry; it is written within the batch window, by a thread of its own
	 * (another connection, so its commits are seen here as any other connection's are).
	 */
	logAccess(entry: NewAccessLogEntry): void {
		this.logWriter ??= new AccessLogThread(this.location, this.file.identity, (error) => {
			this.lastLogError = describeSqliteError(error, this.location);
			this.onLogError?.(this.lastLogError);
		});
		this.logWriter.append(entry);
	}

	/** Has every queued entry written before it returns. */
	flushAccessLog(): void {
		this.guard(() => this.logWriter?.flush());
		this.marks.noteCommit();
	}

	async pruneAccessLog(now = new Date()): Promise<number> {
		return this.guard(() => {
			const settings = readSettings(this.statements);
			const retention = { maxAgeDays: settings.logRetentionDays, maxRows: settings.logMaxRows, maxBytes: settings.logMaxBytes };
			return pruneAccessLog(this.db, retention, now);
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
			throw describeSqliteError(error, this.location);
		}
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		try {
			const unwritten = this.logWriter?.close() ?? 0;
			if (unwritten > 0) {
				const reason = (this.lastLogError as Error | undefined)?.message ?? "unknown error";
				const entries = unwritten === 1 ? "entry" : "entries";
				throw new AppError(`${unwritten} access-log ${entries} could not be written: ${reason}`, "store");
			}
		} finally {
			this.db.close();
			await this.lists.close();
		}
	}
}
