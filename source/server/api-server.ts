/**
 * The HTTP server: authenticates each request with the key it presents, dispatches it, answers
 * with ProGet's shapes and plain-text errors, and writes every request made with a key to the
 * access log (bodies per that key's logging, secrets redacted, size capped). Nothing a client
 * sends can crash it: every failure becomes a 4xx with a reason.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { ServedStore } from "../core/served-store.js";
import { defaultSettings } from "../core/settings.js";
import { ConnectionDigests } from "./connection-digests.js";
import { EndOfTurnWrites } from "./end-of-turn.js";
import { forwardedKeys, forwardedRequest, isAuthorizeTarget } from "./authorize.js";
import { authorizeReply, GatewayDigests } from "./authorize-reply.js";
import { clientAddress, TrustedProxies } from "./client-address.js";
import { clientIdentity } from "./client-identity.js";
import { ByteBudget, ConnectionCounts, FailureLogLimit } from "./client-limits.js";
import { FailureThrottle } from "./failure-throttle.js";
import { findPresentedKey } from "./presented-key.js";
import { accessEntry, actorOf, type Exchange, skippedFailuresEntry } from "./exchange.js";
import { type FailureReports, forbiddenText, type Reply, replyForError, send, tooManyFailures } from "./reply.js";
import { type RequestTarget, requestTarget } from "./request-target.js";
import { bodyKind, HttpError, parseForm, parseJson, readBody } from "./request-body.js";
import { buildRoutes, type Route } from "./routes.js";
import { StoreFailures } from "./store-failures.js";

export interface ApiServerOptions {
	/** A store whose startServing() has resolved. */
	store: ServedStore;
	version: string;
	/** Proxies whose X-Forwarded-For / X-Real-IP name the client (serve --trust-proxy); none by default. */
	trustedProxies?: TrustedProxies;
	/** The server's log: unexpected errors, and the store's failures that no client is told. Never a secret. */
	onError?: (message: string) => void;
	/** Whom a request's failures count against: by default its client address (behind a trusted proxy, the forwarded one; an IPv6 /64 as one). */
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
const noBody = Buffer.alloc(0);

function hasBody(request: IncomingMessage): boolean {
	return request.headers["transfer-encoding"] !== undefined || Number(request.headers["content-length"] ?? 0) > 0;
}

export function createApiServer(options: ApiServerOptions): Server {
	const { store, version } = options;
	const onError = options.onError ?? (() => {});
	const reports: FailureReports = { store: new StoreFailures(() => store.servingHealth(), onError), unexpected: onError };
	const trustedProxies = options.trustedProxies ?? TrustedProxies.none();
	const clientOf = options.clientOf ?? ((request: IncomingMessage) => clientIdentity(clientAddress(request, trustedProxies)));
	const routes = new Map<string, Route[]>();
	for (const route of buildRoutes()) routes.set(route.path, [...(routes.get(route.path) ?? []), route]);
	const throttle = new FailureThrottle();
	const callerDigests = new ConnectionDigests((key) => store.digestOf(key));
	const gatewayDigests = new GatewayDigests();
	const replies = new EndOfTurnWrites();
	const keylessBodies = new ByteBudget(unauthenticatedBodyBytes);
	const connections = new ConnectionCounts(maxConnectionsPerAddress);
	/** Connections refused with 429: what else they send is not answered, and they close. */
	const refusing = new WeakSet<Socket>();
	const failureLog = new FailureLogLimit(loggedFailuresPerMinute, loggedFailuresPerMinuteOfAll, (client, skipped) =>
		store.logAccess(skippedFailuresEntry(client, skipped)),
	);
	const clientOfExchange = (exchange: Exchange) => (exchange.client ??= clientOf(exchange.request));
	const sweep = setInterval(() => failureLog.sweep(), 60_000);
	sweep.unref();
	// Read after the answer is sent: a store that fails now must not turn it into an "unexpected error".
	const logBodyCap = () => {
		try {
			return store.settingsNow().logBodyMaxBytes;
		} catch {
			return defaultSettings.logBodyMaxBytes;
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
			const allowed = matching?.flatMap((r) => r.methods);
			const refusal: Reply = allowed
				? { status: 405, body: `Use ${allowed.join(" or ")} for ${url.pathname}.`, headers: { Allow: allowed.join(", ") } }
				: { status: 404, body: "Not found." };
			// Whose key it was, for the entry and to redact a real key wherever the client also put it;
			// the answer is the same whatever the key, so this checks nothing for the client.
			if (exchange.presented !== undefined) {
				try {
					exchange.caller = verifyCaller(request, exchange.presented).record;
				} catch {
					// The store cannot say: the entry is logged without a key.
				}
			}
			finish(exchange, { ...refusal, close: hasBody(request) });
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

	/** Checks the presented key unless the throttle says this client must wait; the refusal, or nothing when the key may manage. */
	function authenticate(exchange: Exchange): Reply | undefined {
		const { request } = exchange;
		const wait = throttle.isEmpty() ? 0 : throttle.waitBefore(clientOfExchange(exchange));
		if (wait > 0) {
			exchange.refused = true;
			refusing.add(request.socket);
			return { ...tooManyFailures(wait), close: true };
		}
		let result: ReturnType<typeof verifyCaller>;
		try {
			result = verifyCaller(request, exchange.presented as string);
		} catch (error) {
			// The store cannot answer (gone, replaced, failing): a 503, its reason in the server's log.
			return replyForError(error, reports);
		}
		if (result.record) exchange.caller = result.record;
		if (result.outcome !== "valid" || !result.record) {
			exchange.refused = true;
			const hold = throttle.recordFailure(clientOfExchange(exchange));
			return hold > 0 ? { status: 403, body: forbiddenText, heldMs: hold } : { status: 403, body: forbiddenText };
		}
		if (!throttle.isEmpty()) throttle.recordSuccess(clientOfExchange(exchange));
		exchange.actor = actorOf(result.record);
		return undefined;
	}

	/**
	 * A gateway's question about the request it holds (authorize.ts): any method, never a body.
	 * Refused unless every step succeeds: whatever throws becomes a 4xx or 5xx, never a 204.
	 */
	function answerAuthorize(exchange: Exchange): void {
		const { request, url } = exchange;
		exchange.forwarded = forwardedRequest(request, url);
		const keys = forwardedKeys(request, url);
		let reply: Reply;
		try {
			reply = authorizeReply(exchange, keys[0], store, gatewayDigests, throttle, clientOfExchange);
		} catch (error) {
			reply = replyForError(error, reports);
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
			finish(exchange, { ...replyForError(body, reports), close: true });
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
			finish(exchange, { ...replyForError(body, reports), close: true });
			return;
		}
		let reply: Reply | Promise<Reply>;
		try {
			exchange.body = body;
			const json = exchange.kind === "json" && body.length > 0 ? parseJson(body) : undefined;
			reply = route.handle({ store, query: exchange.url.query, json, actor: exchange.actor, version });
		} catch (error) {
			reply = replyForError(error, reports);
		}
		if (reply instanceof Promise) {
			reply.then(
				(settled) => guarded(exchange.response, () => finish(exchange, settled)),
				(error: unknown) => guarded(exchange.response, () => finish(exchange, replyForError(error, reports))),
			);
		} else finish(exchange, reply);
	}

	function finish(exchange: Exchange, reply: Reply): void {
		const write = () => guarded(exchange.response, () => sendAndLog(exchange, reply));
		if (reply.heldMs !== undefined) setTimeout(write, reply.heldMs);
		else replies.add(write);
	}

	function sendAndLog(exchange: Exchange, reply: Reply): void {
		const { presented, caller } = exchange;
		const sentText = send(exchange.response, reply, version, reply.status !== 403 ? caller?.id : undefined);
		if (presented === undefined) return;
		if ((exchange.refused || !caller) && !failureLog.admit(clientOfExchange(exchange))) return;
		store.logAccess(accessEntry(exchange, presented, reply, sentText, logBodyCap));
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
