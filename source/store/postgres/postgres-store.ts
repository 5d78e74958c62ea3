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
import { PostgresAccessLogWriter } from "./access-log-writer.js";
import { type ChangeFollower, databaseIdentity, followChanges, headRevision } from "./change-feed.js";
import { PostgresKeyIndex } from "./key-index.js";
import { allKeys, keyIdList, keyPage, keysWithIds, keyWithId, servedKeyListBytes } from "./key-list.js";
import { KeyWrites } from "./key-writes.js";
import { openDatabase, type PostgresOpenOptions } from "./open-database.js";
import { describePostgresError } from "./postgres-errors.js";
import { latestSchema, prepareSchema, readableFrom } from "./schema.js";
import { readAuditTrail, readSettings } from "./settings-audit.js";
import { accessLogWords, LookReport } from "./look-report.js";
import { StalenessGate } from "./staleness-gate.js";
import type { Sql } from "postgres";

/** How often a node looks for changes without being notified: a lost notification is found this late at most. */
const catchUpPollMs = 1_000;
/** Looks per max-staleness at least, so one slow look does not trip the staleness gate. */
const looksPerMaxStaleness = 4;
/**
 * A look's queries are given up after this share of max-staleness, within these bounds: a look
 * takes milliseconds, and a reload reads pages of keys, each a short query.
 */
const lookTimeoutBounds = { min: 1_000, max: 5_000 } as const;

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
	private logWriter: PostgresAccessLogWriter | undefined;
	/** Follows the change feed for changeMark() where no key index does. */
	private markFollower: ChangeFollower | undefined;
	private markFollowerStarted = false;
	private lastLogError: unknown;
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
		if (this.schemaVersion < readableFrom) {
			const problem = `holds a store of schema ${this.schemaVersion}, older than this program reads (schema ${readableFrom} on), and a read does not migrate it`;
			const remedy = "a writing command of this version does: start \"apikeys-tui serve\" on it, or open the console on it without --readonly";
			return Promise.reject(new AppError(`${this.location}: ${problem}; ${remedy}`, "store"));
		}
		return this.guard(operation);
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

	/** The server's address as it sees this connection (a unix socket has none: its folder and port), and its version. */
	answeringServer(): Promise<{ address: string; version: string }> {
		return this.guard(async () => {
			// pg_settings leaves out what the role may not read (the socket folder needs pg_read_all_settings), where current_setting() fails.
			const [row] = await this.sql<{ address: string | null; port: number; sockets: string | null; version: string }[]>`
				SELECT host(inet_server_addr()) AS address, current_setting('port')::int AS port,
					(SELECT setting FROM pg_settings WHERE name = 'unix_socket_directories') AS sockets,
					split_part(current_setting('server_version'), ' ', 1) AS version`;
			if (!row) throw new AppError(`${this.location}: the server did not say who it is`, "store");
			const socket = row.sockets === null ? "a unix socket" : `unix socket ${row.sockets}`;
			const address = row.address === null ? `${socket} port ${row.port}` : `${row.address.includes(":") ? `[${row.address}]` : row.address}:${row.port}`;
			return { address, version: row.version };
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
		const lookMs = maxStalenessMs / looksPerMaxStaleness;
		this.feedSql ??= this.connectFeed(Math.min(lookTimeoutBounds.max, Math.max(lookTimeoutBounds.min, lookMs)));
		const feedSql = this.feedSql;
		this.index = await this.guard(() =>
			PostgresKeyIndex.open(feedSql, {
				pollMs: Math.min(catchUpPollMs, lookMs),
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
		if (!this.markFollowerStarted) {
			this.markFollowerStarted = true;
			this.followForMarks().catch((error: unknown) => {
				this.markFollowerStarted = false;
				this.lookReport.failed(describePostgresError(error, this.location));
			});
		}
		return String(this.markFollower?.revision() ?? "");
	}

	private async followForMarks(): Promise<void> {
		const { after, database } = await this.read(() => this.sql.begin("isolation level repeatable read read only", async (tx) => ({
			after: await headRevision(tx),
			database: await databaseIdentity(tx),
		})));
		this.markFollower = await followChanges(this.sql, {
			after,
			database,
			pollMs: catchUpPollMs,
			onError: (error) => this.lookReport.failed(describePostgresError(error, this.location)),
			onCurrent: () => this.lookReport.current(),
			apply: () => {},
		});
		if (this.closed) await this.markFollower.stop();
	}

	queryAccessLog(filter: AccessLogFilter, page: { before?: number; limit: number }): Promise<AccessLogPage> {
		return this.read(() => queryAccessLog(this.sql, filter, page));
	}

	/** Queues an access-log entry; it is written within the batch window, with others in one INSERT. */
	logAccess(entry: NewAccessLogEntry): void {
		this.logWriter ??= new PostgresAccessLogWriter(
			this.sql,
			(error) => {
				this.lastLogError = describePostgresError(error, this.location);
				if (this.onFeedReport) this.logReport.failed(this.lastLogError);
				else this.onLogError?.(this.lastLogError);
			},
			undefined,
			() => this.logReport.current(),
		);
		this.logWriter.append(entry);
	}

	/** Has every queued entry and the keys' last uses written before it resolves. */
	async flushAccessLog(): Promise<void> {
		await this.guard(async () => this.logWriter?.flush(true));
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
			const unwritten = (await this.logWriter?.close()) ?? 0;
			if (unwritten > 0) {
				const reason = (this.lastLogError as Error | undefined)?.message ?? "unknown error";
				const entries = unwritten === 1 ? "entry" : "entries";
				throw new AppError(`${unwritten} access-log ${entries} could not be written: ${reason}`, "store");
			}
		} finally {
			await this.index?.close().catch(() => {});
			await this.markFollower?.stop().catch(() => {});
			await this.feedSql?.end({ timeout: 1 }).catch(() => {});
			await this.sql.end({ timeout: 5 });
		}
	}
}
