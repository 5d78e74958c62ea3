/**
 * Chooses and opens the backend the global options point at: a remote instance with --source (a
 * URL or a source name), else a store of our own (--db, APIKEYS_TUI_DB, or the default): an
 * SQLite file, or a PostgreSQL database for a `postgres://` URL (with its --secret-file).
 */
import { existsSync, lstatSync, type Stats, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Backend } from "../core/backend.js";
import { parseProfileName, type ProfileName } from "../core/catalog.js";
import { AppError } from "../core/errors.js";
import type { Credentials } from "../remote/http-client.js";
import { RemoteBackend } from "../remote/remote-backend.js";
import { findSource, sourceCredentials } from "../remote/sources.js";
import { LocalStore } from "../store/local-store.js";
import { resolveDbPath } from "../store/paths.js";
import { isPostgresUrl, redactedUrl } from "../store/postgres/database-url.js";
import { PostgresStore } from "../store/postgres/postgres-store.js";
import { type BackendUse, type CommandIo, type Flags, optionError, stringFlag, UsageError } from "./command.js";

/** Stores reached by a URL in --db, by scheme: any other `scheme://…` is refused rather than taken for a relative file path. */
const storeUrlSchemes: ReadonlySet<string> = new Set(["postgres", "postgresql"]);

function schemeOf(text: string): string | undefined {
	return /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
}

function isUrl(text: string): boolean {
	return schemeOf(text) !== undefined;
}

function checkNotUrl(chosen: Given): void {
	const scheme = schemeOf(chosen.value);
	if (scheme !== undefined && !storeUrlSchemes.has(scheme)) {
		throw givenError(chosen, `"${chosen.value}" is a URL, and there is no ${scheme}:// store; --db takes a file path or a postgres:// URL (a remote instance is --source)`);
	}
}

/** A store's warnings (a secret file others can read) as one stderr line each. */
export function warnOnStderr(io: CommandIo): (message: string) => void {
	return (message) => io.stderr(`apikeys-tui: warning: ${message}\n`);
}

function profileOf(flags: Flags): ProfileName | undefined {
	const profileText = stringFlag(flags, "profile");
	const profile = profileText === undefined ? undefined : parseProfileName(profileText);
	if (profileText !== undefined && profile === undefined) {
		throw optionError("profile", `"${profileText}" is not a profile: use proget or otter`);
	}
	return profile;
}

/** A store option's value and where it was given: the option, or the variable a refusal must name instead. */
interface Given {
	value: string;
	/** The option (`--db`) or the variable (`$APIKEYS_TUI_DB`) it came from, as a refusal names it. */
	name: string;
}

/** A usage error about a value, naming the option or the variable it came from. */
function givenError(given: Pick<Given, "name">, message: string): UsageError {
	return new UsageError(`${given.name} error: ${message}`);
}

/** The store --db (or $APIKEYS_TUI_DB) names, as given; undefined for the default file. */
function chosenStore(flags: Flags, env: NodeJS.ProcessEnv): Given | undefined {
	// `--db="$STORE"` with the variable unset must not fall back to the default store and change it.
	if (flags.db === "") throw optionError("db", "is empty: give a store file or a postgres:// URL, or leave --db out for the default store");
	const flag = stringFlag(flags, "db");
	const fromEnv = env.APIKEYS_TUI_DB?.trim() || undefined;
	const chosen = flag !== undefined ? { value: flag, name: "--db" } : fromEnv !== undefined ? { value: fromEnv, name: "$APIKEYS_TUI_DB" } : undefined;
	if (chosen !== undefined) checkNotUrl(chosen);
	return chosen;
}

/**
 * A secret file path that can never hold the secret, refused before the database is touched: a
 * first writing command would otherwise make the schema and only then fail on the file.
 */
function checkSecretFilePath(given: Given): void {
	let found: Stats;
	try {
		found = lstatSync(given.value);
	} catch {
		const folder = dirname(resolve(given.value));
		if (!existsSync(folder)) throw givenError(given, `the folder ${folder} does not exist; make it first (install -d -m 700 '${folder}')`);
		if (!statSync(folder).isDirectory()) throw givenError(given, `${folder} is a file, not a folder`);
		return;
	}
	// A link is refused by the store itself, which says why.
	if (found.isFile() || found.isSymbolicLink()) return;
	const kind = found.isDirectory() ? "a folder" : found.isCharacterDevice() || found.isBlockDevice() ? "a device" : "a pipe or a socket";
	throw givenError(given, `${given.value} is ${kind}, not a file: give the path of the store's secret file`);
}

/**
 * The SQLite store. For a PostgreSQL --db, `what` says which command needs a file and `instead`
 * what to do on PostgreSQL.
 */
export function openLocalStore(flags: Flags, env: NodeJS.ProcessEnv, use: BackendUse = {}, what = "this command", instead?: string): LocalStore {
	const profile = profileOf(flags);
	const chosen = chosenStore(flags, env);
	if (chosen !== undefined && isPostgresUrl(chosen.value)) {
		throw givenError(chosen, `${what} works on an SQLite store file, not a PostgreSQL database${instead ? `: ${instead}` : ""}`);
	}
	if (stringFlag(flags, "secretFile") !== undefined) throw optionError("secret-file", "applies to a PostgreSQL store (--db=postgres://…); a store file keeps its secret beside it");
	return LocalStore.open(resolveDbPath(chosen?.value, env), {
		...(profile ? { profile } : {}),
		existing: use.existing === true,
		...(use.warn ? { onWarning: use.warn } : {}),
	});
}

/**
 * The store of our own the options name, to work on or to serve: the SQLite file, or the
 * PostgreSQL database of a `postgres://` URL with the secret file --secret-file (or
 * $APIKEYS_TUI_SECRET_FILE) names.
 */
export async function openOwnStore(flags: Flags, env: NodeJS.ProcessEnv, use: BackendUse = {}): Promise<LocalStore | PostgresStore> {
	const chosen = chosenStore(flags, env);
	if (chosen === undefined || !isPostgresUrl(chosen.value)) return openLocalStore(flags, env, use);
	const profile = profileOf(flags);
	const flag = stringFlag(flags, "secretFile");
	const fromEnv = env.APIKEYS_TUI_SECRET_FILE?.trim() || undefined;
	const secretFile = flag !== undefined ? { value: flag, name: "--secret-file" } : fromEnv !== undefined ? { value: fromEnv, name: "$APIKEYS_TUI_SECRET_FILE" } : undefined;
	if (secretFile === undefined) {
		throw optionError("secret-file", "required with a PostgreSQL store: the file holding its HMAC secret (the first writing command makes it; copy it to every node), or $APIKEYS_TUI_SECRET_FILE");
	}
	const onArgv = stringFlag(flags, "db");
	if (onArgv !== undefined && redactedUrl(onArgv) !== onArgv) {
		use.warn?.("--db holds a password, which other users of this machine can read from the process list: give it in PGPASSWORD, ~/.pgpass or $APIKEYS_TUI_DB instead");
	}
	checkSecretFilePath(secretFile);
	return PostgresStore.open(chosen.value, {
		secretFile: secretFile.value,
		...(profile ? { profile } : {}),
		existing: use.existing === true,
		...(use.warn ? { onWarning: use.warn } : {}),
	});
}

export interface OpenOptions extends BackendUse {
	/** Ask the instance what it can do first (commands pgutil lacks, the console); pgutil's own do not. */
	discover: boolean;
	/** The console may ask for a missing password on the terminal. */
	askPassword: boolean;
}

/** How many of the options that read standard input were given as `-`: at most one may be. */
export function checkStdinOptions(flags: Flags): void {
	const readers = ["key", "apiKey", "password"].filter((name) => stringFlag(flags, name) === "-");
	if (readers.length > 1) {
		const names = readers.map((name) => `--${name === "apiKey" ? "api-key" : name}=-`);
		throw new UsageError(`${names.join(" and ")} both read standard input: give one of them another way ($APIKEYS_TUI_API_KEY, $APIKEYS_TUI_PASSWORD)`);
	}
}

/** The first line of standard input, as typed (a password may hold spaces); nothing there is refused. */
export async function firstLine(io: CommandIo, option: string): Promise<string> {
	const line = (await io.readStdin()).split(/\r?\n/)[0] ?? "";
	if (line === "") throw optionError(option, "standard input held nothing (expected it on the first line)");
	return line;
}

/**
 * The password for `user`: --password (`-`: standard input), $APIKEYS_TUI_PASSWORD, or, in the
 * console, the terminal. `whose` says in the refusal where the user came from.
 */
async function passwordFor(user: string, whose: string, flags: Flags, io: CommandIo, askPassword: boolean): Promise<string> {
	const given = stringFlag(flags, "password");
	let password = given === "-" ? await firstLine(io, "password") : (given ?? (io.env.APIKEYS_TUI_PASSWORD || undefined));
	if (password === undefined && askPassword && io.askSecret) password = await io.askSecret(`Password for ${user}: `);
	if (!password) throw optionError("password", `required with ${whose}: --password=- reads it from standard input, or set $APIKEYS_TUI_PASSWORD`);
	return password;
}

/**
 * Who to authenticate as, as pgutil chooses (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/pgutil/Extensions.cs#L23-L57):
 * --api-key before --username; then $APIKEYS_TUI_API_KEY; then the stored source's key, else its
 * user and password. A source stored with a user and no password takes the password as --username
 * does (pgutil cannot use such a source at all).
 */
async function credentialsFor(
	flags: Flags,
	io: CommandIo,
	source: { name?: string; token?: string; username?: string; password?: string } | undefined,
	askPassword: boolean,
): Promise<Credentials> {
	const apiKey = stringFlag(flags, "apiKey");
	if (apiKey !== undefined) return { apiKey: apiKey === "-" ? await firstLine(io, "api-key") : apiKey };
	const username = stringFlag(flags, "username");
	if (username !== undefined) return { username, password: await passwordFor(username, "--username", flags, io, askPassword) };
	const sourceUser = source && !source.token && source.username ? source.username : undefined;
	if (stringFlag(flags, "password") !== undefined) {
		if (sourceUser === undefined) throw optionError("password", "given without --username");
		return { username: sourceUser, password: await passwordFor(sourceUser, "--username", flags, io, askPassword) };
	}
	const envKey = io.env.APIKEYS_TUI_API_KEY?.trim();
	if (envKey) return { apiKey: envKey };
	if (sourceUser !== undefined && !source?.password) {
		return { username: sourceUser, password: await passwordFor(sourceUser, `the user of source ${source?.name ?? ""}`, flags, io, askPassword) };
	}
	return source ? sourceCredentials(source) : {};
}

/** A --source as a message may quote it: a URL with its password as `***`. */
function shownSource(text: string): string {
	return isUrl(text) ? redactedUrl(text) : text;
}

/**
 * A --source that cannot be a remote instance's URL, refused without printing a password: a
 * PostgreSQL database (that is --db), or a URL with a user or password in it (argv is public,
 * and a request is never sent with one).
 */
function checkSourceUrl(given: Given): void {
	const shown = shownSource(given.value);
	if (isPostgresUrl(given.value)) throw givenError(given, `"${shown}" is a PostgreSQL database: give it in --db; --source is a remote instance (https://… or a source name)`);
	if (/^https?:\/\/[^/?#]*@/i.test(given.value)) {
		throw givenError(given, `"${shown}" holds a user and password: give the user in --username and the password with --password=- or $APIKEYS_TUI_PASSWORD (argv is public), or a key in $APIKEYS_TUI_API_KEY`);
	}
}

/** The URL and the source entry a --source names: a source from the config files, or a URL as it is. */
export function resolveSource(flags: Flags, env: NodeJS.ProcessEnv): { url: string; source: ReturnType<typeof findSource> } | undefined {
	const flag = stringFlag(flags, "source");
	const given = flag ?? (env.APIKEYS_TUI_SOURCE?.trim() || undefined);
	if (given === undefined) return undefined;
	if (stringFlag(flags, "db") !== undefined) throw optionError("source", "give --db or --source, not both");
	checkSourceUrl({ value: given, name: flag !== undefined ? "--source" : "$APIKEYS_TUI_SOURCE" });
	const named = findSource(given, env);
	const url = named?.url ?? (/^https?:\/\//i.test(given) ? given : undefined);
	if (!url) throw optionError("source", `Source ${shownSource(given)} not found (see apikeys-tui sources list).`);
	return { url, source: named };
}

export async function openBackend(flags: Flags, io: CommandIo, options: OpenOptions): Promise<Backend> {
	checkStdinOptions(flags);
	const remote = resolveSource(flags, io.env);
	if (!remote) {
		// A key or a user given without --source means a remote was meant (pgutil would use its Default source).
		for (const name of ["apiKey", "username", "password"]) {
			if (stringFlag(flags, name) !== undefined) throw optionError(name === "apiKey" ? "api-key" : name, "applies to a remote instance (--source)");
		}
		return openOwnStore(flags, io.env, options);
	}
	if (stringFlag(flags, "profile") !== undefined) {
		throw new AppError("--profile applies to a new local store; a remote instance has its own", "invalid");
	}
	if (stringFlag(flags, "secretFile") !== undefined) {
		throw optionError("secret-file", "applies to a PostgreSQL store (--db=postgres://…); a remote instance keeps its own secret");
	}
	const credentials = await credentialsFor(flags, io, remote.source, options.askPassword);
	return RemoteBackend.connect(remote.url, { credentials, discover: options.discover, env: io.env });
}
