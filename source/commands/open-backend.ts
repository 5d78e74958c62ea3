/** Chooses and opens the backend the global options point at. */
import type { Backend } from "../core/backend.js";
import { parseProfileName } from "../core/catalog.js";
import { LocalStore } from "../store/local-store.js";
import { resolveDbPath } from "../store/paths.js";
import { type Flags, optionError, stringFlag } from "./command.js";

export function openLocalStore(flags: Flags, env: NodeJS.ProcessEnv): LocalStore {
	const profileText = stringFlag(flags, "profile");
	const profile = profileText === undefined ? undefined : parseProfileName(profileText);
	if (profileText !== undefined && profile === undefined) {
		throw optionError("profile", `"${profileText}" is not a profile: use proget or otter`);
	}
	return LocalStore.open(resolveDbPath(stringFlag(flags, "db"), env), profile ? { profile } : {});
}

export async function openBackend(flags: Flags, env: NodeJS.ProcessEnv): Promise<Backend> {
	return openLocalStore(flags, env);
}
