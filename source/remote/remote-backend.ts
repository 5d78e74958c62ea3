/**
 * The remote backend: a ProGet 2024.3+ instance or `apikeys-tui serve`, over HTTP. `create`,
 * `list` and `delete` send exactly what pgutil sends and nothing first. What else the instance can
 * do is asked only where needed (other commands, the console), through `GET /health`, which ProGet
 * documents: our server names itself there and answers the capabilities extension; anything else
 * is ProGet, with only list, create and delete, and the rest shown as unavailable with the reason.
 */
import type { Requirement } from "../core/access.js";
import type {
	AccessLogEntry,
	AccessLogFilter,
	AccessLogPage,
	AuditEntry,
	Backend,
	Capabilities,
	Capability,
	CreatedKey,
	ImportItem,
	ImportReport,
	KeyPage,
	KeyQuery,
	VerifyResult,
} from "../core/backend.js";
import { type Catalog, catalogFor, type ProfileName, parseProfileName } from "../core/catalog.js";
import { parseKeyType, parseLogging, pascalCase } from "../core/enums.js";
import { AppError, RuleError } from "../core/errors.js";
import { normalizeExpiration, wireExpiration } from "../core/expiration.js";
import { logFilterQuery } from "../core/log-filter.js";
import { hasKnownId, type KeyRecord } from "../core/model.js";
import { draftFromInput, type KeyInput } from "../core/rules.js";
import { defaultSettings, settingSpecs, type StoreSettings } from "../core/settings.js";
import { type Credentials, mayHaveTakenEffect, RemoteClient } from "./http-client.js";
import { orderKeys } from "./key-index.js";

const prefix = "api/api-keys";

function noApi(what: string): Capability {
	return { available: false, reason: `ProGet has no API to ${what}` };
}

const progetCapabilities: Capabilities = {
	update: noApi("change a key: delete it and create it again (a custom key keeps its text)"),
	enable: noApi("enable or disable a key"),
	roll: noApi("roll a key's secret"),
	accessLogs: noApi("read access logs (see Administration > API Keys in ProGet)"),
	settings: noApi("read or change the API-access settings"),
	audit: noApi("read an audit trail"),
	lastUsed: noApi("report a key's last use"),
	convert: noApi("convert a legacy key"),
};

function text(value: unknown): string | null {
	return typeof value === "string" ? value : null;
}

/** Scope values as the server sent them (compared without case where they are matched). */
function list(value: unknown): string[] | null {
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : null;
}

/**
 * A wire ApiKeyInfo (plus our extras, when the server sends them) as a record. Nothing in it is
 * trusted: a missing id gets `fallbackId` (negative: shown, never sent back), an unknown type is
 * read as `other`, an expiration that is not a date is kept as text and shown as it came.
 */
export function recordFromWire(raw: unknown, fallbackId = -1): KeyRecord {
	if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new AppError("the server sent a key that is not an object", "unavailable");
	const item = raw as Record<string, unknown>;
	const id = typeof item.id === "number" && Number.isSafeInteger(item.id) && item.id > 0 ? item.id : fallbackId;
	const expiration = text(item.expiration);
	return {
		id,
		type: parseKeyType(item.type) ?? "other",
		displayName: text(item.displayName),
		description: text(item.description),
		systemApis: list(item.systemApis),
		packagePermissions: list(item.packagePermissions),
		feed: text(item.feed),
		feedGroup: text(item.feedGroup),
		user: text(item.user),
		expiration: expiration === null ? null : (normalizeExpiration(expiration) ?? expiration),
		logging: parseLogging(item.logging) ?? "none",
		hint: text(item.hint) ?? (typeof item.key === "string" ? "(stored in plain text on the server)" : "(hidden)"),
		enabled: item.enabled !== false,
		createdAt: text(item.createdAt) ?? "",
		createdBy: text(item.createdBy) ?? "",
		updatedAt: text(item.updatedAt),
		lastUsedAt: text(item.lastUsedAt),
	};
}

/**
 * The JSON body of a create request as pgutil writes an ApiKeyInfo: camelCase names in the
 * class's order, PascalCase enum names, nulls left out
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetApiJsonContext.cs#L32,
 * https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ApiKeyInfo.cs),
 * the expiration as the ISO form of the `DateTime` it parsed.
 */
export function createBody(input: KeyInput, key: string | undefined, now: Date): Record<string, unknown> {
	const body: Record<string, unknown> = { type: pascalCase(String(parseKeyType(input.type) ?? input.type)) };
	if (key !== undefined) body.key = key;
	for (const field of ["displayName", "description", "systemApis", "packagePermissions", "feed", "feedGroup"] as const) {
		const value = input[field];
		if (value !== undefined && value !== null && value !== "") body[field] = value;
	}
	if (typeof input.expiration === "string" && input.expiration !== "") {
		const expiration = wireExpiration(input.expiration, now);
		if (!expiration.ok) throw new RuleError([{ field: "expiration", message: expiration.error }]);
		if (expiration.value !== null) body.expiration = expiration.value;
	}
	body.logging = pascalCase(parseLogging(input.logging) ?? "none");
	if (input.user !== undefined && input.user !== null && input.user !== "") body.user = input.user;
	return body;
}

/** Whether `GET /health` was answered by apikeys-tui: it names itself and sends its version header. */
function isOurServer(reply: { status: number; text: string; headers: Headers } | undefined): boolean {
	if (!reply || reply.status !== 200 || !reply.headers.has("x-apikeys-tui-version")) return false;
	try {
		const health = JSON.parse(reply.text) as { applicationName?: unknown };
		return typeof health === "object" && health !== null && health.applicationName === "apikeys-tui";
	} catch {
		return false;
	}
}

function whole(value: unknown): number | undefined {
	return typeof value === "number" && Number.isSafeInteger(value) ? value : undefined;
}

function entryFromWire(raw: unknown): AccessLogEntry | undefined {
	if (typeof raw !== "object" || raw === null) return undefined;
	const item = raw as Record<string, unknown>;
	const id = whole(item.id);
	const at = whole(item.at);
	if (id === undefined || at === undefined || Number.isNaN(new Date(at).getTime())) return undefined;
	return {
		id,
		at,
		keyId: whole(item.keyId) ?? null,
		keyName: text(item.keyName),
		method: text(item.method) ?? "",
		path: text(item.path) ?? "",
		status: whole(item.status) ?? 0,
		durationMs: typeof item.durationMs === "number" && Number.isFinite(item.durationMs) ? item.durationMs : 0,
		client: text(item.client) ?? "",
		userAgent: text(item.userAgent),
		requestBody: text(item.requestBody),
		responseBody: text(item.responseBody),
	};
}

export function accessLogPageFromWire(raw: unknown, before: number | undefined): AccessLogPage {
	const answer = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
	if (!Array.isArray(answer.entries)) throw new AppError("the server's access-log page has no list of entries", "unavailable");
	const entries = answer.entries.map(entryFromWire).filter((entry) => entry !== undefined);
	const next = whole(answer.nextBefore);
	const advances = next !== undefined && (before === undefined || next < before);
	return advances ? { entries, nextBefore: next } : { entries };
}

function auditEntryFromWire(raw: unknown): AuditEntry | undefined {
	if (typeof raw !== "object" || raw === null) return undefined;
	const item = raw as Record<string, unknown>;
	const id = whole(item.id);
	if (id === undefined) return undefined;
	const details = typeof item.details === "object" && item.details !== null && !Array.isArray(item.details) ? (item.details as Record<string, unknown>) : {};
	return { id, at: text(item.at) ?? "", actor: text(item.actor) ?? "", action: text(item.action) ?? "", keyId: whole(item.keyId) ?? null, details };
}

/** The server's settings, each of the kind it must be; a value that is not falls back to the default. */
function settingsFromWire(raw: unknown): StoreSettings {
	const answer = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>) : {};
	const settings: Record<string, unknown> = { ...defaultSettings };
	for (const spec of settingSpecs) {
		const value = answer[spec.name];
		const fits = spec.kind === "boolean" ? typeof value === "boolean" : whole(value) !== undefined || (value === null && spec.kind === "optional-integer");
		if (fits) settings[spec.name] = value;
	}
	return settings as unknown as StoreSettings;
}

export interface ConnectOptions {
	credentials?: Credentials;
	/** Ask what the instance can do (`GET /health`) before the first request; pgutil's commands do not. */
	discover?: boolean;
	timeoutMs?: number;
	env?: NodeJS.ProcessEnv;
}

export class RemoteBackend implements Backend {
	readonly kind = "remote" as const;
	readonly catalog: Catalog;
	private cache: KeyRecord[] | undefined;

	private constructor(
		private readonly client: RemoteClient,
		readonly location: string,
		readonly profile: ProfileName,
		readonly capabilities: Capabilities,
		/** Whether the server is apikeys-tui (all extensions) rather than ProGet. */
		private readonly extended: boolean,
		/** The user a `user:password` authenticates as: personal keys are for them by default. */
		readonly authenticatedUser: string | undefined,
	) {
		this.catalog = catalogFor(profile);
	}

	/**
	 * Opens a remote instance. Without `discover` nothing is sent until the first command; with
	 * it, `GET /health` tells our server from ProGet, and an answer that is neither (an HTML page,
	 * a redirect to a log-in page, an error) is taken for ProGet: list, create and delete.
	 */
	static async connect(url: string, options: ConnectOptions = {}): Promise<RemoteBackend> {
		if (!/^https?:\/\//i.test(url)) throw new AppError(`${url} is not an http:// or https:// URL`, "invalid");
		const credentials = options.credentials ?? {};
		const client = new RemoteClient(url, credentials, options.timeoutMs, options.env);
		const user = "username" in credentials ? credentials.username : undefined;
		if (options.discover && isOurServer(await client.probe("health"))) {
			const answer = await client.json<{ profile?: unknown; capabilities?: Partial<Capabilities> }>(`${prefix}/capabilities`);
			const profile = parseProfileName(String(answer.profile ?? "proget")) ?? "proget";
			return new RemoteBackend(client, url, profile, { ...progetCapabilities, ...answer.capabilities }, true, user);
		}
		return new RemoteBackend(client, url, "proget", progetCapabilities, false, user);
	}

	ownKeyId(): number | undefined {
		return this.client.keyId;
	}

	private unavailable(capability: keyof Capabilities): never {
		const state = this.capabilities[capability];
		throw new AppError(state.available ? `${capability} is not available` : state.reason, "invalid");
	}

	private async keys(): Promise<KeyRecord[]> {
		if (!this.cache) {
			const raw = await this.client.json<unknown>(`${prefix}/list`, this.extended ? { query: { details: "true" } } : {});
			if (!Array.isArray(raw)) throw new AppError("the server's key list is not a JSON array", "unavailable");
			this.cache = raw.map((item, index) => recordFromWire(item, -(index + 1)));
		}
		return this.cache;
	}

	private changed(): void {
		this.cache = undefined;
	}

	async listKeys(): Promise<KeyRecord[]> {
		this.changed();
		return this.keys();
	}

	async queryKeys(query: KeyQuery): Promise<KeyPage> {
		const ordered = orderKeys(await this.keys(), query);
		return { rows: ordered.slice(query.offset, query.offset + query.limit), total: ordered.length };
	}

	async keyIds(query: Omit<KeyQuery, "offset" | "limit">): Promise<number[]> {
		this.changed();
		return orderKeys(await this.keys(), query).map((k) => k.id);
	}

	async keysByIds(ids: readonly number[]): Promise<KeyRecord[]> {
		const byId = new Map((await this.keys()).map((k) => [k.id, k]));
		return ids.flatMap((id) => byId.get(id) ?? []);
	}

	async getKey(id: number): Promise<KeyRecord | undefined> {
		if (!this.extended || !hasKnownId({ id })) return (await this.keys()).find((k) => k.id === id);
		const reply = await this.client.request(`${prefix}/get`, { query: { id }, accept: [404] });
		return reply.status === 404 ? undefined : recordFromWire(this.client.parse(reply.text, `${prefix}/get`));
	}

	/**
	 * One POST, as pgutil's create
	 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetClient.cs#L399-L411), after
	 * the rules have checked the input here, as pgutil checks its options before sending. The
	 * answer's `id` may be missing (`int?`): the key is still returned, with an unknown id.
	 */
	async createKey(input: KeyInput, options: { key?: string; actor: string }): Promise<CreatedKey> {
		const now = new Date();
		let sent = input;
		if (!this.extended) {
			const draft = draftFromInput(input, { catalog: this.catalog, settings: defaultSettings, now }, "create");
			if (!draft.ok) throw new RuleError(draft.errors);
			// What the rules read, not what was typed: pgutil sends only lower-case scope names, once each.
			const { displayName, description, systemApis, packagePermissions, feed, feedGroup, user } = draft.value;
			sent = { ...input, displayName, description, systemApis, packagePermissions, feed, feedGroup, user };
		}
		const body = createBody(sent, options.key, now);
		let answer: unknown;
		try {
			answer = await this.client.json<unknown>(`${prefix}/create`, { method: "POST", json: body });
		} catch (error) {
			// The one moment a key can be read is its create's answer: when that is lost, say the key may exist.
			if (!mayHaveTakenEffect(error)) throw error;
			const reason = (error as AppError).message.replace(/[.;]?\s*$/, "");
			throw new AppError(`${reason}. The key may have been created all the same: check apikeys-tui list before creating it again.`, (error as AppError).kind);
		} finally {
			this.changed();
		}
		const fields = typeof answer === "object" && answer !== null && !Array.isArray(answer) ? (answer as Record<string, unknown>) : {};
		const key = typeof fields.key === "string" && fields.key !== "" ? fields.key : options.key;
		if (!key) throw new AppError("the server created the key but did not return its text (is key hashing on? then only a custom --key can be known)", "unavailable");
		return { record: recordFromWire({ ...body, ...fields }), key };
	}

	async updateKey(id: number, patch: KeyInput): Promise<KeyRecord> {
		if (!this.extended) this.unavailable("update");
		const answer = await this.client.json<unknown>(`${prefix}/update`, { method: "POST", query: { id }, json: patch });
		this.changed();
		return recordFromWire(answer);
	}

	async setEnabled(id: number, enabled: boolean): Promise<KeyRecord> {
		if (!this.extended) this.unavailable("enable");
		const answer = await this.client.json<unknown>(`${prefix}/${enabled ? "enable" : "disable"}`, { method: "POST", query: { id } });
		this.changed();
		return recordFromWire(answer);
	}

	async rollKey(id: number): Promise<CreatedKey> {
		if (!this.extended) this.unavailable("roll");
		const answer = await this.client.json<Record<string, unknown>>(`${prefix}/roll`, { method: "POST", query: { id } });
		this.changed();
		return { record: recordFromWire(answer), key: String(answer.key) };
	}

	async deleteKey(id: number): Promise<void> {
		if (!hasKnownId({ id })) throw new AppError("the server listed this key without an id, so it cannot be deleted through the API: delete it in ProGet's web UI", "invalid");
		await this.client.request(`${prefix}/delete`, { method: "POST", query: { id } });
		this.changed();
	}

	async convertLegacyKey(id: number): Promise<KeyRecord> {
		if (!this.extended) this.unavailable("convert");
		const answer = await this.client.json<unknown>(`${prefix}/convert`, { method: "POST", query: { id } });
		this.changed();
		return recordFromWire(answer);
	}

	/**
	 * Over HTTP an import is a create per key. Every key is checked by the rules first, so "all or
	 * nothing" holds for what the rules can tell; a refusal by the server's own policy part-way is
	 * reported with what was already imported.
	 */
	async importKeys(items: ImportItem[], options: { actor: string; partial: boolean }): Promise<ImportReport> {
		const report: ImportReport = { imported: [], refused: [] };
		const ctx = { catalog: this.catalog, settings: await this.getSettings(), now: new Date() };
		const ready: { index: number; item: ImportItem }[] = [];
		for (const [index, item] of items.entries()) {
			const name = typeof item.displayName === "string" ? item.displayName : null;
			const draft = draftFromInput(item, ctx, "create");
			if (!draft.ok) report.refused.push({ index, displayName: name, reason: new RuleError(draft.errors).message });
			else if (typeof item.key !== "string" || item.key === "") report.refused.push({ index, displayName: name, reason: "key: the key text is required to import a key" });
			else ready.push({ index, item });
		}
		if (report.refused.length > 0 && !options.partial) return report;
		for (const { index, item } of ready) {
			const name = typeof item.displayName === "string" ? item.displayName : null;
			try {
				const created = await this.createKey(item, { key: item.key as string, actor: options.actor });
				report.imported.push({ index, id: created.record.id, displayName: name });
			} catch (error) {
				report.refused.push({ index, displayName: name, reason: (error as Error).message });
				if (!options.partial) break;
			}
		}
		return report;
	}

	async verify(key: string, requirement: Requirement): Promise<VerifyResult> {
		if (!this.extended) throw new AppError("ProGet has no API to verify a key", "invalid");
		const body: Record<string, unknown> = { key };
		if (requirement.kind === "system-api") body.systemApi = requirement.api;
		if (requirement.kind === "feed-permission") Object.assign(body, { feedPermission: requirement.permission, feed: requirement.feed, feedGroup: requirement.feedGroup });
		const answer = await this.client.json<{ outcome: VerifyResult["outcome"]; id?: number }>(`${prefix}/verify`, { method: "POST", json: body });
		const record = answer.id === undefined ? undefined : await this.getKey(answer.id);
		return record ? { outcome: answer.outcome, record } : { outcome: answer.outcome };
	}

	async getSettings(): Promise<StoreSettings> {
		if (!this.extended) return defaultSettings;
		return settingsFromWire(await this.client.json<unknown>(`${prefix}/settings`));
	}

	async updateSettings(changes: Record<string, unknown>): Promise<StoreSettings> {
		if (!this.extended) this.unavailable("settings");
		return settingsFromWire(await this.client.json<unknown>(`${prefix}/settings`, { method: "POST", json: changes }));
	}

	/**
	 * A page of the server's access log, every value checked: an entry without a whole id or a
	 * real time is left out (it cannot be placed or shown), and a `nextBefore` that does not move
	 * back past `before` ends the paging instead of asking for the same page for ever.
	 */
	async queryAccessLog(filter: AccessLogFilter, page: { before?: number; limit: number }): Promise<AccessLogPage> {
		if (!this.extended) this.unavailable("accessLogs");
		const answer = await this.client.json<unknown>(`${prefix}/logs`, {
			query: { ...logFilterQuery(filter), before: page.before, limit: page.limit },
		});
		return accessLogPageFromWire(answer, page.before);
	}

	async auditTrail(keyId?: number, limit = 200): Promise<AuditEntry[]> {
		if (!this.extended) return [];
		const entries = await this.client.json<unknown>(`${prefix}/audit`, { query: { id: keyId } });
		if (!Array.isArray(entries)) throw new AppError("the server's audit trail is not a JSON array", "unavailable");
		return entries.flatMap((entry) => auditEntryFromWire(entry) ?? []).slice(0, limit);
	}

	async pruneAccessLog(): Promise<number> {
		if (!this.extended) this.unavailable("accessLogs");
		return (await this.client.json<{ removed: number }>(`${prefix}/logs/prune`, { method: "POST" })).removed;
	}

	async close(): Promise<void> {
		this.cache = undefined;
	}
}
