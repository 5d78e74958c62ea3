/**
 * The remote backend: a ProGet 2024.3+ instance or `apikeys-tui serve`, over HTTP. What the
 * instance can do is discovered: our server answers the capabilities extension and does
 * everything; real ProGet has only list, create and delete, and the rest is shown as unavailable
 * with the reason.
 */
import type { Requirement } from "../core/access.js";
import type {
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
import type { KeyRecord } from "../core/model.js";
import { draftFromInput, type KeyInput } from "../core/rules.js";
import { defaultSettings, type StoreSettings } from "../core/settings.js";
import { RemoteClient } from "./http-client.js";
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

function list(value: unknown): string[] | null {
	return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string").map((v) => v.toLowerCase()) : null;
}

/** A wire ApiKeyInfo (plus our extras, when the server sends them) as a record. */
export function recordFromWire(raw: unknown): KeyRecord {
	if (typeof raw !== "object" || raw === null) throw new AppError("the server sent a key that is not an object", "unavailable");
	const item = raw as Record<string, unknown>;
	const type = parseKeyType(item.type);
	if (typeof item.id !== "number" || !type) {
		throw new AppError("the server sent a key without a numeric id or a known type", "unavailable");
	}
	return {
		id: item.id,
		type,
		displayName: text(item.displayName),
		description: text(item.description),
		systemApis: list(item.systemApis),
		packagePermissions: list(item.packagePermissions),
		feed: text(item.feed),
		feedGroup: text(item.feedGroup),
		user: text(item.user),
		expiration: text(item.expiration),
		logging: parseLogging(item.logging) ?? "none",
		hint: text(item.hint) ?? (typeof item.key === "string" ? "(stored in plain text on the server)" : "(hidden)"),
		enabled: item.enabled !== false,
		createdAt: text(item.createdAt) ?? "",
		createdBy: text(item.createdBy) ?? "",
		updatedAt: text(item.updatedAt),
		lastUsedAt: text(item.lastUsedAt),
	};
}

/** The JSON body of a create request, as pgutil writes it: PascalCase enums, nulls left out. */
function createBody(input: KeyInput, key: string | undefined): Record<string, unknown> {
	const body: Record<string, unknown> = { type: pascalCase(String(parseKeyType(input.type) ?? input.type)) };
	if (key !== undefined) body.key = key;
	for (const field of ["displayName", "description", "systemApis", "packagePermissions", "feed", "feedGroup", "expiration"] as const) {
		const value = input[field];
		if (value !== undefined && value !== null && value !== "") body[field] = value;
	}
	body.logging = pascalCase(parseLogging(input.logging) ?? "none");
	if (input.user !== undefined && input.user !== null && input.user !== "") body.user = input.user;
	return body;
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
	) {
		this.catalog = catalogFor(profile);
	}

	/** Connects and finds out what the instance can do; a refused key fails here, with the reason. */
	static async connect(url: string, apiKey: string | undefined, timeoutMs?: number): Promise<RemoteBackend> {
		if (!/^https?:\/\//i.test(url)) throw new AppError(`${url} is not an http:// or https:// URL`, "invalid");
		const client = new RemoteClient(url, apiKey, timeoutMs);
		const probe = await client.request(`${prefix}/capabilities`, { accept: [404, 405] });
		if (probe.status === 200) {
			const answer = JSON.parse(probe.text) as { profile?: string; capabilities?: Capabilities };
			const profile = parseProfileName(answer.profile ?? "proget") ?? "proget";
			return new RemoteBackend(client, url, profile, { ...progetCapabilities, ...answer.capabilities }, true);
		}
		await client.request(`${prefix}/list`);
		return new RemoteBackend(client, url, "proget", progetCapabilities, false);
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
			this.cache = raw.map(recordFromWire);
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
		if (!this.extended) return (await this.keys()).find((k) => k.id === id);
		const reply = await this.client.request(`${prefix}/get`, { query: { id }, accept: [404] });
		return reply.status === 404 ? undefined : recordFromWire(JSON.parse(reply.text));
	}

	async createKey(input: KeyInput, options: { key?: string; actor: string }): Promise<CreatedKey> {
		const answer = await this.client.json<Record<string, unknown>>(`${prefix}/create`, {
			method: "POST",
			json: createBody(input, options.key),
		});
		this.changed();
		const key = typeof answer.key === "string" ? answer.key : options.key;
		if (!key) throw new AppError("the server created the key but did not return its text", "unavailable");
		return { record: recordFromWire(answer), key };
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
		return this.client.json<StoreSettings>(`${prefix}/settings`);
	}

	async updateSettings(changes: Record<string, unknown>): Promise<StoreSettings> {
		if (!this.extended) this.unavailable("settings");
		return this.client.json<StoreSettings>(`${prefix}/settings`, { method: "POST", json: changes });
	}

	async queryAccessLog(filter: AccessLogFilter, page: { before?: number; limit: number }): Promise<AccessLogPage> {
		if (!this.extended) this.unavailable("accessLogs");
		const status = filter.status ?? (filter.statusClass === undefined ? undefined : `${filter.statusClass}xx`);
		return this.client.json<AccessLogPage>(`${prefix}/logs`, {
			query: {
				key: filter.keyId,
				status,
				method: filter.method,
				path: filter.pathPrefix,
				contains: filter.pathContains,
				since: filter.since === undefined ? undefined : new Date(filter.since).toISOString(),
				until: filter.until === undefined ? undefined : new Date(filter.until).toISOString(),
				before: page.before,
				limit: page.limit,
			},
		});
	}

	async auditTrail(keyId?: number, limit = 200): Promise<AuditEntry[]> {
		if (!this.extended) return [];
		const entries = await this.client.json<AuditEntry[]>(`${prefix}/audit`, { query: { id: keyId } });
		return entries.slice(0, limit);
	}

	async pruneAccessLog(): Promise<number> {
		if (!this.extended) this.unavailable("accessLogs");
		return (await this.client.json<{ removed: number }>(`${prefix}/logs/prune`, { method: "POST" })).removed;
	}

	async close(): Promise<void> {
		this.cache = undefined;
	}
}
