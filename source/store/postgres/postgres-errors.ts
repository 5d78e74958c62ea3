/** PostgreSQL's and the connection's failures as one-line messages a person can act on, naming the database (its URL without a password). */
import { statSync } from "node:fs";
import { homedir } from "node:os";
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
	if (code === "28P01" || code === "28000") return new AppError(`${where}: the server refused the sign-in (${firstLine(message)}); ${passwordAdvice()}`, "store");
	if (code === "SSL_NOT_SUPPORTED") {
		const asked = /[?&]sslmode=([^&#]*)/.exec(where)?.[0].slice(1) ?? (process.env.PGSSLMODE ? `PGSSLMODE=${process.env.PGSSLMODE}` : "the URL");
		return new AppError(`${where}: the server does not offer SSL, and ${asked} asks for it; turn SSL on in the server, or leave sslmode out where the link need not be encrypted`, "store");
	}
	if (tlsCertificateCodes.has(code)) {
		return new AppError(`${where}: the server's SSL certificate was not trusted (${firstLine(message)}); give its CA with sslrootcert=PATH, or use sslmode=require to encrypt without checking it`, "store");
	}
	const unknownSetting = code === "42704" ? /^unrecognized configuration parameter "(.*)"$/.exec(firstLine(message))?.[1] : undefined;
	if (unknownSetting !== undefined) {
		return new AppError(`${where}: the URL parameter "${unknownSetting}" is neither a connection option nor a server setting; check its spelling (e.g. target_session_attrs, sslmode)`, "store");
	}
	if (code === "3D000") return new AppError(`${where}: ${firstLine(message)}; create it first (createdb)`, "store");
	if (code === "25006") return new AppError(`${where}: the server is read-only (a standby); give the primary, or several hosts with target_session_attrs=primary`, "unavailable");
	if (code === "42501") return new AppError(`${where}: ${firstLine(message)}; the database user lacks a privilege the store needs`, "store");
	if (code === "53100") return new AppError(`${where}: the database server's disk is full; nothing was changed`, "store");
	return error;
}

function firstLine(text: string): string {
	return text.split("\n")[0] ?? "";
}

/** Node's codes for a server certificate that does not verify (sslmode=verify-full, or sslrootcert). */
const tlsCertificateCodes: ReadonlySet<string> = new Set([
	"SELF_SIGNED_CERT_IN_CHAIN",
	"DEPTH_ZERO_SELF_SIGNED_CERT",
	"UNABLE_TO_VERIFY_LEAF_SIGNATURE",
	"UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
	"CERT_HAS_EXPIRED",
	"ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * Where a password goes, and why the password file was not used if it was not: postgres.js, as
 * libpq, ignores a ~/.pgpass (or $PGPASSFILE) that others may read, without a word.
 */
function passwordAdvice(): string {
	const file = process.env.PGPASSFILE || `${homedir()}/.pgpass`;
	try {
		const mode = statSync(file).mode & 0o777;
		if ((mode & 0o077) !== 0) {
			return `${file} was ignored: others may read it (mode ${mode.toString(8).padStart(4, "0")}); fix with: chmod 600 '${file}'`;
		}
	} catch {
		// No password file: nothing was ignored.
	}
	return "give the password in PGPASSWORD or ~/.pgpass";
}
