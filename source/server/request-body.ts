/**
 * Reading a request body: chunked or not, with a size limit, and parsing it as JSON or as an
 * urlencoded form. Every failure is an HttpError with a plain-text reason, never a crash.
 */
import { isAscii } from "node:buffer";
import type { IncomingMessage } from "node:http";

export class HttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
	) {
		super(message);
		this.name = "HttpError";
	}
}

export const maxBodyBytes = 1_048_576;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes held at once by bodies read before their key is known (see ByteBudget). */
export interface BodyBudget {
	take(bytes: number): boolean;
	give(bytes: number): void;
}

const busyText = "The server is holding too many unauthenticated bodies; send the key in the X-ApiKey header, or try again.";

/**
 * Collects a request body and hands it (or why it could not be read) to `done`, once. A `budget`
 * is charged before a byte is read (the declared length up front, anything beyond it as it comes)
 * and repaid when the body is handed on or given up. A body refused part-way is read no further:
 * its connection is closed with the answer.
 */
export function readBody(
	request: IncomingMessage,
	done: (body: Buffer | HttpError) => void,
	limit = maxBodyBytes,
	budget?: BodyBudget,
): void {
	const declared = Number(request.headers["content-length"] ?? 0);
	const tooLarge = () => new HttpError(413, `The request body is larger than ${limit} bytes.`);
	if (declared > limit) {
		done(tooLarge());
		return;
	}
	let charged = 0;
	if (budget && declared > 0) {
		if (!budget.take(declared)) {
			done(new HttpError(503, busyText));
			return;
		}
		charged = declared;
	}
	const chunks: Buffer[] = [];
	let size = 0;
	let finished = false;
	const finish = (body: Buffer | HttpError) => {
		if (finished) return;
		finished = true;
		budget?.give(charged);
		if (body instanceof HttpError) {
			chunks.length = 0;
			request.removeAllListeners("data");
			request.pause();
		}
		done(body);
	};
	request.on("data", (chunk: Buffer) => {
		size += chunk.length;
		if (size > limit) finish(tooLarge());
		else if (budget && size > charged && !budget.take(size - charged)) finish(new HttpError(503, busyText));
		else {
			if (budget) charged = Math.max(charged, size);
			chunks.push(chunk);
		}
	});
	request.on("end", () => finish(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
	request.on("error", () => finish(new HttpError(400, "The request body could not be read.")));
	// A connection dropped part-way repays the budget at once.
	if (budget) request.on("close", () => finish(new HttpError(400, "The request body could not be read.")));
}

export type BodyKind = "json" | "form" | "other";

export function bodyKind(request: IncomingMessage): BodyKind {
	const type = (request.headers["content-type"] ?? "").toLowerCase();
	if (type.startsWith("application/json") || type.includes("+json")) return "json";
	if (type.startsWith("application/x-www-form-urlencoded")) return "form";
	return "other";
}

/** How deep `text` nests objects and arrays (brackets inside strings do not count). */
function nestingDepth(text: string): number {
	let depth = 0;
	let deepest = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const char = text[i];
		if (inString) {
			if (char === "\\") i++;
			else if (char === '"') inString = false;
		} else if (char === '"') inString = true;
		else if (char === "{" || char === "[") deepest = Math.max(deepest, ++depth);
		else if (char === "}" || char === "]") depth--;
	}
	return deepest;
}

/** Whether `body` holds more opening brackets than `most`: fewer cannot nest deeper than that. */
function bracketsExceed(body: Buffer, most: number): boolean {
	let count = 0;
	for (const bracket of [0x7b, 0x5b]) {
		for (let at = body.indexOf(bracket); at >= 0; at = body.indexOf(bracket, at + 1)) {
			if (++count > most) return true;
		}
	}
	return false;
}

/** Parses a JSON body; nesting deeper than `maxDepth` is refused before it can hurt anything. */
export function parseJson(body: Buffer, maxDepth = 32): unknown {
	let text: string;
	if (isAscii(body)) text = body.toString("latin1");
	else {
		try {
			text = strictUtf8.decode(body);
		} catch {
			throw new HttpError(400, "The request body is not valid UTF-8.");
		}
	}
	if (bracketsExceed(body, maxDepth) && nestingDepth(text) > maxDepth) {
		throw new HttpError(400, `The JSON body is nested deeper than ${maxDepth} levels.`);
	}
	try {
		return JSON.parse(text) as unknown;
	} catch (error) {
		// Not the parser's message: it quotes the text, which may hold a key.
		const position = /position (\d+)/.exec((error as Error).message)?.[1];
		throw new HttpError(400, `The request body is not valid JSON${position === undefined ? "" : ` (at character ${position})`}.`);
	}
}

export function parseForm(body: Buffer): URLSearchParams {
	return new URLSearchParams(body.toString("utf8"));
}
