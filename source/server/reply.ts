/**
 * An answer on its way out: what a route or a refusal replies, the headers every answer carries,
 * and errors turned into plain-text 4xx and 5xx answers.
 */
import type { ServerResponse } from "node:http";
import { AppError, RuleError } from "../core/errors.js";
import type { ServedJson } from "../core/served-store.js";
import { HttpError } from "./request-body.js";
import type { StoreFailures } from "./store-failures.js";

/** ProGet's text for a missing, wrong, disabled or expired key, or one without the right scope. */
export const forbiddenText = "The specified API key does not have the proper permissions to perform this action.";

/**
 * The header that says how long a refused answer was held by the failure throttle. It tells a
 * client only what its own failures already told it (the schedule is public and counts nothing
 * but the client's own attempts), and lets a client or a test read the delay instead of timing it.
 */
export const heldHeader = "X-ApiKeys-Tui-Held-Ms";

/** The header that tells a caller which key it signed in with, so a console can warn before cutting itself off. */
export const callerKeyHeader = "X-ApiKeys-Tui-Key-Id";

/** A JSON body already serialised (the key list is answered many times between changes), as text or UTF-8 bytes. */
export class JsonText {
	constructor(readonly text: ServedJson) {}
}

export interface Reply {
	status: number;
	body: unknown;
	/** Secrets the reply reveals (a new key), to keep out of the access log. */
	reveals?: string[];
	/** How long the failure throttle held this answer, reported to the client. */
	heldMs?: number;
	/** How long the client must wait before its key is evaluated again (429), reported as Retry-After. */
	retryAfterMs?: number;
	/** Close the connection after this answer instead of reading what follows. */
	close?: boolean;
	/** Headers beside the server's own (the authorize route's answer about a key, a 405's Allow). */
	headers?: Record<string, string>;
}

const statusOfKind: Record<AppError["kind"], number> = {
	invalid: 400,
	"not-found": 404,
	conflict: 409,
	forbidden: 403,
	unavailable: 503,
	store: 503,
};

/** Writes the reply; returns the body sent (for the access log). */
export function send(response: ServerResponse, reply: Reply, version: string, callerId?: number): string | Buffer {
	const common = {
		"Cache-Control": "no-store",
		// pgutil reads these after a failed create to tell which ProGet answered; keep its edition check quiet:
		// https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetClient.cs#L561-L565
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
	const json = reply.body instanceof JsonText ? reply.body.text : undefined;
	// Bytes are sent as they are: a 16 MB key list is neither copied nor encoded again here.
	let text: string | Buffer;
	if (json instanceof Uint8Array) text = Buffer.from(json.buffer, json.byteOffset, json.byteLength);
	else text = isText ? (reply.body as string) : (json ?? JSON.stringify(reply.body));
	response.writeHead(reply.status, {
		"Content-Type": isText ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
		"Content-Length": Buffer.byteLength(text),
		...common,
	});
	response.end(text);
	return text;
}

/** The answer to a client the failure throttle holds back for `waitMs`: its key is not evaluated. */
export function tooManyFailures(waitMs: number): Reply {
	return { status: 429, body: `Too many failed attempts from this client; try again in ${Math.ceil(waitMs / 1000)} s.`, retryAfterMs: waitMs };
}

/** Where the server's failures go: the store's (answered without their reason) and unexpected ones (500). */
export interface FailureReports {
	store: StoreFailures;
	unexpected: (message: string) => void;
}

/**
 * What went wrong as an answer: the client's own mistakes with their reason; the store's failures
 * and anything unexpected reported in the server's log and answered without details.
 */
export function replyForError(error: unknown, reports: FailureReports): Reply {
	if (error instanceof HttpError) return { status: error.status, body: error.message };
	if (error instanceof RuleError) return { status: 400, body: error.errors.map((e) => `${e.field}: ${e.message}`).join("\n") };
	if (error instanceof AppError) {
		const status = statusOfKind[error.kind];
		return { status, body: status >= 500 ? reports.store.bodyFor(error) : error.message };
	}
	reports.unexpected(`unexpected error: ${(error as Error).message}`);
	return { status: 500, body: "An unexpected error occurred; it has been reported in the server's output." };
}
