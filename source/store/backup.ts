/**
 * `apikeys-tui backup DEST`: the store copied with SQLite's online backup into DEST and its secret
 * into DEST.secret, both new 0600 files (never over anything), then opened again to prove the
 * copy is whole. A plain `cp` of a live store can miss what is still in its WAL file.
 */
import { closeSync, existsSync, lstatSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { AppError } from "../core/errors.js";
import { newFileFlags } from "./file-flags.js";
import { LocalStore } from "./local-store.js";
import { secretPathFor } from "./paths.js";

export interface BackupResult {
	keys: number;
	secretPath: string;
}

function refuseExisting(path: string): void {
	let there = true;
	try {
		lstatSync(path);
	} catch {
		there = false;
	}
	if (there) throw new AppError(`${path}: already exists; a backup never overwrites a file (choose a new name)`, "conflict");
}

function writeNewFile(path: string, content: Buffer): void {
	const fd = openSync(path, newFileFlags, 0o600);
	try {
		writeSync(fd, content);
	} finally {
		closeSync(fd);
	}
}

export async function backupStore(store: LocalStore, destination: string): Promise<BackupResult> {
	const secretPath = secretPathFor(destination);
	refuseExisting(destination);
	refuseExisting(secretPath);
	if (!existsSync(dirname(destination))) throw new AppError(`${dirname(destination)}: no such folder; create it first`, "not-found");
	const made: string[] = [];
	try {
		writeNewFile(secretPath, readFileSync(secretPathFor(store.location)));
		made.push(secretPath);
		writeNewFile(destination, Buffer.alloc(0));
		made.push(destination);
		await store.backupDatabase(destination);
		const copy = LocalStore.open(destination, { existing: true });
		try {
			return { keys: (await copy.listKeys()).length, secretPath };
		} finally {
			await copy.close();
		}
	} catch (error) {
		for (const path of made) rmSync(path, { force: true });
		const reason = error instanceof Error ? error.message : String(error);
		throw new AppError(`the backup failed, and what it had written was removed: ${reason}`, "store");
	}
}
