/**
 * The HTTP server: authenticates each request with the key it presents, dispatches it, answers
 * with ProGet's shapes and plain-text errors, and writes every request made with a key to the
 * access log (bodies per that key's logging, secrets redacted, size capped). Nothing a client
 * sends can crash it: every failure becomes a 4xx with a reason.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { AppError, RuleError } from "../core/errors.js";
import type { VerifiedKey } from "../core/model.js";
import { defaultSettings } from "../core/settings.js";
import type { LocalStore } from "../store/local-store.js";
import { allowedHeaders, authorizeCheck, forwardedKeys, forwardedRequest, isAuthorizeTarget } from "./authorize.js";
import { clientAddress, TrustedProxies } from "./client-address.js";
import { BoundedMemo } from "./bounded-memo.js";
import { ConnectionDigests } from "./connection-digests.js";
import { EndOfTurnWrites } from "./end-of-turn.js";
import { FailureThrottle } from "./failure-throttle.js";
import { findPresentedKey } from "./presented-key.js";
import { clientWithPseudoKey } from "./pseudo-key.js";
import { bodyForLog, redactSecrets } from "./redact.js";
import { type RequestTarget, requestTarget } from "./request-target.js";
import { bodyKind, HttpError, parseForm, parseJson, readBody } from "./request-body.js";
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
	store: LocalStore;
	version: string;
	/** Proxies whose X-Forwarded-For / X-Real-IP name the client (serve --trust-proxy); none by default. */
	trustedProxies?: TrustedProxies;
	/** Where unexpected errors are reported (never with a secret in them). */
	onError?: (message: string) => void;
}

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
		...reply.headers,
	};
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
	body: Buffer;
	/** The key the request presented, wherever it was. */
	presented?: string;
	/** The key, when it exists (valid or not). */
	caller?: VerifiedKey;
	/** The request a gateway asks about (authorize route): logged as the key's use instead of the gateway's own. */
	forwarded?: { method: string; target: string };
}

const noBody = Buffer.alloc(0);

export function createApiServer(options: ApiServerOptions): Server {
	const { store, version } = options;
	const trustedProxies = options.trustedProxies ?? TrustedProxies.none();
	const onError = options.onError ?? (() => {});
	const routes = new Map<string, Route[]>();
	for (const route of buildRoutes()) routes.set(route.path, [...(routes.get(route.path) ?? []), route]);
	const throttle = new FailureThrottle();
	const callerDigests = new ConnectionDigests((key) => store.digestOf(key));
	// The authorize route's: a gateway carries many clients' keys on one connection, so digests are
	// remembered by key, only for keys that exist (a guess never enters; a lookup of one is a hash
	// of the guess, then a compare only on a hash collision), so a gateway's checks skip the HMAC.
	const knownDigests = new BoundedMemo<string>(10_000);
	const replies = new EndOfTurnWrites();
	store.checkChangesOncePerTurn();
	store.prepareVerification();
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
	 * One request: its body read if it has one, then answered — in the same turn, unless a route
	 * or the failure throttle has to wait. Callbacks rather than promises: this path runs for every
	 * request, and each await costs a trip through the microtask queue.
	 */
	function handle(request: IncomingMessage, response: ServerResponse): void {
		const started = performance.now();
		const method = request.method ?? "GET";
		let url: RequestTarget;
		try {
			url = requestTarget(request.url ?? "/");
		} catch {
			send(response, { status: 400, body: "The request URL is not valid." }, version);
			return;
		}
		const address = clientAddress(request, trustedProxies);
		const exchange: Exchange = { request, response, started, method, url, address, body: noBody };
		if (isAuthorizeTarget(url.pathname)) answerAuthorize(exchange);
		else if (method === "GET" || method === "HEAD") answer(exchange, noBody);
		else readBody(request, (body) => guarded(response, () => answer(exchange, body)));
	}

	function answer(exchange: Exchange, body: Buffer | HttpError): void {
		const { request, url } = exchange;
		let reply: Reply | Promise<Reply>;
		try {
			if (body instanceof HttpError) throw body;
			exchange.body = body;
			const kind = bodyKind(request);
			const json = kind === "json" && body.length > 0 ? parseJson(body) : undefined;
			const form = kind === "form" ? parseForm(body) : undefined;
			exchange.presented = findPresentedKey(request, url.query, form, json)?.key;
			reply = dispatch(exchange, json);
		} catch (error) {
			reply = replyForError(error, onError);
			// A body that could not be read or parsed still came with a key (header, query, Basic):
			// the request is logged under it like any other.
			exchange.presented ??= findPresentedKey(request, url.query, undefined, undefined)?.key;
			if (exchange.presented !== undefined && exchange.caller === undefined) {
				try {
					exchange.caller = verifyCaller(request, exchange.presented).record;
				} catch {
					// The store cannot say whose key it is; the entry is logged without one.
				}
			}
		}
		if (reply instanceof Promise) {
			reply.then(
				(settled) => guarded(exchange.response, () => finish(exchange, settled)),
				(error: unknown) => guarded(exchange.response, () => finish(exchange, replyForError(error, onError))),
			);
		} else finish(exchange, reply);
	}

	/**
	 * A gateway's question about the request it holds (authorize.ts): any method, never a body.
	 * Refused unless every step succeeds: whatever throws becomes a 4xx or 5xx, never a 204.
	 */
	function answerAuthorize(exchange: Exchange): void {
		const { request, url, address } = exchange;
		exchange.forwarded = forwardedRequest(request, url);
		const keys = forwardedKeys(request, url);
		let reply: Reply;
		try {
			const check = authorizeCheck(url, store.catalog);
			const presented = keys[0];
			exchange.presented = presented;
			if (presented === undefined) {
				reply = { status: 401, body: "An API key is required.", headers: { "WWW-Authenticate": 'Basic realm="apikeys-tui", charset="UTF-8"' } };
			} else {
				const digest = knownDigests.get(presented) ?? store.digestOf(presented);
				const result = store.verifyDigestNow(digest, check.requirement);
				exchange.caller = result.record;
				if (result.record) knownDigests.set(presented, digest);
				if (result.outcome === "valid" && result.record && (check.allowPersonal || result.record.type !== "personal")) {
					throttle.recordSuccess(address);
					reply = { status: 204, body: "", headers: allowedHeaders(result.record) };
				} else {
					throttle.recordFailure(address);
					reply = { status: 403, body: forbiddenText };
				}
			}
		} catch (error) {
			reply = replyForError(error, onError);
		}
		// Keys the request carries besides the one used are kept out of the log as well.
		finish(exchange, { ...reply, reveals: keys });
	}

	function finish(exchange: Exchange, reply: Reply): void {
		const delay = reply.status === 403 ? throttle.delayFor(exchange.address) : 0;
		const write = () => guarded(exchange.response, () => sendAndLog(exchange, reply));
		if (delay > 0) setTimeout(write, delay);
		else replies.add(write);
	}

	function sendAndLog(exchange: Exchange, reply: Reply): void {
		const { request, url, presented, caller, body, forwarded } = exchange;
		const sentText = send(exchange.response, reply, version, reply.status !== 403 ? caller?.id : undefined);
		if (presented === undefined) return;
		const secrets = [presented, ...(reply.reveals ?? [])];
		const logging = caller?.logging ?? "none";
		const logsRequest = logging === "request" || logging === "both";
		const logsResponse = logging === "response" || logging === "both";
		// Read only for a logged body's size cap: a read after the turn's marks are gone costs a revision read.
		const maxBytes = logsRequest || logsResponse ? settingsForLog().logBodyMaxBytes : 0;
		store.logAccess({
			at: Date.now(),
			keyId: caller?.id ?? null,
			method: forwarded?.method ?? exchange.method,
			path: redactSecrets(forwarded?.target ?? `${url.pathname}${url.search}`, secrets),
			status: reply.status,
			durationMs: performance.now() - exchange.started,
			client: clientWithPseudoKey(exchange.address, presented, caller !== undefined),
			userAgent: request.headers["user-agent"] === undefined ? null : redactSecrets(request.headers["user-agent"], secrets),
			requestBody: logsRequest && body.length > 0 ? bodyForLog(body, secrets, maxBytes) : null,
			responseBody: logsResponse ? bodyForLog(sentText, secrets, maxBytes) : null,
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

	function dispatch(exchange: Exchange, json: unknown): Reply | Promise<Reply> {
		const { request, url, method, address, presented } = exchange;
		const matching = routes.get(url.pathname);
		if (!matching) return { status: 404, body: "Not found." };
		const route = matching.find((r) => r.methods.includes(method));
		if (!route) {
			return { status: 405, body: `Use ${matching.flatMap((r) => r.methods).join(" or ")} for ${url.pathname}.` };
		}
		let actor = "anonymous";
		if (route.access === "manage") {
			if (presented === undefined) return { status: 403, body: forbiddenText };
			const result = verifyCaller(request, presented);
			if (result.record) exchange.caller = result.record;
			if (result.outcome !== "valid" || !result.record) {
				throttle.recordFailure(address);
				return { status: 403, body: forbiddenText };
			}
			throttle.recordSuccess(address);
			actor = `key ${result.record.id}${result.record.displayName ? ` (${result.record.displayName})` : ""} via http`;
		}
		return route.handle({ store, query: url.query, json, actor, version });
	}

	// A client that trickles its headers or body cannot hold a connection for ever. Node checks
	// these limits only every connectionsCheckingInterval (30 s by default), which would let a
	// stalled client keep its connection for 40 s instead of 10: check every second.
	const timeouts = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 };
	return createServer(timeouts, (request, response) => guarded(response, () => handle(request, response)));
}
