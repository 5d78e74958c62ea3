/**
 * What `apikeys-tui serve` needs of a store: the seam between the server (source/server/) and a
 * storage engine (the SQLite store and the PostgreSQL store; docs/STORE.md says how to add one).
 *
 * Verification is synchronous: every request is checked against an index of every key held in
 * memory, which the engine keeps current in the background (the SQLite engine by reading its
 * change table once per event-loop turn; the PostgreSQL engine by LISTEN plus a catch-up).
 * Everything else is asynchronous, so an engine over the network fits without caches of its own.
 */
import type { Requirement } from "./access.js";
import { AppError } from "./errors.js";
import type { Backend, KeyQuery, NewAccessLogEntry, VerifyResult } from "./backend.js";
import type { Catalog } from "./catalog.js";
import type { StoreSettings } from "./settings.js";

/**
 * Checks keys against the in-memory index. Never waits for I/O; throws an AppError (kind "store" or
 * "unavailable") when the index cannot be trusted to be current, and the server answers 503.
 */
export interface KeyVerifier {
	/** The keyed digest (HMAC) a key is looked up by: most of what a verification costs, so callers may keep it. */
	digestOf(key: string): string;
	/** verifyNow for a key whose digest the caller already has. */
	verifyDigestNow(digest: string, requirement: Requirement): VerifyResult;
	verifyNow(key: string, requirement: Requirement): VerifyResult;
}

/** Where the server writes what it was asked: queued and written in batches off the request path. */
export interface AccessLogSink {
	/** Queues one entry; returns at once. A failure to write is the engine's to report and retry. */
	logAccess(entry: NewAccessLogEntry): void;
}

/**
 * JSON as the server sends it: text, or its UTF-8 bytes (what an engine builds off the event loop
 * hands over whole, without a copy or a second encoding on the thread that answers requests).
 */
export type ServedJson = string | Uint8Array;

export interface ServingOptions {
	/**
	 * Verification is refused (AppError "unavailable") once the engine has not confirmed its index
	 * current for longer than this: a key revoked through another node may still be in it. An engine
	 * whose index cannot fall behind (a local file) never refuses.
	 */
	maxStalenessMs?: number;
}

/** The default of `serve --max-staleness`: above a database failover's duration. */
export const defaultMaxStalenessMs = 30_000;

/**
 * `reason` is said to anyone (`GET /health` needs no key): it names no host, file or driver text.
 * `lastConfirmed`: when the index was last known current (ISO time), null if never.
 */
/**
 * Verification refused because the engine cannot confirm its index current (ServingHealth "stale"):
 * the engine's own log already says why and for how long, so the server does not say it again.
 */
export class StaleIndexError extends AppError {
	constructor(message: string) {
		super(message, "unavailable");
		this.name = "StaleIndexError";
	}
}

export type ServingHealth =
	| { status: "ok" }
	/** Verifying from memory while the index cannot be confirmed current (the last look failed), within the limit. */
	| { status: "degraded"; reason: string; lastConfirmed: string | null }
	/** Verification refused: the index has not been confirmed current for longer than the limit. */
	| { status: "stale"; reason: string; lastConfirmed: string | null };

export interface ServedStore extends Backend, KeyVerifier, AccessLogSink {
	/** What a key may reach in this store's profile. */
	readonly catalog: Catalog;
	/**
	 * Starts keeping the verification index current and fills it; resolves once every key is in it.
	 * Called once, before the server listens.
	 */
	startServing(options?: ServingOptions): Promise<void>;
	/** Whether this node can vouch for its index now (`GET /health`); synchronous, as verification. */
	servingHealth(): ServingHealth;
	/**
	 * The key list the server answers, as JSON text: ProGet's ApiKeyInfo array, or with this store's
	 * own fields (`details`, for a remote console). It reflects every change committed before the call.
	 */
	servedKeyList(details: boolean): Promise<ServedJson>;
	/**
	 * `{"total":N,"keys":[…]}`: one page of the matching keys, filtered and sorted by the list spec
	 * (core/key-list-spec.ts), each with this store's own fields, and how many match — what a
	 * remote console shows first. No list the server answers may hold the event loop for more
	 * than a few milliseconds at 100,000 keys, so verification answers meanwhile: the SQLite
	 * engine, whose reads are synchronous, makes them on a thread of its own through these three.
	 * An engine whose reads wait on the network leaves them out, and the server answers from
	 * queryKeys, keyIds and keysByIds.
	 */
	servedKeyPage?(query: KeyQuery): Promise<ServedJson>;
	/** `{"ids":[…]}`: every matching key's id, in the sort's order. */
	servedKeyIds?(query: Omit<KeyQuery, "offset" | "limit">): Promise<ServedJson>;
	/** `{"keys":[…]}`: these keys in the order asked, those that no longer exist left out. */
	servedKeysByIds?(ids: readonly number[]): Promise<ServedJson>;
	/**
	 * The settings as of the index, synchronous (the server reads the log's body cap after each
	 * answer): the engine keeps them current with the keys.
	 */
	settingsNow(): StoreSettings;
}
