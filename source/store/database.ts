/**
 * Opening a store file: refuse anything that is not ours (or is newer, or damaged) before a single
 * byte is written, then WAL, a busy timeout, the migrations in `db/`, and the per-store secret.
 */
import { randomBytes } from "node:crypto";
import {
	closeSync,
	constants,
	copyFileSync,
	existsSync,
	linkSync,
	lstatSync,
	mkdirSync,
	openSync,
	readdirSync,
	readFileSync,
	readSync,
	rmSync,
	type Stats,
	statSync,
} from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { ProfileName } from "../core/catalog.js";
import { withArticle } from "../core/article.js";
import { AppError } from "../core/errors.js";
import { newFileFlags } from "./file-flags.js";
import { packageFile } from "./package-root.js";
import { secretPathFor } from "./paths.js";
import { loadStoreSecret } from "./secret-file.js";
import { diskIsFull, onReadOnlyFileSystem } from "./storage-faults.js";

export type Db = Database.Database;

/** "AKTU": marks a SQLite file as an apikeys-tui store. */
const applicationId = 0x414b5455;
const sqliteHeader = "SQLite format 3\u0000";

export interface OpenedStore {
	db: Db;
	path: string;
	secret: Buffer;
	profile: ProfileName;
}

export interface OpenOptions {
	/** The profile for a new store; an existing store must already have it. */
	profile?: ProfileName;
	/** Only open a store that exists (a read command): a missing one is an error and nothing is created. */
	existing?: boolean;
	/** Hears a problem that does not stop the store opening (a secret file others can read). */
	onWarning?: (message: string) => void;
}

interface Migration {
	version: number;
	file: string;
}

export function migrations(): Migration[] {
	const dir = packageFile("db");
	return readdirSync(dir)
		.filter((name) => /^\d+_[\w-]+\.sql$/.test(name))
		.map((name) => ({ version: Number.parseInt(name, 10), file: `${dir}/${name}` }))
		.sort((a, b) => a.version - b.version);
}

function storeError(path: string, problem: string): AppError {
	return new AppError(`${path}: ${problem}`, "store");
}

function linkStat(path: string): Stats | undefined {
	try {
		return lstatSync(path);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
		throw error;
	}
}

/**
 * A new store is made under a private temporary name and linked into place: linking fails when
 * anything is there, so a store is never made into a file or link someone else left, and a
 * second process creating the same store at that moment opens the first one's.
 */
function createStoreFile(path: string): void {
	mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
	const temporary = `${path}.new-${process.pid}-${randomBytes(4).toString("hex")}`;
	closeSync(openSync(temporary, newFileFlags, 0o600));
	try {
		const db = new Database(temporary, { fileMustExist: true });
		try {
			db.pragma(`application_id = ${applicationId}`);
		} finally {
			db.close();
		}
		try {
			linkSync(temporary, path);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code ?? "";
			if (code === "EEXIST") return;
			// A file system without hard links: an exclusive copy, which fails as well when anything is there.
			if (!["EPERM", "ENOTSUP", "ENOSYS"].includes(code)) throw error;
			try {
				copyFileSync(temporary, path, constants.COPYFILE_EXCL);
			} catch (copyError) {
				if ((copyError as NodeJS.ErrnoException).code !== "EEXIST") throw copyError;
			}
		}
	} finally {
		rmSync(temporary, { force: true });
	}
}

/** Creates the store 0600 (its folder 0700) so no other user can ever read it, or checks that the file there is one. */
function prepareFile(path: string, existing: boolean): void {
	// Looked at before the database: a new store's creator makes the database first, the secret after.
	const secretPath = secretPathFor(path);
	const secret = linkStat(secretPath);
	if (secret?.isSymbolicLink()) {
		throw storeError(secretPath, "is a symbolic link; a store's secret file must be the file itself, beside the store (replace the link with the file)");
	}
	if (!existsSync(path)) {
		if (linkStat(path)?.isSymbolicLink()) {
			throw storeError(path, "is a symbolic link to nothing; a store is never created through a link (give the real path)");
		}
		if (secret) {
			// The store was deleted or moved: a new empty one here would hide that, and pick up its stale WAL.
			throw storeError(
				path,
				`is missing but its secret file is there, so the store was deleted or moved; restore it from a backup (or remove ${secretPath} to start a new, empty store)`,
			);
		}
		if (existing) {
			throw new AppError(
				`no store at ${path}; create one with "apikeys-tui create …" or by opening the console on it`,
				"not-found",
			);
		}
		createStoreFile(path);
	}
	const stat = statSync(path);
	if (!stat.isFile()) throw storeError(path, "is not a regular file");
	if (stat.size === 0) {
		throw storeError(path, "is an empty file, not a store; it was left untouched (a store is only created where no file is: remove it first)");
	}
	const header = Buffer.alloc(16);
	const fd = openSync(path, "r");
	try {
		readSync(fd, header, 0, 16, 0);
	} finally {
		closeSync(fd);
	}
	if (header.toString("latin1") !== sqliteHeader) {
		throw storeError(
			path,
			"is not an apikeys-tui store (not an SQLite database); it was left untouched",
		);
	}
}

function checkOwnership(db: Db, path: string, latest: number): void {
	const version = db.pragma("user_version", { simple: true }) as number;
	const appId = db.pragma("application_id", { simple: true }) as number;
	if (appId !== 0 && appId !== applicationId) {
		throw storeError(
			path,
			"is an SQLite database of another program, not an apikeys-tui store; it was left untouched",
		);
	}
	if (version > latest) {
		throw storeError(
			path,
			`was written by a newer apikeys-tui (schema ${version}; this program knows up to ${latest}). Upgrade apikeys-tui to use it; the file was left untouched`,
		);
	}
	if (appId === 0) {
		const tables = db.prepare("SELECT count(*) FROM sqlite_master").pluck().get() as number;
		if (tables > 0) {
			throw storeError(
				path,
				"is an SQLite database of another program, not an apikeys-tui store; it was left untouched",
			);
		}
	}
}

function migrate(db: Db, all: Migration[]): void {
	for (const migration of all) {
		const apply = db.transaction(() => {
			// Re-read inside the write lock: another process may have migrated meanwhile.
			const current = db.pragma("user_version", { simple: true }) as number;
			if (current >= migration.version) return;
			db.exec(readFileSync(migration.file, "utf8"));
			db.pragma(`user_version = ${migration.version}`);
			db.pragma(`application_id = ${applicationId}`);
		});
		apply.immediate();
	}
}

function settleProfile(db: Db, path: string, wanted: ProfileName | undefined): ProfileName {
	const decide = db.transaction((): ProfileName => {
		const stored = db
			.prepare("SELECT value FROM store_meta WHERE name = 'profile'")
			.pluck()
			.get() as ProfileName | undefined;
		if (stored === undefined) {
			const profile = wanted ?? "proget";
			db.prepare("INSERT INTO store_meta (name, value) VALUES ('profile', ?)").run(profile);
			db.prepare("INSERT OR IGNORE INTO store_meta (name, value) VALUES ('created_at', ?)").run(
				new Date().toISOString(),
			);
			return profile;
		}
		if (wanted !== undefined && wanted !== stored) {
			throw storeError(
				path,
				`is ${withArticle(stored)} store; a store's profile cannot be changed (asked for ${wanted})`,
			);
		}
		return stored;
	});
	return decide.immediate();
}

function describeSqliteError(path: string, error: unknown): AppError {
	const code = (error as { code?: string }).code ?? "";
	if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) {
		return storeError(path, "is damaged or not an SQLite database; it was left untouched");
	}
	if (code === "EROFS" || (code === "SQLITE_CANTOPEN" && onReadOnlyFileSystem(path))) {
		return storeError(path, "is on a read-only file system; apikeys-tui needs to write its journal files beside the store");
	}
	if (code === "SQLITE_CANTOPEN" || code === "EACCES")
		return storeError(path, "cannot be opened (check its permissions)");
	if (code === "SQLITE_READONLY" || code.startsWith("SQLITE_READONLY")) {
		return storeError(path, "is read-only for this user; apikeys-tui needs to write to it");
	}
	if (code === "SQLITE_FULL" || code === "ENOSPC" || (code.startsWith("SQLITE_IOERR") && diskIsFull(path))) {
		return storeError(path, "the disk is full; free some space and try again");
	}
	if (error instanceof AppError) return error;
	return storeError(path, (error as Error).message);
}

/** What every connection sets for itself (WAL mode is kept in the file). */
function configureConnection(db: Db): void {
	db.pragma("busy_timeout = 10000");
	db.pragma("synchronous = NORMAL");
	db.pragma("foreign_keys = ON");
}

/** Another connection to a store this process has opened with openStore (which checked and migrated it). */
export function openConnection(path: string): Db {
	const db = new Database(path, { fileMustExist: true });
	try {
		configureConnection(db);
		return db;
	} catch (error) {
		db.close();
		throw error;
	}
}

export function openStore(path: string, options: OpenOptions = {}): OpenedStore {
	let db: Db | undefined;
	try {
		prepareFile(path, options.existing === true);
		db = new Database(path, { fileMustExist: true });
		db.pragma("busy_timeout = 10000");
		const all = migrations();
		checkOwnership(db, path, all.at(-1)?.version ?? 0);
		db.pragma("journal_mode = WAL");
		configureConnection(db);
		migrate(db, all);
		const profile = settleProfile(db, path, options.profile);
		const secret = loadStoreSecret(db, secretPathFor(path), options.onWarning ?? (() => {}));
		return { db, path, secret, profile };
	} catch (error) {
		db?.close();
		throw describeSqliteError(path, error);
	}
}
