/**
 * The per-store secret that keys the digests. It lives in its own 0600 file beside the database;
 * the database keeps only a check value, so a wrong or missing secret file is caught at once
 * instead of silently making every key invalid.
 */
import { createHmac, randomBytes } from "node:crypto";
import { closeSync, constants, fstatSync, openSync, readFileSync, writeSync } from "node:fs";
import { AppError } from "../core/errors.js";
import type { Db } from "./database.js";
import { newFileFlags } from "./file-flags.js";

const checkLabel = "apikeys-tui store secret check";

/** The check value a store keeps of its secret. */
export function checkValue(secret: Buffer): string {
	return createHmac("sha256", secret).update(checkLabel).digest("hex");
}

/** The secret in the file at `path`, or undefined where there is none; a link or a damaged file is refused. */
export function readSecret(path: string, warn: (message: string) => void): Buffer | undefined {
	let text: string;
	try {
		const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
		try {
			if ((fstatSync(fd).mode & 0o077) !== 0) {
				warn(`${path}: the store's secret file can be read by other users; fix with: chmod 600 '${path}'`);
			}
			text = readFileSync(fd, "utf8").trim();
		} finally {
			closeSync(fd);
		}
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === "ENOENT") return undefined;
		if (code === "ELOOP") throw new AppError(`${path}: the store's secret file is a symbolic link; replace the link with the file itself`, "store");
		throw new AppError(
			`${path}: cannot read the store's secret file (${(error as Error).message})`,
			"store",
		);
	}
	if (!/^[0-9a-f]{64}$/.test(text)) {
		throw new AppError(
			`${path}: the store's secret file is damaged (expected 64 hex characters)`,
			"store",
		);
	}
	return Buffer.from(text, "hex");
}

/** A new secret in a new 0600 file at `path`; undefined when anything is there already (a link included). */
export function createSecret(path: string): Buffer | undefined {
	const secret = randomBytes(32);
	let fd: number;
	try {
		fd = openSync(path, newFileFlags, 0o600);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
		throw error;
	}
	try {
		writeSync(fd, `${secret.toString("hex")}\n`);
	} finally {
		closeSync(fd);
	}
	return secret;
}

/** `warn` hears what is wrong but not fatal (a secret file others can read). */
export function loadStoreSecret(db: Db, path: string, warn: (message: string) => void): Buffer {
	const stored = db
		.prepare("SELECT value FROM store_meta WHERE name = 'secret_check'")
		.pluck()
		.get() as string | undefined;
	// Another process may create the file between our read and our create: then read theirs.
	const secret =
		readSecret(path, warn) ?? (stored === undefined ? createSecret(path) : undefined) ?? readSecret(path, warn);
	if (secret === undefined) {
		throw new AppError(
			`${path}: the store's secret file is missing, so no key in the store can be verified; restore it from a backup`,
			"store",
		);
	}
	const check = checkValue(secret);
	if (stored === undefined) {
		db.prepare("INSERT OR IGNORE INTO store_meta (name, value) VALUES ('secret_check', ?)").run(
			check,
		);
		const winner = db
			.prepare("SELECT value FROM store_meta WHERE name = 'secret_check'")
			.pluck()
			.get();
		if (winner !== check) throw new AppError(`${path}: does not belong to this store`, "store");
	} else if (stored !== check) {
		throw new AppError(
			`${path}: the secret file does not belong to this store; restore the right one`,
			"store",
		);
	}
	return secret;
}
