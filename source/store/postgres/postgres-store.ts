/**
 * The PostgreSQL engine: keys in a PostgreSQL database shared by several `serve` nodes, served as
 * a Backend to the console and the commands and as a ServedStore to `serve`. Verification reads
 * this node's in-memory key index (key-index.ts), kept current from the ordered change feed;
 * everything else is a query. The SQL lives in the modules beside it; this class holds them together.
 */
import { type Requirement, checkAccess } from "../../core/access.js";
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
} from "../../core/backend.js";
import { everyCapability } from "../../core/backend.js";
import { type Catalog, catalogFor, type ProfileName } from "../../core/catalog.js";
import { AppError } from "../../core/errors.js";
import type { KeyRecord } from "../../core/model.js";
import type { KeyInput } from "../../core/rules.js";
import { keyDigestText } from "../../core/secret.js";
import { defaultMaxStalenessMs, type ServedStore, type ServingHealth, type ServingOptions } from "../../core/served-store.js";
import type { StoreSettings } from "../../core/settings.js";
import { pruneAccessLog, queryAccessLog } from "./access-log-reader.js";
import { PostgresAccessLog } from "./access-log-sink.js";
import { ChangeMarks } from "./change-marks.js";
import { PostgresKeyIndex } from "./key-index.js";
import { allKeys, keyIdList, keyPage, keysWithIds, keyWithId, servedKeyListBytes } from "./key-list.js";
import { KeyWrites } from "./key-writes.js";
import { openDatabase, type PostgresOpenOptions } from "./open-database.js";
import { describePostgresError } from "./postgres-errors.js";
import { latestSchema, prepareSchema, refuseOlderForReads } from "./schema.js";
import { readAuditTrail, readSettings } from "./settings-audit.js";
import { accessLogWords, LookReport } from "./look-report.js";
import { answeringServer, type AnsweringServer } from "./server-identity.js";
import { catchUpPollMs, lookTiming } from "./look-timing.js";
import { StalenessGate } from "./staleness-gate.js";
import type { Sql } from "postgres";

export class PostgresStore implements ServedStore {
	readonly kind = "local" as const;
	readonly engine = "postgresql" as const;
	readonly capabilities = everyCapability;
	readonly catalog: Catalog;
	private readonly writes: KeyWrites;
	private index: PostgresKeyIndex | undefined;
	/** The connection the index follows the changes on (open-database.ts connectFeed). */
	private feedSql: Sql | undefined;
	private gate: StalenessGate | undefined;
	/** Follows the change feed for changeMark() where no key index does. */
	private marks: ChangeMarks | undefined;
	private closed = false;
	/** Told when a batch of access-log entries could not be written (they are kept and tried again). */
	onLogError: ((error: unknown) => void) | undefined;
	/**
	 * Told, in a line, when looks for changes or access-log writes begin to fail (the next one
	 * retries), at most once a minute while they go on failing, and when one succeeds again
	 * (look-report.ts). While it is set, onLogError hears nothing: a write retried every second
	 * would otherwise be a line every second.
	 */
	onFeedReport: ((line: string) => void) | undefined;
	private readonly lookReport = new LookReport((line) => this.onFeedReport?.(line));
	private readonly logReport = new LookReport((line) => this.onFeedReport?.(line), undefined, accessLogWords);
	private readonly accessLog: PostgresAccessLog;

	private constructor(
		private readonly sql: Sql,
		readonly location: string,
		readonly profile: ProfileName,
		private readonly secret: Buffer,
		private readonly connectFeed: (lookTimeoutMs: number) => Sql,
		/** The schema as opened: a read leaves an older one as it is, the first write brings it up to date. */
		private schemaVersion: number,
	) {
		this.catalog = catalogFor(profile);
		this.writes = new KeyWrites(sql, this.catalog, secret);
		this.accessLog = new PostgresAccessLog(sql, (error) => describePostgresError(error, location), {
			failed: (described) => (this.onFeedReport ? this.logReport.failed(described) : this.onLogError?.(described)),
			written: () => this.logReport.current(),
		});
	}

	/** Opens the store in the database at `url` (see open-database.ts); `location` is the URL without its password. */
	static async open(url: string, options: PostgresOpenOptions): Promise<PostgresStore> {
		const opened = await openDatabase(url, options);
		return new PostgresStore(opened.sql, opened.location, opened.profile, opened.secret, opened.connectFeed, opened.schemaVersion);
	}

	/** Brings the schema up to this program's (under the migrations lock): before a write or serving, never for a read. */
	private async upgrade(): Promise<void> {
		if (this.schemaVersion < latestSchema) this.schemaVersion = await prepareSchema(this.sql, this.location);
	}

	/** A read, on a schema this program reads without migrating it, else refused saying what to run. */
	private read<T>(operation: () => Promise<T>): Promise<T> {
		return this.guard(async () => {
			refuseOlderForReads(this.schemaVersion, this.location);
			return operation();
		});
	}

	/** Runs a query, turning PostgreSQL's failures into one-line messages. */
	private async guard<T>(operation: () => Promise<T>): Promise<T> {
		try {
			return await operation();
		} catch (error) {
			throw describePostgresError(error, this.location);
		}
	}

	/** A change: once committed, this node's index holds it before the call resolves. */
	private async write<T>(operation: () => Promise<T>): Promise<T> {
		const result = await this.guard(async () => {
			await this.upgrade();
			return operation();
		});
		await this.index?.catchUp().catch((error: unknown) => this.lookReport.failed(describePostgresError(error, this.location)));
		return result;
	}

	/** Which server answered this store's connection (status names it). */
	answeringServer(): Promise<AnsweringServer> {
		return this.guard(async () => {
			const answering = await answeringServer(this.sql);
			if (!answering) throw new AppError(`${this.location}: the server did not say who it is`, "store");
			return answering;
		});
	}

	listKeys(): Promise<KeyRecord[]> {
		return this.read(() => allKeys(this.sql));
	}

	servedKeyList(details: boolean): Promise<Uint8Array> {
		return this.guard(() => servedKeyListBytes(this.sql, details));
	}

	queryKeys(query: KeyQuery): Promise<KeyPage> {
		return this.read(() => keyPage(this.sql, query));
	}

	keyIds(query: Omit<KeyQuery, "offset" | "limit">): Promise<number[]> {
		return this.read(() => keyIdList(this.sql, query));
	}

	keysByIds(ids: readonly number[]): Promise<KeyRecord[]> {
		return this.read(() => keysWithIds(this.sql, ids));
	}

	getKey(id: number): Promise<KeyRecord | undefined> {
		return this.read(() => keyWithId(this.sql, id));
	}

	createKey(input: KeyInput, options: { key?: string; actor: string }): Promise<CreatedKey> {
		return this.write(() => this.writes.create(input, options));
	}

	updateKey(id: number, patch: KeyInput, actor: string): Promise<KeyRecord> {
		return this.write(() => this.writes.update(id, patch, actor));
	}

	setEnabled(id: number, enabled: boolean, actor: string): Promise<KeyRecord> {
		return this.write(() => this.writes.setEnabled(id, enabled, actor));
	}

	rollKey(id: number, actor: string): Promise<CreatedKey> {
		return this.write(() => this.writes.roll(id, actor));
	}

	deleteKey(id: number, actor: string): Promise<void> {
		return this.write(() => this.writes.delete(id, actor));
	}

	convertLegacyKey(id: number, actor: string): Promise<KeyRecord> {
		return this.write(() => this.writes.convert(id, actor));
	}

	importKeys(items: ImportItem[], options: { actor: string; partial: boolean }): Promise<ImportReport> {
		return this.write(() => this.writes.import(items, options));
	}

	getSettings(): Promise<StoreSettings> {
		return this.read(() => readSettings(this.sql));
	}

	updateSettings(changes: Record<string, unknown>, actor: string): Promise<StoreSettings> {
		return this.write(() => this.writes.updateSettings(changes, actor));
	}

	auditTrail(keyId?: number, limit = 200): Promise<AuditEntry[]> {
		return this.read(() => readAuditTrail(this.sql, keyId, limit));
	}

	async startServing(options: ServingOptions = {}): Promise<void> {
		if (this.index) return;
		const maxStalenessMs = options.maxStalenessMs ?? defaultMaxStalenessMs;
		const gate = new StalenessGate(maxStalenessMs, () => this.index?.confirmedAt() ?? Number.NEGATIVE_INFINITY);
		// A node starting is a writer: the first of a new version migrates the schema for all.
		await this.guard(() => this.upgrade());
		const { pollMs, lookTimeoutMs } = lookTiming(maxStalenessMs);
		this.feedSql ??= this.connectFeed(lookTimeoutMs);
		const feedSql = this.feedSql;
		this.index = await this.guard(() =>
			PostgresKeyIndex.open(feedSql, {
				pollMs,
				onError: (error) => {
					const described = describePostgresError(error, this.location);
					gate.noteError(described);
					this.lookReport.failed(described);
				},
				onCurrent: () => this.lookReport.current(),
			}),
		);
		this.gate = gate;
	}

	servingHealth(): ServingHealth {
		// Said to anyone (GET /health needs no key): it names no host.
		return this.gate?.health() ?? { status: "stale", reason: "the key index is not loaded yet", lastConfirmed: null };
	}

	private servingIndex(): PostgresKeyIndex {
		if (!this.index) throw new AppError(`${this.location}: the key index is not loaded (the store is not serving)`, "unavailable");
		return this.index;
	}

	digestOf(key: string): string {
		return keyDigestText(this.secret, key);
	}

	verifyNow(key: string, requirement: Requirement): VerifyResult {
		return this.verifyDigestNow(this.digestOf(key), requirement);
	}

	verifyDigestNow(digest: string, requirement: Requirement): VerifyResult {
		const index = this.servingIndex();
		this.gate?.check();
		const record = index.findText(digest);
		const outcome = checkAccess(record, requirement, this.catalog, new Date());
		return record ? { outcome, record } : { outcome };
	}

	settingsNow(): StoreSettings {
		return this.servingIndex().settings();
	}

	/**
	 * Moves when keys or settings change, through any node (last uses and the access log do not
	 * move it): the console polls it to follow changes made elsewhere. Follows the change feed from
	 * the first call, so the mark moves once as it starts.
	 */
	changeMark(): string {
		if (this.index) return String(this.index.revision());
		this.marks ??= new ChangeMarks(this.sql, {
			pollMs: catchUpPollMs,
			start: (read) => this.read(() => read(this.sql)),
			onError: (error) => this.lookReport.failed(describePostgresError(error, this.location)),
			onCurrent: () => this.lookReport.current(),
		});
		return this.marks.mark();
	}

	queryAccessLog(filter: AccessLogFilter, page: { before?: number; limit: number }): Promise<AccessLogPage> {
		return this.read(() => queryAccessLog(this.sql, filter, page));
	}

	logAccess(entry: NewAccessLogEntry): void {
		this.accessLog.append(entry);
	}

	async flushAccessLog(): Promise<void> {
		await this.guard(() => this.accessLog.flush());
	}

	pruneAccessLog(now = new Date()): Promise<number> {
		return this.guard(async () => {
			await this.upgrade();
			const settings = await readSettings(this.sql);
			const retention = { maxAgeDays: settings.logRetentionDays, maxRows: settings.logMaxRows, maxBytes: settings.logMaxBytes };
			return pruneAccessLog(this.sql, retention, now);
		});
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		try {
			await this.accessLog.close();
		} finally {
			await this.index?.close().catch(() => {});
			await this.marks?.stop().catch(() => {});
			await this.feedSql?.end({ timeout: 1 }).catch(() => {});
			await this.sql.end({ timeout: 5 });
		}
	}
}
