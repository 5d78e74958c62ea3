/**
 * The API-key model, in ProGet's wire names
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ApiKeyInfo.cs#L33-L76).
 * Everything here is plain data: no I/O.
 */

export const keyTypes = ["system", "feed", "personal", "other"] as const;
export type KeyType = (typeof keyTypes)[number];

export const loggingLevels = ["none", "request", "response", "both"] as const;
export type Logging = (typeof loggingLevels)[number];

/** A key as it travels on the wire (ProGet's ApiKeyInfo), without the secret unless just created. */
export interface ApiKeyInfo {
	id?: number;
	type: KeyType;
	key?: string;
	displayName?: string | null;
	description?: string | null;
	systemApis?: string[] | null;
	packagePermissions?: string[] | null;
	feed?: string | null;
	feedGroup?: string | null;
	expiration?: string | null;
	logging: Logging;
	user?: string | null;
}

/** What a caller asks to create or change; every field already parsed into its canonical form. */
export interface KeyDraft {
	type: KeyType;
	displayName: string | null;
	description: string | null;
	systemApis: string[] | null;
	packagePermissions: string[] | null;
	feed: string | null;
	feedGroup: string | null;
	user: string | null;
	/** ISO-8601 UTC, or null for "never expires". */
	expiration: string | null;
	logging: Logging;
}

/** A stored key: the draft plus what the store keeps beyond ProGet's model. Never holds the secret. */
export interface KeyRecord extends KeyDraft {
	id: number;
	/** A non-secret fragment of the key, never more than a quarter of it, e.g. `70f8…19d0`. */
	hint: string;
	enabled: boolean;
	createdAt: string;
	createdBy: string;
	updatedAt: string | null;
	lastUsedAt: string | null;
}

/** What verification knows of a key: enough to judge a request and to name the key in its answer and log. */
export type VerifiedKey = Pick<
	KeyRecord,
	"id" | "type" | "displayName" | "systemApis" | "packagePermissions" | "feed" | "feedGroup" | "user" | "expiration" | "logging" | "enabled"
>;

export function emptyDraft(type: KeyType): KeyDraft {
	return {
		type,
		displayName: null,
		description: null,
		systemApis: null,
		packagePermissions: null,
		feed: null,
		feedGroup: null,
		user: null,
		expiration: null,
		logging: "none",
	};
}

/**
 * Whether the record's id came from its store. A remote instance may list a key without an id
 * (ProGet's `ApiKeyInfo.Id` is `int?`): such a key gets a negative stand-in id, so it can be shown
 * and selected, but it is never sent back to be changed or deleted.
 */
export function hasKnownId(record: Pick<KeyRecord, "id">): boolean {
	return record.id > 0;
}

/**
 * The wire form of a record: ProGet's property order, nulls omitted (pgutil writes that way and
 * reads either), enum values lower case: the camelCase that ProGet's JSON contract describes
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ApiKeyInfo.cs#L15-L16).
 */
export function toApiKeyInfo(record: KeyRecord, secret?: string): ApiKeyInfo {
	const ordered: [string, unknown][] = [
		["id", hasKnownId(record) ? record.id : undefined],
		["type", record.type],
		["key", secret],
		["displayName", record.displayName],
		["description", record.description],
		["systemApis", record.systemApis],
		["packagePermissions", record.packagePermissions],
		["feed", record.feed],
		["feedGroup", record.feedGroup],
		["expiration", record.expiration],
		["logging", record.logging],
		["user", record.user],
	];
	return Object.fromEntries(
		ordered.filter(([, value]) => value !== null && value !== undefined),
	) as unknown as ApiKeyInfo;
}

/** ProGet's wire form plus what this store keeps beyond it. */
export function keyWithExtras(record: KeyRecord): Record<string, unknown> {
	return {
		...toApiKeyInfo(record),
		enabled: record.enabled,
		hint: record.hint,
		createdAt: record.createdAt,
		createdBy: record.createdBy,
		updatedAt: record.updatedAt,
		lastUsedAt: record.lastUsedAt,
	};
}
