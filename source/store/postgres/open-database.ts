/**
 * Opening a PostgreSQL store: connect, refuse a database that is not ours or is newer, create or
 * migrate the schema (a read command on an empty database finds no store and changes nothing),
 * then settle the profile and the HMAC secret. The secret lives in its own 0600 file on each node,
 * never in the database; the first writing command makes it, and a different one is refused.
 */
import postgres, { type Sql } from "postgres";
import { withArticle } from "../../core/article.js";
import type { ProfileName } from "../../core/catalog.js";
import { AppError } from "../../core/errors.js";
import { createSecret, readSecret } from "../secret-file.js";
import { redactedUrl } from "./database-url.js";
import { describePostgresError } from "./postgres-errors.js";
import { prepareSchema, readSchema } from "./schema.js";
import { settleMeta, settleSecret } from "./store-meta.js";
import { unlinkSync } from "node:fs";

export interface PostgresOpenOptions {
	/** The file holding the store's HMAC secret (`--secret-file`). */
	secretFile: string;
	/** The profile for a new store; an existing store must already have it. */
	profile?: ProfileName;
	/** Only open a store that exists (a read command): an empty database is an error and nothing is created. */
	existing?: boolean;
	/** Hears a problem that does not stop the store opening (a secret file others can read). */
	onWarning?: (message: string) => void;
	/** Connections at most (postgres.js's pool); LISTEN takes one more. */
	maxConnections?: number;
}

export interface OpenedDatabase {
	sql: Sql;
	/** A connection of its own for following the changes (see connectFeed). */
	connectFeed: (lookTimeoutMs: number) => Sql;
	/** The URL without its password: what messages and the header name. */
	location: string;
	profile: ProfileName;
	secret: Buffer;
}

export async function openDatabase(url: string, options: PostgresOpenOptions): Promise<OpenedDatabase> {
	const location = redactedUrl(url);
	const sql = postgres(url, { onnotice: () => {}, max: options.maxConnections ?? 4, connect_timeout: 10 });
	try {
		const found = await readSchema(sql, location);
		if (found.version === 0 && options.existing) {
			throw new AppError(`no store in ${location}; create one with "apikeys-tui create …" or by opening the console on it`, "not-found");
		}
		await prepareSchema(sql, location);
		const profile = await settleProfile(sql, location, options.profile);
		const secret = await settleStoreSecret(sql, options.secretFile, options.onWarning ?? (() => {}));
		return { sql, location, profile, secret, connectFeed: (lookTimeoutMs) => connectFeed(url, lookTimeoutMs) };
	} catch (error) {
		await sql.end({ timeout: 1 }).catch(() => {});
		throw describePostgresError(error, location);
	}
}

/**
 * The connection a serving node follows the changes on (its own, so a look never waits behind the
 * access log's writes), with every query bounded: postgres.js otherwise waits as long as TCP does
 * (minutes) on a link that drops packets without a reset. A query past `lookTimeoutMs` is
 * canceled; a cancel unanswered as long again closes the connection, and the next look connects
 * anew, so the node recovers by itself once the link is back. Its LISTEN connection is not bounded
 * (postgres.js's keep-alive finds it dead); the timed look covers for it meanwhile.
 */
function connectFeed(url: string, lookTimeoutMs: number): Sql {
	const seconds = lookTimeoutMs / 1000;
	return postgres(url, { onnotice: () => {}, max: 1, connect_timeout: seconds, query_timeout: seconds, cancel_timeout: seconds });
}

async function settleProfile(sql: Sql, location: string, wanted: ProfileName | undefined): Promise<ProfileName> {
	await settleMeta(sql, "created_at", new Date().toISOString());
	const stored = (await settleMeta(sql, "profile", wanted ?? "proget")) as ProfileName;
	if (wanted !== undefined && wanted !== stored) {
		throw new AppError(`${location}: is ${withArticle(stored)} store; a store's profile cannot be changed (asked for ${wanted})`, "store");
	}
	return stored;
}

/**
 * The store's secret: read from the file when the store has one, else made in a new file (never
 * into a file or link already there). A file we made that another node's secret beat is removed.
 */
async function settleStoreSecret(sql: Sql, path: string, warn: (message: string) => void): Promise<Buffer> {
	const [stored] = await sql<{ value: string }[]>`SELECT value FROM store_meta WHERE name = 'secret_check'`;
	if (stored !== undefined) {
		const secret = readSecret(path, warn);
		if (secret === undefined) {
			throw new AppError(`${path}: the store's secret file is missing, so no key in the store can be verified; copy it from another node or restore it from a backup`, "store");
		}
		await settleSecret(sql, secret, path);
		return secret;
	}
	const secret = createSecret(path);
	if (secret === undefined) {
		throw new AppError(`${path}: a file is already there but the database has no store yet; give a new path for its secret file (or remove that file)`, "store");
	}
	try {
		await settleSecret(sql, secret, path);
	} catch (error) {
		unlinkSync(path);
		throw error;
	}
	return secret;
}
