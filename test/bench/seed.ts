/**
 * Builds a store at bench size through the store's own code: keys of every type imported in one
 * transaction (the import path), access-log entries through the batched writer, spread over 90 days.
 */
import { generateKey } from "../../source/core/secret.js";
import type { ImportItem } from "../../source/core/backend.js";
import { LocalStore } from "../../source/store/local-store.js";

const feeds = ["npm-public", "nuget-internal", "pypi-mirror", "docker-prod", "maven-central", "helm"];
const groups = ["production-feeds", "staging-feeds", "third-party"];
const paths = ["/api/api-keys/list", "/nuget/nuget-internal/v3/index.json", "/npm/npm-public/left-pad", "/pypi/pypi-mirror/simple/requests/", "/api/sca/releases", "/v2/docker-prod/manifests/latest"];
const methods = ["GET", "GET", "GET", "POST", "PUT", "DELETE"];
const statuses = [200, 200, 200, 200, 201, 204, 304, 400, 403, 404, 500];

function keyItem(i: number): ImportItem {
	const base = { displayName: `bench key ${i}`, key: generateKey(), logging: i % 10 === 0 ? "both" : "none" };
	switch (i % 4) {
		case 0:
			return { ...base, type: "system", systemApis: i % 8 === 0 ? ["full-control"] : ["feeds", "sca"] };
		case 1:
			return { ...base, type: "feed", packagePermissions: ["view", "add"], feed: feeds[i % feeds.length] };
		case 2:
			return { ...base, type: "feed", packagePermissions: ["view"], feedGroup: groups[i % groups.length] };
		default:
			return { ...base, type: "personal", user: `user${i % 500}` };
	}
}

export interface SeededStore {
	keys: string[];
	keyIds: number[];
}

/** Adds `keyCount` keys and `logCount` access-log entries to the store at `path`. */
export async function seedStore(path: string, keyCount: number, logCount: number): Promise<SeededStore> {
	const store = LocalStore.open(path);
	try {
		const items = Array.from({ length: keyCount }, (_, i) => keyItem(i));
		const report = await store.importKeys(items, { actor: "bench", partial: false });
		if (report.refused.length > 0) throw new Error(`seeding refused ${report.refused[0]?.reason}`);
		const keyIds = report.imported.map((r) => r.id);
		const now = Date.now();
		const span = 90 * 86_400_000;
		for (let i = 0; i < logCount; i++) {
			store.logAccess({
				at: now - span + Math.floor((i / logCount) * span),
				keyId: keyIds[(i * 7919) % keyIds.length] ?? null,
				method: methods[i % methods.length] as string,
				path: paths[i % paths.length] as string,
				status: statuses[(i * 31) % statuses.length] as number,
				durationMs: 1 + (i % 50) / 10,
				client: `10.0.${i % 256}.${(i >> 8) % 256}`,
				userAgent: "bench/1.0",
				requestBody: null,
				responseBody: null,
			});
		}
		store.flushAccessLog();
		return { keys: items.map((item) => item.key as string), keyIds };
	} finally {
		await store.close();
	}
}
