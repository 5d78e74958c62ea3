/**
 * A request on its way through the server, what is learnt of it, and the access-log entry it
 * becomes once answered: bodies as the key's logging asks, every secret redacted, sizes capped.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NewAccessLogEntry } from "../core/backend.js";
import type { VerifiedKey } from "../core/model.js";
import { clientWithPseudoKey } from "./pseudo-key.js";
import { bodyForLog, cutToBytes, redactPairs, redactSecrets } from "./redact.js";
import type { Reply } from "./reply.js";
import type { BodyKind } from "./request-body.js";
import type { RequestTarget } from "./request-target.js";

/** What an entry made with a key that matches none keeps of its path and user agent. */
export const unknownKeyTextBytes = 256;

export interface Exchange {
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
	/** Who the audit trail names for a change: the key that signed the request, never a name the client sends. */
	actor: string;
	/** The request a gateway asks about (authorize route): logged as the key's use instead of the gateway's own. */
	forwarded?: { method: string; target: string };
}

/** How the audit trail names the key that made a change through the server. */
export function actorOf(key: VerifiedKey): string {
	return `key ${key.id}${key.displayName ? ` (${key.displayName})` : ""} via http`;
}

/**
 * The entry for an exchange made with a key (`presented`), answered with `reply` and `sentText`.
 * `bodyCap` is read only when a body is logged: reading the settings can cost a store read.
 */
export function accessEntry(
	exchange: Exchange,
	presented: string,
	reply: Reply,
	sentText: string | Buffer,
	bodyCap: () => number,
): NewAccessLogEntry {
	const { request, url, caller, body, forwarded } = exchange;
	// A key that exists is a secret wherever its text appears; one that matches no key is
	// redacted only where it was presented (the query below; headers are not logged).
	const secrets = caller ? [presented, ...(reply.reveals ?? [])] : (reply.reveals ?? []);
	const logging = caller?.logging ?? "none";
	const logsRequest = logging === "request" || logging === "both";
	const logsResponse = logging === "response" || logging === "both";
	const maxBytes = logsRequest || logsResponse ? bodyCap() : 0;
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
	return {
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
	};
}

/** The entry that stands for failed requests not logged one by one (of one client, or of all when `client` is undefined). */
export function skippedFailuresEntry(client: string | undefined, skipped: number): NewAccessLogEntry {
	const whose = client === undefined ? "from all clients over the server's limit" : "from this client";
	return {
		at: Date.now(),
		keyId: null,
		method: "-",
		path: `(${skipped} more failed requests ${whose} in a minute, not logged)`,
		status: 429,
		durationMs: 0,
		client: client ?? "-",
		userAgent: null,
		requestBody: null,
		responseBody: null,
	};
}
