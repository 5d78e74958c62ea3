/**
 * A stand-in for a real ProGet 2024.3+ instance, as strict as pgutil's source shows ProGet to be:
 * only the documented API-key routes and `/health`, the key only in `X-ApiKey`, request bodies
 * read as System.Text.Json reads an ApiKeyInfo. Every request is recorded so a test can compare
 * it with what pgutil sends. Each rule below names the pgutil source it comes from, at the commit
 * read: https://github.com/Inedo/pgutil/tree/34a7ed51627dea56fb448830b6290f410cf9c3b8
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, request as httpRequest, type Server, type ServerResponse } from "node:http";
import type { TestContext } from "node:test";

export interface RecordedRequest {
	method: string;
	path: string;
	/** The query string without `?`, as sent. */
	query: string;
	apiKey: string | undefined;
	/** Every header name sent that carries credentials another way (query, Basic, cookie). */
	otherCredentials: string[];
	contentType: string | undefined;
	/** The body parsed as JSON; undefined when there was none. */
	json: unknown;
}

export interface StandInOptions {
	/** The admin's API key (a system key with every API). */
	apiKey: string;
	/** A ProGet user and password, accepted as `X-ApiKey: user:password`. */
	user?: { name: string; password: string };
	/** Create answers without `id` (ApiKeyInfo.Id is `int?`). */
	createWithoutId?: boolean;
	/** Keys listed as they are (PascalCase enums; maybe without id) before any create. */
	keys?: Record<string, unknown>[];
}

export interface StandIn {
	url: string;
	requests: RecordedRequest[];
	keys: Record<string, unknown>[];
}

/**
 * ApiKeyType and ApiKeyBodyLogging, read by System.Text.Json's string-enum converter (names in any
 * case, or the number), as configured in
 * https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetApiJsonContext.cs#L32 (UseStringEnumConverter), for
 * https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ApiKeyType.cs and
 * https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ApiKeyBodyLogging.cs. Answers carry the C# names, PascalCase.
 */
const enums = {
	type: ["System", "Feed", "Personal", "Other"],
	logging: ["None", "Request", "Response", "Both"],
} as const;

function enumName(values: readonly string[], raw: unknown): string | undefined {
	if (typeof raw === "number") return values[raw];
	if (typeof raw !== "string") return undefined;
	return values.find((v) => v.toLowerCase() === raw.toLowerCase());
}

/**
 * `Expiration` is a .NET `DateTime?` (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ApiKeyInfo.cs#L71): System.Text.Json reads only ISO-8601
 * (a date, or a date and time with an optional zone), never `2030/08/01`, a span or `never`.
 */
const isoDate = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

const stringFields = ["key", "displayName", "description", "feed", "feedGroup", "user"] as const;
const listFields = ["systemApis", "packagePermissions"] as const;

const notFoundPage = "<!DOCTYPE html>\n<html><head><title>Not Found</title></head><body><h1>404 - Not Found</h1><p>The page you requested could not be found.</p></body></html>\n";
const forbidden = "The specified API key does not have the proper permissions to perform this action.";

function send(response: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8"): void {
	response.writeHead(status, { "Content-Type": type, "X-ProGet-Version": "24.0.3" }).end(body);
}

function readBody(request: IncomingMessage): Promise<string> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		request.on("data", (chunk: Buffer) => chunks.push(chunk));
		request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
	});
}

function record(request: IncomingMessage, text: string): RecordedRequest {
	const url = new URL(request.url ?? "/", "http://recorded");
	let json: unknown;
	try {
		json = text === "" ? undefined : (JSON.parse(text) as unknown);
	} catch {
		json = text;
	}
	const apiKey = request.headers["x-apikey"];
	return {
		method: request.method ?? "",
		path: url.pathname,
		query: url.search.replace(/^\?/, ""),
		apiKey: typeof apiKey === "string" ? apiKey : undefined,
		otherCredentials: [url.searchParams.has("key") ? "query key" : "", request.headers.authorization ? "authorization" : "", request.headers.cookie ? "cookie" : ""].filter(Boolean),
		contentType: request.headers["content-type"],
		json,
	};
}

/** An ApiKeyInfo from a create body, or why System.Text.Json would refuse it (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ApiKeyInfo.cs). */
function readApiKeyInfo(json: unknown): Record<string, unknown> | string {
	if (typeof json !== "object" || json === null || Array.isArray(json)) return "The request body must be an ApiKeyInfo object.";
	const body = json as Record<string, unknown>;
	// `required ApiKeyType Type` and `required ApiKeyBodyLogging Logging`: https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ApiKeyInfo.cs#L38-L72
	const type = enumName(enums.type, body.type);
	const logging = enumName(enums.logging, body.logging);
	if (type === undefined) return "type: missing or not an ApiKeyType.";
	if (logging === undefined) return "logging: missing or not an ApiKeyBodyLogging.";
	const info: Record<string, unknown> = { type };
	for (const field of stringFields) {
		const value = body[field];
		if (value === undefined || value === null) continue;
		if (typeof value !== "string") return `${field}: not a string.`;
		info[field] = value;
	}
	for (const field of listFields) {
		const value = body[field];
		if (value === undefined || value === null) continue;
		if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) return `${field}: not an array of strings.`;
		info[field] = value;
	}
	if (body.expiration !== undefined && body.expiration !== null) {
		if (typeof body.expiration !== "string" || !isoDate.test(body.expiration) || Number.isNaN(Date.parse(body.expiration))) {
			return "expiration: The JSON value could not be converted to System.DateTime.";
		}
		info.expiration = body.expiration;
	}
	info.logging = logging;
	return info;
}

/** Starts the stand-in on an ephemeral loopback port; the test stops it. */
export function startProGetStandIn(t: TestContext, options: StandInOptions): Promise<StandIn> {
	const keys: Record<string, unknown>[] = (options.keys ?? []).map((k) => ({ ...k }));
	const requests: RecordedRequest[] = [];
	let nextId = 1000 + keys.length;
	const server: Server = createServer(async (request, response) => {
		const text = await readBody(request);
		const recorded = record(request, text);
		requests.push(recorded);
		const url = new URL(request.url ?? "/", "http://standin");
		const { apiKey, json } = recorded;
		// `GET /health`, applicationName "ProGet" among the extra properties: https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetHealthInfo.cs
		if (url.pathname === "/health" && request.method === "GET") {
			send(
				response,
				200,
				JSON.stringify({
					applicationName: "ProGet",
					databaseStatus: "OK",
					databaseStatusDetails: null,
					licenseStatus: "OK",
					licenseStatusDetail: null,
					versionNumber: "24.0.3.4",
					releaseNumber: "2024.3",
					serviceStatus: "OK",
					serviceStatusDetail: null,
					replicationStatus: {},
				}),
				"application/json; charset=utf-8",
			);
			return;
		}
		// The three API-key routes, https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetClient.cs#L390-L411; any other path is ProGet's HTML page.
		const route = { "/api/api-keys/list": "GET", "/api/api-keys/create": "POST", "/api/api-keys/delete": "POST" }[url.pathname];
		if (route === undefined) {
			send(response, 404, notFoundPage, "text/html; charset=utf-8");
			return;
		}
		if (request.method !== route) {
			send(response, 405, "Method not allowed.");
			return;
		}
		// The key, or `user:password`, in X-ApiKey and nowhere else: https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetClient.cs#L30-L42
		const user = options.user;
		if (apiKey !== options.apiKey && !(user && apiKey === `${user.name}:${user.password}`)) {
			send(response, 403, forbidden);
			return;
		}
		if (url.pathname === "/api/api-keys/list") {
			send(response, 200, JSON.stringify(keys), "application/json; charset=utf-8");
			return;
		}
		if (url.pathname === "/api/api-keys/delete") {
			// `api/api-keys/delete?id={id}`, no body: https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetClient.cs#L394-L398
			const id = Number(url.searchParams.get("id"));
			const index = keys.findIndex((k) => k.id === id);
			if (!/^\d+$/.test(url.searchParams.get("id") ?? "") || index < 0) {
				send(response, 404, "API key not found.");
				return;
			}
			keys.splice(index, 1);
			send(response, 200, "");
			return;
		}
		// PostAsJsonAsync sends `application/json; charset=utf-8`: https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetClient.cs#L406
		if (!request.headers["content-type"]?.startsWith("application/json")) {
			send(response, 415, "Unsupported media type.");
			return;
		}
		const info = readApiKeyInfo(json);
		if (typeof info === "string") {
			send(response, 400, info);
			return;
		}
		const id = nextId++;
		const key = typeof info.key === "string" ? info.key : randomBytes(20).toString("hex");
		const stored: Record<string, unknown> = { id, ...info };
		delete stored.key;
		keys.push(stored);
		const answer: Record<string, unknown> = { ...stored, key };
		if (options.createWithoutId) delete answer.id;
		send(response, 200, JSON.stringify(answer), "application/json; charset=utf-8");
	});
	return new Promise((resolve) => {
		server.listen(0, "127.0.0.1", () => {
			t.after(() => new Promise<void>((done) => server.close(() => done())));
			const address = server.address();
			const port = typeof address === "object" && address ? address.port : 0;
			resolve({ url: `http://127.0.0.1:${port}/`, requests, keys });
		});
	});
}

/**
 * Records what reaches `target` (our `serve`) the way the stand-in records what reaches it, so
 * one test can assert the same requests against both.
 */
export function startRecordingProxy(t: TestContext, target: string): Promise<{ url: string; requests: RecordedRequest[] }> {
	const requests: RecordedRequest[] = [];
	const upstream = new URL(target);
	const server = createServer(async (request, response) => {
		const text = await readBody(request);
		requests.push(record(request, text));
		const forwarded = httpRequest(
			{
				host: upstream.hostname,
				port: upstream.port,
				method: request.method,
				path: request.url,
				headers: { ...request.headers, host: upstream.host },
			},
			(answer) => {
				response.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(response);
			},
		);
		forwarded.on("error", () => send(response, 502, "upstream failed"));
		forwarded.end(text);
	});
	return new Promise((resolve) => {
		server.listen(0, "127.0.0.1", () => {
			t.after(() => new Promise<void>((done) => server.close(() => done())));
			const address = server.address();
			const port = typeof address === "object" && address ? address.port : 0;
			resolve({ url: `http://127.0.0.1:${port}/`, requests });
		});
	});
}
