/**
 * Opening a PostgreSQL store: connect, refuse a database that is not ours or is newer than this
 * program can work on, and check the profile and the HMAC secret. A read (`existing`) writes
 * nothing, so a role that may only SELECT can read; a writing command brings the schema up to its
 * own, and on an empty database makes the store. The secret lives in its own 0600 file on each
 * node, never in the database; the first writing command makes it, and a different one is refused.
 */
import postgres, { type ISql, type Sql } from "postgres";
import { withArticle } from "../../core/article.js";
import type { ProfileName } from "../../core/catalog.js";
import { AppError } from "../../core/errors.js";
import { checkValue, createSecret, readSecret } from "../secret-file.js";
import { driverUrl, redactedUrl } from "./database-url.js";
import { describePostgresError } from "./postgres-errors.js";
import { applyMigrations, lockMigrations, prepareSchema, readSchema, refuseNewer, type SchemaState } from "./schema.js";
import { rmSync } from "node:fs";

export interface PostgresOpenOptions {
	/** The file holding the store's HMAC secret (`--secret-file`). */
	secretFile: string;
	/** The profile for a new store; an existing store must already have it. */
	profile?: ProfileName;
	/**
	 * Only open a store that exists: an empty database is an error, and nothing is written (the
	 * schema is left as found; the store migrates it before its first write).
	 */
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
	/** The schema version the database is at as opened (a read leaves an older one as it is). */
	schemaVersion: number;
}

export async function openDatabase(url: string, options: PostgresOpenOptions): Promise<OpenedDatabase> {
	const location = redactedUrl(url);
	const driver = driverUrl(url);
	const pool = { max: options.maxConnections ?? 4, connect_timeout: 10, backoff: reconnectDelay };
	const sql = postgres(driver.url, { onnotice: () => {}, ...pool, ...passwordOption(driver) });
	try {
		const found = await readStore(sql, location);
		refuseNewer(found.schema, location);
		const warn = options.onWarning ?? (() => {});
		if (found.secretCheck === undefined) {
			if (options.existing) throw noStore(location, found.schema.version);
			const made = await createStore(sql, location, options.secretFile, options.profile);
			if (made !== undefined) return { sql, location, ...made, connectFeed: (lookTimeoutMs) => connectFeed(url, lookTimeoutMs) };
			// Another process made the store meanwhile: open it as it made it.
			Object.assign(found, await readStore(sql, location));
		}
		const profile = checkProfile(location, found.profile, options.profile);
		const secret = storedSecret(options.secretFile, found.secretCheck, warn);
		// A writing command brings the schema up to its own; a read works on it as it is.
		const schemaVersion = options.existing ? found.schema.version : await prepareSchema(sql, location);
		return { sql, location, profile, secret, schemaVersion, connectFeed: (lookTimeoutMs) => connectFeed(url, lookTimeoutMs) };
	} catch (error) {
		await sql.end({ timeout: 1 }).catch(() => {});
		throw describePostgresError(error, location);
	}
}

interface FoundStore {
	schema: SchemaState;
	/** undefined: no store, or one whose making never finished (it has no secret check). */
	secretCheck: string | undefined;
	profile: string | undefined;
}

/** What the database holds, read without writing a thing (a role that may only SELECT can read a store). */
async function readStore(sql: ISql, location: string): Promise<FoundStore> {
	const schema = await readSchema(sql, location);
	if (schema.version === 0) return { schema, secretCheck: undefined, profile: undefined };
	const rows = await sql<{ name: string; value: string }[]>`SELECT name, value FROM store_meta WHERE name IN ('secret_check', 'profile')`;
	const value = (name: string) => rows.find((row) => row.name === name)?.value;
	return { schema, secretCheck: value("secret_check"), profile: value("profile") };
}

function noStore(location: string, version: number): AppError {
	// A schema without its secret check: a first write failed part way (older versions left that); the next one completes it.
	const unfinished = version > 0 ? " (its making never finished)" : "";
	return new AppError(`no store in ${location}${unfinished}; create one with "apikeys-tui create …" or by opening the console on it`, "not-found");
}

/** The store's profile: the one it has, or for a store being made the one asked for (proget by default). */
function checkProfile(location: string, stored: string | undefined, wanted: ProfileName | undefined): ProfileName {
	const profile = (stored ?? wanted ?? "proget") as ProfileName;
	if (wanted !== undefined && wanted !== profile) {
		throw new AppError(`${location}: is ${withArticle(profile)} store; a store's profile cannot be changed (asked for ${wanted})`, "store");
	}
	return profile;
}

/** The secret in the file at `path`, refused unless the store's check value is its own. */
function storedSecret(path: string, check: string | undefined, warn: (message: string) => void): Buffer {
	const secret = readSecret(path, warn);
	if (secret === undefined) {
		throw new AppError(`${path}: the store's secret file is missing, so no key in the store can be verified; copy it from another node or restore it from a backup`, "store");
	}
	if (checkValue(secret) !== check) throw new AppError(`${path}: the secret file does not belong to this store; restore the right one`, "store");
	return secret;
}

/**
 * Makes the store: the schema, its profile, a new secret file and the secret's check value, in one
 * transaction under the migrations lock, so a failure leaves neither a schema without its check
 * value nor a secret file without a store, and of writers starting together the first makes the
 * store while the others wait and then open it (undefined). A schema an older version left
 * without its check value is completed.
 */
async function createStore(
	sql: Sql,
	location: string,
	path: string,
	wanted: ProfileName | undefined,
): Promise<Omit<OpenedDatabase, "sql" | "location" | "connectFeed"> | undefined> {
	let made = false;
	try {
		return await sql.begin(async (tx) => {
			await lockMigrations(tx);
			const found = await readStore(tx, location);
			refuseNewer(found.schema, location);
			if (found.secretCheck !== undefined) return undefined;
			const schemaVersion = await applyMigrations(tx, found.schema);
			const profile = checkProfile(location, found.profile, wanted);
			await tx`
				INSERT INTO store_meta (name, value) VALUES ('profile', ${profile}), ('created_at', ${new Date().toISOString()})
				ON CONFLICT (name) DO NOTHING`;
			const secret = newSecretFile(path);
			made = true;
			await tx`INSERT INTO store_meta (name, value) VALUES ('secret_check', ${checkValue(secret)})`;
			return { profile, secret, schemaVersion };
		});
	} catch (error) {
		// Nothing was committed: the file belongs to no store.
		if (made) rmSync(path, { force: true });
		throw error;
	}
}

/** Why a file could not be made, in words, for the errors a person can fix. */
const fileProblems: Record<string, string> = {
	EACCES: "permission denied",
	EPERM: "permission denied",
	EROFS: "the file system is read-only",
	ENOSPC: "no space left on the device",
	EDQUOT: "the disk quota is used up",
	ENOENT: "its folder does not take new files",
	ENOTDIR: "a part of the path is not a folder",
	EISDIR: "a folder is there",
	ELOOP: "a part of the path is a symbolic link loop",
	ENAMETOOLONG: "the path is too long",
};

/** A new secret in a new 0600 file at `path` (never into a file or link already there); one line naming the file when it cannot be made. */
function newSecretFile(path: string): Buffer {
	let secret: Buffer | undefined;
	try {
		secret = createSecret(path);
	} catch (error) {
		const { code = "", message } = error as NodeJS.ErrnoException;
		// A write that failed part way leaves a file of ours (O_EXCL: nothing was there).
		if (code === "ENOSPC" || code === "EDQUOT" || code === "EIO" || code === "EFBIG") rmSync(path, { force: true });
		const why = fileProblems[code] ?? message;
		throw new AppError(`${path}: cannot make the store's secret file (${why}); nothing was written to the database`, "store");
	}
	if (secret === undefined) {
		// A file there when the database has no store: left by a failed start of an older version, or someone else's.
		throw new AppError(`${path}: a file is already there but the database has no store yet; give a new path for its secret file (or remove that file)`, "store");
	}
	return secret;
}

/**
 * Seconds before connecting again after the `retries`th failure in a row: doubling from 50 ms up to
 * a second, as often as a node looks. postgres.js's own wait grows to 10-20 s after seven failures,
 * so a node whose database was down for half a minute went on failing for that long after it was
 * back (measured 14 s).
 */
function reconnectDelay(retries: number): number {
	return Math.min(0.05 * 2 ** retries, 1);
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
	const driver = driverUrl(url);
	const bounds = { connect_timeout: seconds, query_timeout: seconds, cancel_timeout: seconds, backoff: reconnectDelay };
	return postgres(driver.url, { onnotice: () => {}, max: 1, ...bounds, ...passwordOption(driver) });
}

/** A URL's `password` parameter as postgres.js's option: over PGPASSWORD and ~/.pgpass, as in libpq. */
function passwordOption(driver: { password?: string }): { pass?: string } {
	return driver.password === undefined ? {} : { pass: driver.password };
}
