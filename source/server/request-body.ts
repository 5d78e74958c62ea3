/**
 * Reading a request body: chunked or not, with a size limit, and parsing it as JSON or as an
 * urlencoded form. Every failure is an HttpError with a plain-text reason, never a crash.
 */
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

export function readBody(request: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const declared = Number(request.headers["content-length"] ?? 0);
		if (declared > limit) {
			reject(new HttpError(413, `The request body is larger than ${limit} bytes.`));
			request.resume();
			return;
		}
		const chunks: Buffer[] = [];
		let size = 0;
		request.on("data", (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				reject(new HttpError(413, `The request body is larger than ${limit} bytes.`));
				request.removeAllListeners("data");
				request.resume();
				return;
			}
			chunks.push(chunk);
		});
		request.on("end", () => resolve(Buffer.concat(chunks)));
		request.on("error", () => reject(new HttpError(400, "The request body could not be read.")));
	});
}

export type BodyKind = "json" | "form" | "other";

export function bodyKind(request: IncomingMessage): BodyKind {
	const type = (request.headers["content-type"] ?? "").toLowerCase();
	if (type.startsWith("application/json") || type.includes("+json")) return "json";
	if (type.startsWith("application/x-www-form-urlencoded")) return "form";
	return "other";
}

/** Parses a JSON body; nesting deeper than `maxDepth` is refused before it can hurt anything. */
export function parseJson(body: Buffer, maxDepth = 32): unknown {
	let text: string;
	try {
		text = strictUtf8.decode(body);
	} catch {
		throw new HttpError(400, "The request body is not valid UTF-8.");
	}
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
	if (deepest > maxDepth) throw new HttpError(400, `The JSON body is nested deeper than ${maxDepth} levels.`);
	try {
		return JSON.parse(text) as unknown;
	} catch (error) {
		throw new HttpError(400, `The request body is not valid JSON: ${(error as Error).message}`);
	}
}

export function parseForm(body: Buffer): URLSearchParams {
	return new URLSearchParams(body.toString("utf8"));
}
