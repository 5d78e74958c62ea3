/** PostgreSQL's and the connection's failures as one-line messages a person can act on, naming the database (its URL without a password). */
import { AppError } from "../../core/errors.js";

interface DriverError {
	code?: string;
	message?: string;
}

/** `error` as a one-line AppError where it is one a person can act on; anything else as it was. */
export function describePostgresError(error: unknown, where: string): unknown {
	if (error instanceof AppError) return error;
	const { code = "", message = "" } = (error ?? {}) as DriverError;
	if (code === "23505" && message.includes("api_keys_digest")) return new AppError("a key with this text already exists", "conflict");
	if (["ECONNREFUSED", "ECONNRESET", "EPIPE", "ENOENT", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "57P01", "57P03"].includes(code)) {
		return new AppError(`${where}: cannot reach the PostgreSQL server (${firstLine(message) || code})`, "unavailable");
	}
	if (code === "QUERY_TIMEOUT") return new AppError(`${where}: the PostgreSQL server did not answer in time (${firstLine(message)})`, "unavailable");
	if (code === "28P01" || code === "28000") return new AppError(`${where}: the server refused the sign-in (${firstLine(message)}); give the password in PGPASSWORD or ~/.pgpass`, "store");
	if (code === "3D000") return new AppError(`${where}: ${firstLine(message)}; create it first (createdb)`, "store");
	if (code === "25006") return new AppError(`${where}: the server is read-only (a standby); give the primary, or several hosts with target_session_attrs=primary`, "unavailable");
	if (code === "42501") return new AppError(`${where}: ${firstLine(message)}; the database user lacks a privilege the store needs`, "store");
	if (code === "53100") return new AppError(`${where}: the database server's disk is full; nothing was changed`, "store");
	return error;
}

function firstLine(text: string): string {
	return text.split("\n")[0] ?? "";
}
