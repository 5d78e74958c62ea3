/**
 * Whether a key may be used now, and for what: the check behind `verify` and the server's
 * authorization. Pure: the caller has already found the record by its digest.
 */
import type { Catalog } from "./catalog.js";
import { expandImplied } from "./catalog.js";
import type { VerifiedKey } from "./model.js";

export type Requirement =
	| { kind: "any" }
	| { kind: "system-api"; api: string }
	| { kind: "feed-permission"; permission: string; feed?: string; feedGroup?: string };

export type AccessOutcome =
	| "valid"
	| "not-found"
	| "disabled"
	| "expired"
	| "insufficient-permissions";

/** The system APIs and feed permissions a key holds, legacy grants translated through the catalog. */
interface Grants {
	systemApis: Set<string>;
	/** Feed permissions with the feed or group they are limited to (null = every feed). */
	feedPermissions: Set<string>;
	feed: string | null;
	feedGroup: string | null;
}

function grantsOf(record: VerifiedKey, catalog: Catalog): Grants {
	const grants: Grants = {
		systemApis: new Set(),
		feedPermissions: new Set(),
		feed: null,
		feedGroup: null,
	};
	switch (record.type) {
		case "system":
			grants.systemApis = expandImplied(catalog.systemApis.choices, record.systemApis ?? []);
			break;
		case "feed":
			grants.feedPermissions = new Set(record.packagePermissions ?? []);
			grants.feed = record.feed;
			grants.feedGroup = record.feedGroup;
			break;
		case "other":
			for (const value of record.systemApis ?? []) {
				const target = catalog.legacyApis.find((c) => c.value === value)?.convertsTo;
				if (target?.type === "system") grants.systemApis.add(target.systemApi);
				if (target?.type === "feed") grants.feedPermissions.add(target.packagePermission);
			}
			break;
		case "personal":
			// A personal key acts as its user; the user's own rights are the caller's to apply.
			for (const choice of catalog.packagePermissions) grants.feedPermissions.add(choice.value);
			break;
	}
	return grants;
}

function sameName(a: string, b: string | undefined): boolean {
	return b !== undefined && a.toLowerCase() === b.toLowerCase();
}

function allows(grants: Grants, requirement: Requirement, catalog: Catalog): boolean {
	const fullControl = grants.systemApis.has(catalog.systemApis.fullControl.value);
	switch (requirement.kind) {
		case "any":
			return true;
		case "system-api":
			return fullControl || grants.systemApis.has(requirement.api);
		case "feed-permission": {
			if (fullControl || grants.systemApis.has("feeds")) return true;
			if (!grants.feedPermissions.has(requirement.permission)) return false;
			if (grants.feed !== null) return sameName(grants.feed, requirement.feed);
			if (grants.feedGroup !== null) return sameName(grants.feedGroup, requirement.feedGroup);
			return true;
		}
	}
}

export function checkAccess(
	record: VerifiedKey | undefined,
	requirement: Requirement,
	catalog: Catalog,
	now: Date,
): AccessOutcome {
	if (!record) return "not-found";
	if (!record.enabled) return "disabled";
	// Written so that an expiration that does not parse (a damaged or tampered row) counts as past.
	if (record.expiration !== null && !(Date.parse(record.expiration) > now.getTime())) return "expired";
	return allows(grantsOf(record, catalog), requirement, catalog)
		? "valid"
		: "insufficient-permissions";
}
