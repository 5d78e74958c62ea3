/**
 * Realistic keys and access-log entries, written through the store's own import and batched log
 * writer: for `apikeys-tui seed` (a store to try every screen on) and for the benchmark.
 */
import type { ImportItem } from "../core/backend.js";
import { generateKey } from "../core/secret.js";
import type { LocalStore } from "./local-store.js";

const feeds = ["npm-public", "nuget-internal", "pypi-mirror", "docker-prod", "maven-central", "helm-charts"];
const groups = ["production-feeds", "staging-feeds", "third-party"];
const people = ["alice", "bob", "carol", "dmitri", "erin", "farah", "gustavo", "hana"];
const purposes = ["CI build", "Release pipeline", "Nightly scan", "Deploy bot", "Mirror sync", "Developer laptop", "SBOM upload", "Audit export"];
const paths = [
	"/api/api-keys/list",
	"/nuget/nuget-internal/v3/index.json",
	"/npm/npm-public/left-pad",
	"/pypi/pypi-mirror/simple/requests/",
	"/api/sca/releases",
	"/api/sbom/upload",
	"/v2/docker-prod/manifests/latest",
];
const methods = ["GET", "GET", "GET", "POST", "PUT", "DELETE"];
const statuses = [200, 200, 200, 200, 201, 204, 304, 400, 403, 404, 500];
const dayMs = 86_400_000;
const seedFlushEvery = 100_000;

/** The i-th demo key: every type, scope, logging level and expiry state appears. */
export function demoKey(i: number, profile: "proget" | "otter"): ImportItem {
	const name = `${purposes[i % purposes.length]} ${Math.floor(i / purposes.length) + 1}`;
	const expiration = i % 5 === 0 ? null : new Date(Date.now() + ((i % 7) * 30 + 3) * dayMs).toISOString();
	const base = { displayName: name, key: generateKey(), logging: ["none", "request", "response", "both"][i % 4], expiration };
	if (profile === "otter") {
		const apis = [["native-api"], ["jobs-trigger"], ["infrastructure-view", "variables"], ["configuration"]];
		return { ...base, type: "system", systemApis: apis[i % apis.length] };
	}
	switch (i % 9) {
		case 0:
			return { ...base, type: "system", systemApis: ["full-control"], description: "Administers the instance" };
		case 1:
		case 2:
			return { ...base, type: "system", systemApis: i % 2 === 0 ? ["sbom-upload"] : ["feeds", "sca"] };
		case 3:
		case 4:
			return { ...base, type: "feed", packagePermissions: ["view", "add"], feed: feeds[i % feeds.length] };
		case 5:
			return { ...base, type: "feed", packagePermissions: ["view"], feedGroup: groups[i % groups.length] };
		case 6:
			return { ...base, type: "feed", packagePermissions: ["view", "add", "promote", "delete"] };
		case 7:
			return { ...base, type: "personal", user: people[i % people.length] };
		default:
			return { ...base, type: "other", systemApis: ["feed-api"], user: people[i % people.length], description: "Imported from ProGet 2023" };
	}
}

export interface Seeded {
	/** The key texts, for checks that need them (the benchmark); never printed. */
	keys: string[];
	keyIds: number[];
}

/** Adds `keyCount` keys and `logCount` access-log entries spread over the last 90 days. */
export async function seedDemoData(store: LocalStore, keyCount: number, logCount: number, actor: string): Promise<Seeded> {
	const items = Array.from({ length: keyCount }, (_, i) => demoKey(i, store.profile));
	const report = await store.importKeys(items, { actor, partial: true });
	const keyIds = report.imported.map((r) => r.id);
	const keys = report.imported.map((r) => items[r.index]?.key as string);
	const now = Date.now();
	const span = 90 * dayMs;
	for (let i = 0; i < logCount; i++) {
		const status = statuses[(i * 31) % statuses.length] as number;
		const path = paths[i % paths.length] as string;
		store.logAccess({
			at: now - span + Math.floor((i / Math.max(1, logCount)) * span),
			keyId: keyIds.length > 0 ? (keyIds[(i * 7919) % keyIds.length] as number) : null,
			method: methods[i % methods.length] as string,
			path,
			status,
			durationMs: 1 + (i % 50) / 10,
			client: `10.0.${i % 256}.${(i >> 8) % 256}`,
			userAgent: i % 3 === 0 ? "pgutil/2.1" : "curl/8.5.0",
			requestBody: i % 11 === 0 ? JSON.stringify({ type: "feed", packagePermissions: ["view"], API_Key: "[redacted]" }) : null,
			responseBody: i % 13 === 0 ? JSON.stringify({ status, path, items: [{ id: 1, name: "left-pad" }] }) : null,
		});
		// Waits for the writer now and then, so a million entries never sit queued at once.
		if ((i + 1) % seedFlushEvery === 0) store.flushAccessLog();
	}
	store.flushAccessLog();
	return { keys, keyIds };
}
