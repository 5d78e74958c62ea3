/**
 * The HTTP server: authenticates each request with the key it presents, dispatches it, answers
 * with ProGet's shapes and plain-text errors, and writes every request made with a key to the
 * access log (bodies per that key's logging, secrets redacted, size capped). Nothing a client
 * sends can crash it: every failure becomes a 4xx with a reason.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { AppError, RuleError } from "../core/errors.js";
import type { VerifiedKey } from "../core/model.js";
import { defaultSettings } from "../core/settings.js";
import type { ServedStore } from "../core/served-store.js";
import { ConnectionDigests } from "./connection-digests.js";
import { EndOfTurnWrites } from "./end-of-turn.js";
import { allowedHeaders, authorizeCheck, forwardedKeys, forwardedRequest, isAuthorizeTarget } from "./authorize.js";
import { BoundedMemo } from "./bounded-memo.js";
import { clientAddress, TrustedProxies } from "./client-address.js";
import { clientIdentity } from "./client-identity.js";
import { ByteBudget, ConnectionCounts, FailureLogLimit } from "./client-limits.js";
import { FailureThrottle } from "./failure-throttle.js";
import { findPresentedKey } from "./presented-key.js";
import { clientWithPseudoKey } from "./pseudo-key.js";
import { bodyForLog, cutToBytes, redactPairs, redactSecrets } from "./redact.js";
import { type RequestTarget, requestTarget } from "./request-target.js";
import { type BodyKind, bodyKind, HttpError, parseForm, parseJson, readBody } from "./request-body.js";
import { buildRoutes, JsonText, type Reply, type Route } from "./routes.js";

/** ProGet's text for a missing, wrong, disabled or expired key, or one without the right scope. */
export const forbiddenText = "The specified API key does not have the proper permissions to perform this action.";

const statusOfKind: Record<AppError["kind"], number> = {
	invalid: 400,
	"not-found": 404,
	conflict: 409,
	forbidden: 403,
	unavailable: 503,
	store: 503,
};

export interface ApiServerOptions {
	/** A store whose startServing() has resolved. */
	store: ServedStore;
	version: string;
	/** Proxies whose X-Forwarded-For / X-Real-IP name the client (serve --trust-proxy); none by default. */
	trustedProxies?: TrustedProxies;
	/** Where unexpected errors are reported (never with a secret in them). */
	onError?: (message: string) => void;
	/**
	 * Whom a request's failures count against (the throttle, the logging of failures): by default
	 * its client address (the forwarded client behind a trusted proxy), an IPv6 /64 as one.
	 */
	clientOf?: (request: IncomingMessage) => string;
}

/** Open connections one address may hold; more are closed at once. */
export const maxConnectionsPerAddress = 256;
/** Bytes of bodies read before their key is known, all clients together. */
export const unauthenticatedBodyBytes = 32 * 1_048_576;
/** Failed requests of one client written to the access log in a minute; the rest are counted. */
export const loggedFailuresPerMinute = 60;
/** Failed requests of all clients together written in a minute (about 3 MB at the entry caps). */
export const loggedFailuresPerMinuteOfAll = 6_000;
/** What an entry made with a key that matches none keeps of its path and user agent. */
export const unknownKeyTextBytes = 256;

/**
 * The header that says how long a refused answer was held by the failure throttle. It tells a
 * client only what its own failures already told it (the schedule is public and counts nothing
 * but the client's own attempts), and lets a client or a test read the delay instead of timing it.
 */
export const heldHeader = "X-ApiKeys-Tui-Held-Ms";

/** The header that tells a caller which key it signed in with, so a console can warn before cutting itself off. */
export const callerKeyHeader = "X-ApiKeys-Tui-Key-Id";

function send(response: ServerResponse, reply: Reply, version: string, callerId?: number): string {
	const common = {
		"Cache-Control": "no-store",
		// pgutil reads these on a failed create (proget-api.md §2.5); keep its edition check quiet.
		"X-ProGet-Version": "24.0.3.0",
		"X-ProGet-Edition": "Enterprise",
		"X-ApiKeys-Tui-Version": version,
		...(callerId === undefined ? {} : { [callerKeyHeader]: String(callerId) }),
		...(reply.heldMs === undefined ? {} : { [heldHeader]: String(reply.heldMs) }),
		...(reply.retryAfterMs === undefined ? {} : { "Retry-After": String(Math.ceil(reply.retryAfterMs / 1000)) }),
		...reply.headers,
	};
	// The rest of what this connection sends is not read: a refused client's body, or its next guesses.
	if (reply.close) response.shouldKeepAlive = false;
	// A 204 has neither body nor Content-Length (RFC 9110 §8.6).
	if (reply.status === 204) {
		response.writeHead(204, common);
		response.end();
		return "";
	}
	const isText = typeof reply.body === "string";
	const text = isText ? (reply.body as string) : reply.body instanceof JsonText ? reply.body.text : JSON.stringify(reply.body);
	response.writeHead(reply.status, {
		"Content-Type": isText ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
		"Content-Length": Buffer.byteLength(text),
		...common,
	});
	response.end(text);
	return text;
}

function replyForError(error: unknown, onError: (message: string) => void): Reply {
	if (error instanceof HttpError) return { status: error.status, body: error.message };
	if (error instanceof RuleError) return { status: 400, body: error.errors.map((e) => `${e.field}: ${e.message}`).join("\n") };
	if (error instanceof AppError) return { status: statusOfKind[error.kind], body: error.message };
	onError(`unexpected error: ${(error as Error).message}`);
	return { status: 500, body: "An unexpected error occurred; it has been reported in the server's output." };
}

/** A request on its way through the server, and what is learnt of it for the access log. */
interface Exchange {
	request: IncomingMessage;
	response: ServerResponse;
	started: number;
	method: string;
	url: RequestTarget;
	address: string;
	/** Whom its failures count against, found when first needed (most requests never need it). */
	client?: string;
	kind: BodyKind;
	body: Buffer;
	/** The key the request presented, wherever it was. */
	presented?: string;
	/** The key, when it exists (valid or not). */
	caller?: VerifiedKey;
	/** Whether the presented key was refused (unknown, invalid, or not evaluated: throttled). */
	refused?: boolean;
	actor: string;
	/** The request a gateway asks about (authorize route): logged as the key's use instead of the gateway's own. */
	forwarded?: { method: string; target: string };
}

const noBody = Buffer.alloc(0);

function hasBody(request: IncomingMessage): boolean {
	return request.headers["transfer-encoding"] !== undefined || Number(request.headers["content-length"] ?? 0) > 0;
}

export function createApiServer(options: ApiServerOptions): Server {
	const { store, version } = options;
	const onError = options.onError ?? (() => {});
	const trustedProxies = options.trustedProxies ?? TrustedProxies.none();
	const clientOf = options.clientOf ?? ((request: IncomingMessage) => clientIdentity(clientAddress(request, trustedProxies)));
	const routes = new Map<string, Route[]>();
	for (const route of buildRoutes()) routes.set(route.path, [...(routes.get(route.path) ?? []), route]);
	const throttle = new FailureThrottle();
	const callerDigests = new ConnectionDigests((key) => store.digestOf(key));
	// The authorize route's: a gateway carries many clients' keys on one connection, so digests are
	// remembered by key, only for keys that exist (a guess never enters; a lookup of one is a hash
	// of the guess, then a compare only on a hash collision), so a gateway's checks skip the HMAC.
	const knownDigests = new BoundedMemo<string>(10_000);
	const replies = new EndOfTurnWrites();
	const keylessBodies = new ByteBudget(unauthenticatedBodyBytes);
	const connections = new ConnectionCounts(maxConnectionsPerAddress);
	/** Connections refused with 429: what else they send is not answered, and they close. */
	const refusing = new WeakSet<Socket>();
	const failureLog = new FailureLogLimit(loggedFailuresPerMinute, loggedFailuresPerMinuteOfAll, (client, skipped) =>
		store.logAccess({
			at: Date.now(),
			keyId: null,
			method: "-",
			path: `(${skipped} more failed requests ${client === undefined ? "from all clients over the server's limit" : "from this client"} in a minute, not logged)`,
			status: 429,
			durationMs: 0,
			client: client ?? "-",
			userAgent: null,
			requestBody: null,
			responseBody: null,
		}),
	);
	const clientOfExchange = (exchange: Exchange) => (exchange.client ??= clientOf(exchange.request));
	const sweep = setInterval(() => failureLog.sweep(), 60_000);
	sweep.unref();
	// Read after the answer is sent: a store that fails now must not turn it into an "unexpected error".
	const settingsForLog = () => {
		try {
			return store.settingsNow();
		} catch {
			return defaultSettings;
		}
	};
	const callerNeeds = { kind: "system-api", api: store.catalog.systemApis.fullControl.value } as const;
	/** The presented key's verification, its HMAC done once per connection. */
	const verifyCaller = (request: IncomingMessage, presented: string) =>
		store.verifyDigestNow(callerDigests.of(request.socket, presented), callerNeeds);

	/**
	 * One request: its route found and its key checked before a body is read (a body is read
	 * unauthenticated only when the key may be in it, and then within a shared budget), then
	 * answered — in the same turn, unless a route or the failure throttle has to wait. Callbacks
	 * rather than promises: this path runs for every request, and each await costs a trip through
	 * the microtask queue.
	 */
	function handle(request: IncomingMessage, response: ServerResponse): void {
		if (refusing.has(request.socket)) return;
		const started = performance.now();
		const method = request.method ?? "GET";
		let url: RequestTarget;
		try {
			url = requestTarget(request.url ?? "/");
		} catch {
			send(response, { status: 400, body: "The request URL is not valid." }, version);
			return;
		}
		const exchange: Exchange = {
			request,
			response,
			started,
			method,
			url,
			address: clientAddress(request, trustedProxies),
			kind: bodyKind(request),
			body: noBody,
			presented: findPresentedKey(request, url.query, undefined, undefined)?.key,
			actor: "anonymous",
		};
		if (isAuthorizeTarget(url.pathname)) {
			answerAuthorize(exchange);
			return;
		}
		const matching = routes.get(url.pathname);
		const route = matching?.find((r) => r.methods.includes(method));
		if (!matching || !route) {
			const status = matching ? 405 : 404;
			const text = matching ? `Use ${matching.flatMap((r) => r.methods).join(" or ")} for ${url.pathname}.` : "Not found.";
			// Whose key it was, for the entry and to redact a real key wherever the client also put it;
			// the answer is the same whatever the key, so this checks nothing for the client.
			if (exchange.presented !== undefined) {
				try {
					exchange.caller = verifyCaller(request, exchange.presented).record;
				} catch {
					// The store cannot say: the entry is logged without a key.
				}
			}
			finish(exchange, { status, body: text, close: hasBody(request) });
			return;
		}
		const bodyless = method === "GET" || method === "HEAD" || !hasBody(request);
		if (route.access === "manage" && exchange.presented === undefined) {
			// The key can only be in the body (a form's key, JSON's API_Key): read it within the budget.
			if (bodyless || exchange.kind === "other") finish(exchange, { status: 403, body: forbiddenText, close: !bodyless });
			else readBody(request, (body) => guarded(response, () => answerKeyless(exchange, route, body)), undefined, keylessBodies);
			return;
		}
		if (route.access === "manage") {
			const refusal = authenticate(exchange);
			if (refusal) {
				finish(exchange, bodyless ? refusal : { ...refusal, close: true });
				return;
			}
		}
		if (bodyless) answer(exchange, route, noBody);
		else readBody(request, (body) => guarded(response, () => answer(exchange, route, body)));
	}

	/**
	 * Checks the presented key, unless the throttle says this client must wait: then it is not
	 * evaluated at all. Returns the refusal, or nothing when the key may manage.
	 */
	function authenticate(exchange: Exchange): Reply | undefined {
		const { request } = exchange;
		const wait = throttle.isEmpty() ? 0 : throttle.waitBefore(clientOfExchange(exchange));
		if (wait > 0) {
			exchange.refused = true;
			refusing.add(request.socket);
			const text = `Too many failed attempts from this client; try again in ${Math.ceil(wait / 1000)} s.`;
			return { status: 429, body: text, retryAfterMs: wait, close: true };
		}
		let result: ReturnType<typeof verifyCaller>;
		try {
			result = verifyCaller(request, exchange.presented as string);
		} catch (error) {
			// The store cannot answer (gone, replaced, failing): a 503 with the reason, not a failure.
			return replyForError(error, onError);
		}
		if (result.record) exchange.caller = result.record;
		if (result.outcome !== "valid" || !result.record) {
			exchange.refused = true;
			const hold = throttle.recordFailure(clientOfExchange(exchange));
			return hold > 0 ? { status: 403, body: forbiddenText, heldMs: hold } : { status: 403, body: forbiddenText };
		}
		if (!throttle.isEmpty()) throttle.recordSuccess(clientOfExchange(exchange));
		exchange.actor = `key ${result.record.id}${result.record.displayName ? ` (${result.record.displayName})` : ""} via http`;
		return undefined;
	}

	/**
	 * A gateway's question about the request it holds (authorize.ts): any method, never a body.
	 * Refused unless every step succeeds: whatever throws becomes a 4xx or 5xx, never a 204. The
	 * failure throttle counts the forwarded client (behind a trusted proxy) as for any other route.
	 */
	function answerAuthorize(exchange: Exchange): void {
		const { request, url } = exchange;
		exchange.forwarded = forwardedRequest(request, url);
		const keys = forwardedKeys(request, url);
		let reply: Reply;
		try {
			const check = authorizeCheck(url, store.catalog);
			const presented = keys[0];
			exchange.presented = presented;
			const wait = presented === undefined || throttle.isEmpty() ? 0 : throttle.waitBefore(clientOfExchange(exchange));
			if (presented === undefined) {
				reply = { status: 401, body: "An API key is required.", headers: { "WWW-Authenticate": 'Basic realm="apikeys-tui", charset="UTF-8"' } };
			} else if (wait > 0) {
				exchange.refused = true;
				reply = { status: 429, body: `Too many failed attempts from this client; try again in ${Math.ceil(wait / 1000)} s.`, retryAfterMs: wait };
			} else {
				const digest = knownDigests.get(presented) ?? store.digestOf(presented);
				const result = store.verifyDigestNow(digest, check.requirement);
				exchange.caller = result.record;
				if (result.record) knownDigests.set(presented, digest);
				if (result.outcome === "valid" && result.record && (check.allowPersonal || result.record.type !== "personal")) {
					if (!throttle.isEmpty()) throttle.recordSuccess(clientOfExchange(exchange));
					reply = { status: 204, body: "", headers: allowedHeaders(result.record) };
				} else {
					exchange.refused = true;
					const hold = throttle.recordFailure(clientOfExchange(exchange));
					reply = hold > 0 ? { status: 403, body: forbiddenText, heldMs: hold } : { status: 403, body: forbiddenText };
				}
			}
		} catch (error) {
			reply = replyForError(error, onError);
		}
		// Keys the request carries besides the one used are kept out of the log as well.
		finish(exchange, { ...reply, reveals: keys });
	}

	/** A body read before its key was known: the key is looked for in it, then checked. */
	function answerKeyless(exchange: Exchange, route: Route, body: Buffer | HttpError): void {
		if (!(body instanceof HttpError)) {
			exchange.body = body;
			try {
				const json = exchange.kind === "json" && body.length > 0 ? parseJson(body) : undefined;
				const form = exchange.kind === "form" ? parseForm(body) : undefined;
				exchange.presented = findPresentedKey(exchange.request, exchange.url.query, form, json)?.key;
			} catch {
				// A body that does not parse holds no key the server can read.
			}
		}
		if (body instanceof HttpError) {
			finish(exchange, { ...replyForError(body, onError), close: true });
			return;
		}
		if (exchange.presented === undefined) {
			finish(exchange, { status: 403, body: forbiddenText });
			return;
		}
		const refusal = authenticate(exchange);
		if (refusal) finish(exchange, refusal);
		else answer(exchange, route, body);
	}

	function answer(exchange: Exchange, route: Route, body: Buffer | HttpError): void {
		// What was left of a body too large (or cut off) is not read: the connection closes.
		if (body instanceof HttpError) {
			finish(exchange, { ...replyForError(body, onError), close: true });
			return;
		}
		let reply: Reply | Promise<Reply>;
		try {
			exchange.body = body;
			const json = exchange.kind === "json" && body.length > 0 ? parseJson(body) : undefined;
			reply = route.handle({ store, query: exchange.url.query, json, actor: exchange.actor, version });
		} catch (error) {
			reply = replyForError(error, onError);
		}
		if (reply instanceof Promise) {
			reply.then(
				(settled) => guarded(exchange.response, () => finish(exchange, settled)),
				(error: unknown) => guarded(exchange.response, () => finish(exchange, replyForError(error, onError))),
			);
		} else finish(exchange, reply);
	}

	function finish(exchange: Exchange, reply: Reply): void {
		const write = () => guarded(exchange.response, () => sendAndLog(exchange, reply));
		if (reply.heldMs !== undefined) setTimeout(write, reply.heldMs);
		else replies.add(write);
	}

	function sendAndLog(exchange: Exchange, reply: Reply): void {
		const { request, url, presented, caller, body, forwarded } = exchange;
		const sentText = send(exchange.response, reply, version, reply.status !== 403 ? caller?.id : undefined);
		if (presented === undefined) return;
		if ((exchange.refused || !caller) && !failureLog.admit(clientOfExchange(exchange))) return;
		// A key that exists is a secret wherever its text appears; one that matches no key is
		// redacted only where it was presented (the query below; headers are not logged).
		const secrets = caller ? [presented, ...(reply.reveals ?? [])] : (reply.reveals ?? []);
		const logging = caller?.logging ?? "none";
		const logsRequest = logging === "request" || logging === "both";
		const logsResponse = logging === "response" || logging === "both";
		// Read only for a logged body's size cap: a read after the turn's marks are gone costs a revision read.
		const maxBytes = logsRequest || logsResponse ? settingsForLog().logBodyMaxBytes : 0;
		const target = forwarded?.target ?? `${url.pathname}${url.search}`;
		const mark = target.indexOf("?");
		let path = mark < 0 ? target : `${target.slice(0, mark)}?${redactPairs(target.slice(mark + 1), secrets)}`;
		if (secrets.length > 0) path = redactSecrets(path, secrets);
		const agent = request.headers["user-agent"];
		let userAgent = agent === undefined || secrets.length === 0 ? (agent ?? null) : redactSecrets(agent, secrets);
		if (!caller) {
			path = cutToBytes(path, unknownKeyTextBytes);
			if (userAgent !== null) userAgent = cutToBytes(userAgent, unknownKeyTextBytes);
		}
		store.logAccess({
			at: Date.now(),
			keyId: caller?.id ?? null,
			method: forwarded?.method ?? exchange.method,
			path,
			status: reply.status,
			durationMs: performance.now() - exchange.started,
			client: clientWithPseudoKey(exchange.address, presented, caller !== undefined),
			userAgent,
			requestBody: logsRequest && body.length > 0 ? bodyForLog(body, exchange.kind === "form", secrets, maxBytes) : null,
			responseBody: logsResponse ? bodyForLog(sentText, false, secrets, maxBytes) : null,
		});
	}

	/** Runs one step of a request; what it throws is reported and answered, never left to crash the server. */
	function guarded(response: ServerResponse, step: () => void): void {
		try {
			step();
		} catch (error) {
			onError(`unexpected error: ${(error as Error).message}`);
			if (!response.headersSent) send(response, { status: 500, body: "An unexpected error occurred." }, version);
			else response.destroy();
		}
	}

	// A client that trickles its headers or body cannot hold a connection for ever. Node checks
	// these limits only every connectionsCheckingInterval (30 s by default), which would let a
	// stalled client keep its connection for 40 s instead of 10: check every second.
	const timeouts = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 };
	const server = createServer(timeouts, (request, response) => guarded(response, () => handle(request, response)));
	server.on("connection", (socket: Socket) => {
		// A trusted gateway carries many clients' connections: each of them is limited behind it.
		if (!trustedProxies.empty && trustedProxies.has(socket.remoteAddress ?? "")) return;
		const address = clientIdentity(socket.remoteAddress);
		if (!connections.add(address)) {
			socket.destroy();
			return;
		}
		socket.once("close", () => connections.remove(address));
	});
	server.on("close", () => {
		clearInterval(sweep);
		failureLog.sweep(true);
	});
	return server;
}
