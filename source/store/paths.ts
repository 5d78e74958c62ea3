/**
 * Where the default store lives: `$XDG_DATA_HOME/apikeys-tui/keys.db`, else
 * `~/.local/share/apikeys-tui/keys.db`; `--db` and `APIKEYS_TUI_DB` override it.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
	const dataHome = env.XDG_DATA_HOME?.trim()
		? env.XDG_DATA_HOME
		: join(homedir(), ".local", "share");
	return join(dataHome, "apikeys-tui", "keys.db");
}

export function resolveDbPath(
	flag: string | undefined,
	env: NodeJS.ProcessEnv = process.env,
): string {
	const chosen = flag?.trim() || env.APIKEYS_TUI_DB?.trim() || defaultDbPath(env);
	return resolve(chosen);
}

/** The per-store secret sits beside the database, never inside it. */
export function secretPathFor(dbPath: string): string {
	return `${dbPath}.secret`;
}
