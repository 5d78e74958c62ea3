/** Stores the console tests start from, shared by the test files that need the same one. */
import type { LocalStore } from "../../source/store/local-store.js";
import { accessEntry } from "./access-entry.js";

/** `count` access-log entries a second apart, the newest with path /p/{count-1}. */
export function pagedLog(count: number): (store: LocalStore) => Promise<void> {
	return async (store) => {
		for (let i = 0; i < count; i++) store.logAccess(accessEntry({ at: Date.parse("2026-11-20T10:00:00Z") + i * 1000, path: `/p/${i}` }));
		store.flushAccessLog();
	};
}

/** One legacy (pre-2024) key, "Old", whose secret is legacy-native-key-000001. */
export async function legacyKey(store: LocalStore): Promise<void> {
	await store.importKeys([{ type: "other", systemApis: ["native-api"], key: "legacy-native-key-000001", displayName: "Old" }], {
		actor: "t",
		partial: false,
	});
}
