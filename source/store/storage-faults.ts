/**
 * Faults of the storage under a store: a full disk (which SQLite often reports only as an I/O
 * error, e.g. when its shared-memory file cannot grow) and a store file deleted or replaced while
 * a process has it open (SQLite would go on writing to the old file, which nobody will read again).
 */
import { accessSync, constants, statfsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { AppError } from "../core/errors.js";

/** Less free space than this beside the store is a full disk: SQLite grows its files in such steps. */
const nearlyFullBytes = 128 * 1024;

/** Whether the file system holding `path` has (next to) no space left. */
export function diskIsFull(path: string): boolean {
	try {
		const stats = statfsSync(dirname(path));
		return stats.bavail * stats.bsize < nearlyFullBytes;
	} catch {
		return false;
	}
}

/** Whether `path` is on a file system mounted read-only (where SQLite cannot make its WAL files). */
export function onReadOnlyFileSystem(path: string): boolean {
	try {
		accessSync(dirname(path), constants.W_OK);
		return false;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === "EROFS";
	}
}

/** How often reads look at the file again; every write looks first. */
const readCheckIntervalMs = 250;

export interface FileIdentity {
	device: number;
	inode: number;
}

/**
 * Remembers which file a store opened (device and inode) and refuses to go on once the path no
 * longer leads to it. A file replaced by copying over it in place keeps its inode and is not seen.
 */
export class StoreFileWatch {
	/** The file opened: another thread that opens the store again watches for this same file. */
	readonly identity: FileIdentity;
	private checkedAt = 0;

	constructor(
		private readonly path: string,
		identity?: FileIdentity,
	) {
		if (identity) this.identity = identity;
		else {
			const stat = statSync(path);
			this.identity = { device: stat.dev, inode: stat.ino };
		}
	}

	/** Throws a one-line AppError when the file was deleted or replaced; `now` forces a look. */
	check(now = false): void {
		const time = performance.now();
		if (!now && time - this.checkedAt < readCheckIntervalMs) return;
		let stat: { dev: number; ino: number } | undefined;
		try {
			stat = statSync(this.path);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
		}
		if (!stat) {
			throw new AppError(
				`${this.path}: the store file was deleted while in use; nothing was changed (restore it from a backup, then restart)`,
				"store",
			);
		}
		if (stat.dev !== this.identity.device || stat.ino !== this.identity.inode) {
			throw new AppError(
				`${this.path}: the store file was replaced by another file while in use; nothing was changed (restart to use the new file)`,
				"store",
			);
		}
		this.checkedAt = time;
	}
}
