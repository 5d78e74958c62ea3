/**
 * Chooses and opens the backend the global options point at: a remote instance with --source (a
 * URL or a source name), else the local store (--db, APIKEYS_TUI_DB, or the default).
 */
import type { Backend } from "../core/backend.js";
import { parseProfileName } from "../core/catalog.js";
import { AppError } from "../core/errors.js";
import { RemoteBackend } from "../remote/remote-backend.js";
import { findSource } from "../remote/sources.js";
import { LocalStore } from "../store/local-store.js";
import { resolveDbPath } from "../store/paths.js";
import { type BackendUse, type CommandIo, type Flags, optionError, stringFlag } from "./command.js";

/**
 * Stores reached by a URL in --db, by scheme (a PostgreSQL store may come later). None yet: every
 * `scheme://…` is refused rather than taken for a relative file path.
 */
const storeUrlSchemes: ReadonlySet<string> = new Set();

function checkNotUrl(location: string): void {
	const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1]?.toLowerCase();
	if (scheme !== undefined && !storeUrlSchemes.has(scheme)) {
		throw optionError("db", `"${location}" is a URL, and there is no ${scheme}:// store; --db takes a file path (a remote instance is --source)`);
	}
}

/** A store's warnings (a secret file others can read) as one stderr line each. */
export function warnOnStderr(io: CommandIo): (message: string) => void {
	return (message) => io.stderr(`apikeys-tui: warning: ${message}\n`);
}

export function openLocalStore(flags: Flags, env: NodeJS.ProcessEnv, use: BackendUse = {}): LocalStore {
	const profileText = stringFlag(flags, "profile");
	const profile = profileText === undefined ? undefined : parseProfileName(profileText);
	if (profileText !== undefined && profile === undefined) {
		throw optionError("profile", `"${profileText}" is not a profile: use proget or otter`);
	}
	const chosen = stringFlag(flags, "db") ?? (env.APIKEYS_TUI_DB?.trim() || undefined);
	if (chosen !== undefined) checkNotUrl(chosen);
	return LocalStore.open(resolveDbPath(chosen, env), {
		...(profile ? { profile } : {}),
		existing: use.existing === true,
		...(use.warn ? { onWarning: use.warn } : {}),
	});
}

/** The URL and key a --source names: a source from the config files, or a URL as it is. */
export function resolveSource(flags: Flags, env: NodeJS.ProcessEnv): { url: string; apiKey: string | undefined } | undefined {
	const source = stringFlag(flags, "source") ?? (env.APIKEYS_TUI_SOURCE?.trim() || undefined);
	if (source === undefined) return undefined;
	if (stringFlag(flags, "db") !== undefined) throw optionError("source", "give --db or --source, not both");
	const named = findSource(source, env);
	const url = named?.url ?? (/^https?:\/\//i.test(source) ? source : undefined);
	if (!url) throw optionError("source", `Source ${source} not found (see apikeys-tui sources list).`);
	const apiKey = stringFlag(flags, "apiKey") ?? (env.APIKEYS_TUI_API_KEY?.trim() || undefined) ?? named?.token;
	return { url, apiKey };
}

export async function openBackend(flags: Flags, env: NodeJS.ProcessEnv, use: BackendUse = {}): Promise<Backend> {
	const remote = resolveSource(flags, env);
	if (!remote) return openLocalStore(flags, env, use);
	if (stringFlag(flags, "profile") !== undefined) {
		throw new AppError("--profile applies to a new local store; a remote instance has its own", "invalid");
	}
	return RemoteBackend.connect(remote.url, remote.apiKey);
}
