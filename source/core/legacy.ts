/**
 * Converting a pre-2024 ("other") key into the 2024 key that reaches the same things:
 * a Feed API username becomes a personal key for that user; otherwise Native API becomes
 * full control, Feed API becomes the feeds API, Package Promotion a promote-only feed key.
 */
import { type Catalog, legacyFeedApi } from "./catalog.js";
import type { KeyDraft } from "./model.js";

export type Conversion = { ok: true; draft: KeyDraft } | { ok: false; reason: string };

export function convertLegacyKey(legacy: KeyDraft, catalog: Catalog): Conversion {
	if (legacy.type !== "other") return { ok: false, reason: "only legacy keys can be converted" };
	const base: KeyDraft = { ...legacy, systemApis: null, packagePermissions: null, user: null };
	const grants = legacy.systemApis ?? [];
	if (legacy.user !== null && grants.includes(legacyFeedApi)) {
		return { ok: true, draft: { ...base, type: "personal", user: legacy.user } };
	}
	const targets = grants.map(
		(value) => catalog.legacyApis.find((c) => c.value === value)?.convertsTo,
	);
	const systemApis = targets.flatMap((t) => (t?.type === "system" ? [t.systemApi] : []));
	const fullControl = catalog.systemApis.fullControl.value;
	if (systemApis.includes(fullControl)) {
		return { ok: true, draft: { ...base, type: "system", systemApis: [fullControl] } };
	}
	if (systemApis.length > 0) return { ok: true, draft: { ...base, type: "system", systemApis } };
	const permissions = targets.flatMap((t) => (t?.type === "feed" ? [t.packagePermission] : []));
	if (permissions.length > 0) {
		return { ok: true, draft: { ...base, type: "feed", packagePermissions: permissions } };
	}
	const names = grants.map(
		(value) => catalog.legacyApis.find((c) => c.value === value)?.label ?? value,
	);
	return {
		ok: false,
		reason: `${names.join(", ") || "no grant"} has no equivalent in a 2024 key`,
	};
}
