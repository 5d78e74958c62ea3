/**
 * The remote backend: a ProGet 2024.3+ instance or `apikeys-tui serve`, over HTTP. `create`,
 * `list` and `delete` send exactly what pgutil sends and nothing first. What else the instance can
 * do is asked only where needed (other commands, the console), through `GET /health`, which ProGet
 * documents: our server names itself there and answers the capabilities extension; anything else
 * is ProGet, with only list, create and delete, and the rest shown as unavailable with the reason.
 */
import type {
	AccessLogFilter,
	AccessLogPage,
	AuditEntry,
	Backend,
	Capabilities,
	CreatedKey,
	ImportItem,
	ImportReport,
	KeyPage,
	KeyQuery,
} from "../core/backend.js";
import { type Catalog, catalogFor, type ProfileName, parseProfileName } from "../core/catalog.js";
import { AppError, RuleError } from "../core/errors.js";
import { logFilterQuery } from "../core/log-filter.js";
import { hasKnownId, type KeyRecord } from "../core/model.js";
import { draftFromInput, type KeyInput } from "../core/rules.js";
import { defaultSettings, type StoreSettings } from "../core/settings.js";
import { type Credentials, mayHaveTakenEffect, RemoteClient } from "./http-client.js";
import { isOurServer, progetCapabilities } from "./instance-kind.js";
import { orderKeys } from "./key-index.js";
import { PagedKeyList } from "./paged-key-list.js";
import { accessLogPageFromWire, auditEntryFromWire, createBody, recordFromWire, settingsFromWire } from "./wire-format.js";

const prefix = "api/api-keys";

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
	/** The server's own paging, where it has it (serve); else the whole list, filtered and sorted here. */
	private readonly paged: PagedKeyList | undefined;
	readonly pagesKeys: boolean;

	private constructor(
		private readonly client: RemoteClient,
		readonly location: string,
		readonly profile: ProfileName,
		readonly capabilities: Capabilities,
		/** Whether the server is apikeys-tui (all extensions) rather than ProGet. */
		private readonly extended: boolean,
		/** The user a `user:password` authenticates as: personal keys are for them by default. */
		readonly authenticatedUser: string | undefined,
		pagedKeyList = false,
	) {
		this.catalog = catalogFor(profile);
		if (pagedKeyList) this.paged = new PagedKeyList(client);
		this.pagesKeys = pagedKeyList;
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
			const answer = await client.json<{ profile?: unknown; capabilities?: Partial<Capabilities>; pagedKeyList?: unknown }>(`${prefix}/capabilities`);
			const profile = parseProfileName(String(answer.profile ?? "proget")) ?? "proget";
			const capabilities = { ...progetCapabilities, ...answer.capabilities };
			return new RemoteBackend(client, url, profile, capabilities, true, user, answer.pagedKeyList === true);
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
		if (this.paged) return this.paged.page(query);
		const ordered = orderKeys(await this.keys(), query);
		return { rows: ordered.slice(query.offset, query.offset + query.limit), total: ordered.length };
	}

	async keyIds(query: Omit<KeyQuery, "offset" | "limit">): Promise<number[]> {
		if (this.paged) return this.paged.ids(query);
		this.changed();
		return orderKeys(await this.keys(), query).map((k) => k.id);
	}

	async keysByIds(ids: readonly number[]): Promise<KeyRecord[]> {
		if (this.paged) return this.paged.byIds(ids);
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
		this.client.close();
	}
}
