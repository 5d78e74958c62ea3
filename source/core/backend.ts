/**
 * The one interface the console and the commands use, whatever holds the keys: the local SQLite
 * store or a remote instance over HTTP. The server asks more of a store: ServedStore
 * (served-store.ts) extends this interface.
 */
import type { AccessOutcome } from "./access.js";
import type { ProfileName } from "./catalog.js";
import type { KeyRecord, VerifiedKey } from "./model.js";
import type { KeyInput } from "./rules.js";
import type { StoreSettings } from "./settings.js";

export type Capability = { available: true } | { available: false; reason: string };

export interface Capabilities {
	update: Capability;
	enable: Capability;
	roll: Capability;
	accessLogs: Capability;
	settings: Capability;
	audit: Capability;
	lastUsed: Capability;
	/** Turning a legacy key into its 2024 equivalent, keeping its id and secret. */
	convert: Capability;
}

/** What a store of our own can do: everything. */
export const everyCapability: Capabilities = {
	update: { available: true },
	enable: { available: true },
	roll: { available: true },
	accessLogs: { available: true },
	settings: { available: true },
	audit: { available: true },
	lastUsed: { available: true },
	convert: { available: true },
};

export const keySortColumns = ["id", "name", "type", "expiration", "lastUsed", "created"] as const;
export type KeySortColumn = (typeof keySortColumns)[number];

export interface KeyQuery {
	/** Space-separated terms, all of which must match; smart case (any capital makes it exact-case). */
	filter?: string;
	sort?: { column: KeySortColumn; descending: boolean };
	offset: number;
	limit: number;
}

export interface KeyPage {
	rows: KeyRecord[];
	total: number;
}

export interface CreatedKey {
	record: KeyRecord;
	/** The secret, shown once. */
	key: string;
}

export interface AccessLogEntry {
	id: number;
	/** Milliseconds since the epoch. */
	at: number;
	keyId: number | null;
	keyName: string | null;
	method: string;
	path: string;
	status: number;
	durationMs: number;
	client: string;
	userAgent: string | null;
	requestBody: string | null;
	responseBody: string | null;
}

export type NewAccessLogEntry = Omit<AccessLogEntry, "id" | "keyName">;

export interface AccessLogFilter {
	keyId?: number;
	/** 2 for 2xx, 4 for 4xx, ... */
	statusClass?: number;
	status?: number;
	method?: string;
	pathPrefix?: string;
	/** Anywhere in the path (the console's bare words). */
	pathContains?: string;
	/** Milliseconds since the epoch, inclusive. */
	since?: number;
	until?: number;
}

export interface AccessLogPage {
	entries: AccessLogEntry[];
	/**
	 * Pass back as `before` for the next (older) page; undefined when there is none. A page can hold
	 * fewer entries than asked and still have one: a path filter searches a bounded window per page.
	 */
	nextBefore?: number;
}

export interface AuditEntry {
	id: number;
	at: string;
	actor: string;
	action: string;
	keyId: number | null;
	details: Record<string, unknown>;
}

export interface ImportItem extends KeyInput {
	key?: unknown;
}

export interface ImportReport {
	imported: { index: number; id: number; displayName: string | null }[];
	refused: { index: number; displayName: string | null; reason: string }[];
}

export interface VerifyResult {
	outcome: AccessOutcome;
	record?: VerifiedKey;
}

export interface Backend {
	readonly kind: "local" | "remote";
	/** Which engine a store of our own is on; a remote instance has none we can name. */
	readonly engine?: "sqlite" | "postgresql";
	/** A file path or a URL: where the keys live, for the header and messages. */
	readonly location: string;
	/** The database server that answered this store's connection and its version (PostgreSQL's; a multi-host URL names several). */
	answeringServer?(): Promise<{ address: string; version: string }>;
	readonly profile: ProfileName;
	readonly capabilities: Capabilities;
	/** The user a remote instance is signed in to as (`--username`): personal keys default to it. */
	readonly authenticatedUser?: string | undefined;

	/**
	 * Whether a remote instance pages the key list itself (`serve`), so that a first page and the
	 * count cost less than the whole list, as they do in a local store: the console then draws
	 * them before the ordered ids are in.
	 */
	readonly pagesKeys?: boolean;

	listKeys(): Promise<KeyRecord[]>;
	queryKeys(query: KeyQuery): Promise<KeyPage>;
	/** The ids of every key the filter matches, in the sort's order: the console's list index. */
	keyIds(query: Omit<KeyQuery, "offset" | "limit">): Promise<number[]>;
	/** These keys, in the order asked; ids that no longer exist are left out. */
	keysByIds(ids: readonly number[]): Promise<KeyRecord[]>;
	getKey(id: number): Promise<KeyRecord | undefined>;
	/** `key` is custom key text; without it one is generated. */
	createKey(input: KeyInput, options: { key?: string; actor: string }): Promise<CreatedKey>;
	updateKey(id: number, patch: KeyInput, actor: string): Promise<KeyRecord>;
	setEnabled(id: number, enabled: boolean, actor: string): Promise<KeyRecord>;
	/** A new secret for the same key record; the old one stops working at once. */
	rollKey(id: number, actor: string): Promise<CreatedKey>;
	deleteKey(id: number, actor: string): Promise<void>;
	/** Turns a legacy (type other) key into the equivalent 2024 key; same id, same secret. */
	convertLegacyKey(id: number, actor: string): Promise<KeyRecord>;
	/** All or nothing unless `partial`: refused items are reported, never half-imported. */
	importKeys(
		items: ImportItem[],
		options: { actor: string; partial: boolean },
	): Promise<ImportReport>;

	getSettings(): Promise<StoreSettings>;
	updateSettings(changes: Record<string, unknown>, actor: string): Promise<StoreSettings>;

	queryAccessLog(
		filter: AccessLogFilter,
		page: { before?: number; limit: number },
	): Promise<AccessLogPage>;
	auditTrail(keyId?: number, limit?: number): Promise<AuditEntry[]>;
	/** Applies the retention settings now; resolves to the number of entries removed. */
	pruneAccessLog(): Promise<number>;

	/**
	 * Where the backend can tell cheaply: a value that changes whenever anything is committed, by
	 * anyone, so the console can follow changes made elsewhere.
	 */
	changeMark?(): string;

	/**
	 * The id of the key this program itself signs in with, where the instance says which it is
	 * (apikeys-tui serve answers with the X-ApiKeys-Tui-Key-Id header; ProGet cannot tell).
	 */
	ownKeyId?(): number | undefined;

	close(): Promise<void>;
}
