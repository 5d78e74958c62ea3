/**
 * The routes: ProGet's three API-key endpoints with its shapes and status codes (the ones pgutil
 * calls: https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetClient.cs#L390-L411),
 * plus this project's extensions under the same prefix. A path may have several routes, one per
 * method: the server picks by the method and answers 405 with Allow for any other.
 */
import { AppError } from "../core/errors.js";
import { keyWithExtras, toApiKeyInfo } from "../core/model.js";
import type { ServedStore } from "../core/served-store.js";
import { JsonText, type Reply } from "./reply.js";
import { HttpError } from "./request-body.js";
import { idFrom, idsFrom, jsonObject, keyInput, keyListOrder, keyListPage, logQuery, requirementFrom } from "./route-input.js";

export interface RouteContext {
	store: ServedStore;
	query: URLSearchParams;
	/** The parsed JSON body, when there was one. */
	json: unknown;
	/** Who the audit trail names for a change. */
	actor: string;
	version: string;
}

export interface Route {
	methods: readonly string[];
	path: string;
	/** "manage": a system key with the profile's full control; "none": open (health). */
	access: "manage" | "none";
	/** Routes that answer from memory return the reply itself, without a promise to wait on. */
	handle: (ctx: RouteContext) => Reply | Promise<Reply>;
}

const prefix = "/api/api-keys";

export function buildRoutes(): Route[] {
	return [
		{
			methods: ["GET"],
			path: "/health",
			access: "none",
			// ProGet's fields, as pgutil reads them (note its singular "Detail" beside "databaseStatusDetails"):
			// https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetHealthInfo.cs#L37-L54
			// The database is "Error" whenever this node cannot confirm its keys current; the service
			// too once it refuses to check keys (503: a load balancer takes it out). `status`, `reason`
			// and `lastConfirmed` beside them say which.
			handle: ({ store, version }) => {
				const health = store.servingHealth();
				const database = health.status === "ok" ? null : health.reason;
				const service = health.status === "stale" ? health.reason : null;
				return {
					status: health.status === "stale" ? 503 : 200,
					body: {
						applicationName: "apikeys-tui",
						databaseStatus: database === null ? "OK" : "Error",
						databaseStatusDetails: database,
						licenseStatus: "OK",
						licenseStatusDetail: null,
						versionNumber: version,
						releaseNumber: `${version} (apikeys-tui)`,
						serviceStatus: service === null ? "OK" : "Error",
						serviceStatusDetail: service,
						...health,
					},
				};
			},
		},
		{
			methods: ["GET"],
			path: `${prefix}/list`,
			access: "manage",
			// ?details=true adds the store's own fields (for the remote console); pgutil never sends it.
			handle: async ({ store, query }) => ({ status: 200, body: new JsonText(await store.servedKeyList(query.get("details") === "true")) }),
		},
		// The key list in windows, for a remote console at any size: filtered and sorted as a local store does.
		{
			methods: ["GET"],
			path: `${prefix}/page`,
			access: "manage",
			handle: async ({ store, query }) => {
				const page = keyListPage(query);
				if (store.servedKeyPage) return { status: 200, body: new JsonText(await store.servedKeyPage(page)) };
				const { total, rows } = await store.queryKeys(page);
				return { status: 200, body: { total, keys: rows.map(keyWithExtras) } };
			},
		},
		{
			methods: ["GET"],
			path: `${prefix}/ids`,
			access: "manage",
			handle: async ({ store, query }) => {
				const order = keyListOrder(query);
				if (store.servedKeyIds) return { status: 200, body: new JsonText(await store.servedKeyIds(order)) };
				return { status: 200, body: { ids: await store.keyIds(order) } };
			},
		},
		{
			methods: ["GET"],
			path: `${prefix}/by-ids`,
			access: "manage",
			handle: async ({ store, query }) => {
				const ids = idsFrom(query);
				if (store.servedKeysByIds) return { status: 200, body: new JsonText(await store.servedKeysByIds(ids)) };
				return { status: 200, body: { keys: (await store.keysByIds(ids)).map(keyWithExtras) } };
			},
		},
		{
			methods: ["POST", "PUT"],
			path: `${prefix}/create`,
			access: "manage",
			handle: async ({ store, json, actor }) => {
				const body = jsonObject(json);
				const key = body.key;
				if (key !== undefined && key !== null && typeof key !== "string") {
					throw new HttpError(400, "key: must be a string");
				}
				const options = typeof key === "string" && key !== "" ? { key, actor } : { actor };
				const created = await store.createKey(keyInput(body, true), options);
				return { status: 200, body: toApiKeyInfo(created.record, created.key), reveals: [created.key] };
			},
		},
		{
			methods: ["POST", "DELETE"],
			path: `${prefix}/delete`,
			access: "manage",
			handle: async ({ store, query, actor }) => {
				await store.deleteKey(idFrom(query), actor);
				return { status: 200, body: "" };
			},
		},
		{
			methods: ["GET"],
			path: `${prefix}/get`,
			access: "manage",
			handle: async ({ store, query }) => {
				const id = idFrom(query);
				const record = await store.getKey(id);
				if (!record) throw new AppError(`No API key has id ${id}.`, "not-found");
				return { status: 200, body: keyWithExtras(record) };
			},
		},
		{
			methods: ["POST"],
			path: `${prefix}/update`,
			access: "manage",
			handle: async ({ store, query, json, actor }) => {
				const body = jsonObject(json);
				if ("type" in body) throw new HttpError(400, "type: a key's type cannot be changed; create a new key instead");
				if ("key" in body) throw new HttpError(400, "key: a key's text cannot be changed; roll it instead");
				const record = await store.updateKey(idFrom(query), keyInput(body, false), actor);
				return { status: 200, body: keyWithExtras(record) };
			},
		},
		...(["enable", "disable"] as const).map(
			(verb): Route => ({
				methods: ["POST"],
				path: `${prefix}/${verb}`,
				access: "manage",
				handle: async ({ store, query, actor }) => ({
					status: 200,
					body: keyWithExtras(await store.setEnabled(idFrom(query), verb === "enable", actor)),
				}),
			}),
		),
		{
			methods: ["POST"],
			path: `${prefix}/roll`,
			access: "manage",
			handle: async ({ store, query, actor }) => {
				const rolled = await store.rollKey(idFrom(query), actor);
				return { status: 200, body: toApiKeyInfo(rolled.record, rolled.key), reveals: [rolled.key] };
			},
		},
		{
			methods: ["POST"],
			path: `${prefix}/convert`,
			access: "manage",
			handle: async ({ store, query, actor }) => ({
				status: 200,
				body: keyWithExtras(await store.convertLegacyKey(idFrom(query), actor)),
			}),
		},
		{
			methods: ["GET"],
			path: `${prefix}/logs`,
			access: "manage",
			handle: async ({ store, query }) => {
				const { filter, page } = logQuery(query);
				return { status: 200, body: await store.queryAccessLog(filter, page) };
			},
		},
		{
			methods: ["POST"],
			path: `${prefix}/logs/prune`,
			access: "manage",
			handle: async ({ store }) => ({ status: 200, body: { removed: await store.pruneAccessLog() } }),
		},
		{
			methods: ["GET"],
			path: `${prefix}/audit`,
			access: "manage",
			handle: async ({ store, query }) => {
				const id = query.get("id");
				return { status: 200, body: await store.auditTrail(id === null ? undefined : idFrom(query), 500) };
			},
		},
		{
			methods: ["GET"],
			path: `${prefix}/settings`,
			access: "manage",
			// A body sent with GET is not read: GET reads, whatever came with it.
			handle: async ({ store }) => ({ status: 200, body: await store.getSettings() }),
		},
		{
			methods: ["POST"],
			path: `${prefix}/settings`,
			access: "manage",
			handle: async ({ store, json, actor }) => ({ status: 200, body: await store.updateSettings(jsonObject(json), actor) }),
		},
		{
			methods: ["GET"],
			path: `${prefix}/capabilities`,
			access: "manage",
			handle: async ({ store, version }) => ({
				status: 200,
				// pagedKeyList: the page, ids and by-ids routes answer (a remote console then reads the list in windows).
				body: { product: "apikeys-tui", version, profile: store.profile, capabilities: store.capabilities, pagedKeyList: true },
			}),
		},
		{
			methods: ["POST"],
			path: `${prefix}/verify`,
			access: "manage",
			handle: ({ store, json }) => {
				const body = jsonObject(json);
				if (typeof body.key !== "string" || body.key === "") throw new HttpError(400, "key: the key to verify is required");
				const result = store.verifyNow(body.key, requirementFrom(body));
				const record = result.record;
				return {
					status: 200,
					body: {
						valid: result.outcome === "valid",
						outcome: result.outcome,
						...(record
							? { id: record.id, type: record.type, displayName: record.displayName, user: record.user }
							: {}),
					},
					// A key that exists is a secret wherever it appears; another is redacted only as the body's key.
					...(record ? { reveals: [body.key] } : {}),
				};
			},
		},
	];
}
