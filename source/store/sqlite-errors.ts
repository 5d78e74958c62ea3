/** SQLite's failures as one-line messages a person can act on, naming the store's file. */
import { AppError } from "../core/errors.js";
import { diskIsFull } from "./storage-faults.js";

function sqliteCode(error: unknown): string {
	return (error as { code?: string }).code ?? "";
}

/** `error` as a one-line AppError where it is one a person can act on; anything else as it was. */
export function describeSqliteError(error: unknown, location: string): unknown {
	if (error instanceof AppError) return error;
	const code = sqliteCode(error);
	if (code === "SQLITE_CONSTRAINT_UNIQUE") return new AppError("a key with this text already exists", "conflict");
	if (code === "SQLITE_FULL" || (code.startsWith("SQLITE_IOERR") && diskIsFull(location)))
		return new AppError(`${location}: the disk is full; nothing was changed`, "store");
	if (code.startsWith("SQLITE_READONLY"))
		return new AppError(`${location}: the store is read-only; nothing was changed`, "store");
	if (code === "SQLITE_BUSY")
		return new AppError(`${location}: the store stayed busy for 10 s; nothing was changed`, "unavailable");
	if (code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_CANTOPEN")
		return new AppError(`${location}: the store cannot be read or written (${code})`, "store");
	return error;
}
