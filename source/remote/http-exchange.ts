/**
 * One HTTP request and its answer over node:http(s), on keep-alive connections kept per client.
 * Not fetch: Node builds fetch (undici and its WebAssembly HTTP parser) on first use, tens of
 * milliseconds on the thread that also imports the console, and the console's first rows waited
 * for them (docs/PERFORMANCE.md). What this module keeps of fetch: no redirect followed, gzip and
 * deflate answers decoded, one deadline from sending to the body's last byte.
 */
import type * as NodeHttp from "node:http";
import type { Agent, ClientRequest, IncomingMessage } from "node:http";
import type { Readable } from "node:stream";

export interface Exchange {
	method: "GET" | "POST" | "DELETE";
	url: URL;
	headers: Record<string, string>;
	body?: string;
}

/** No complete answer before the deadline (the connection is closed). */
export class ExchangeTimeout extends Error {
	constructor() {
		super("no complete answer within the timeout");
		this.name = "ExchangeTimeout";
	}
}

/** The body grew past the size the reader allows (the connection is closed). */
export class AnswerTooLarge extends Error {
	constructor() {
		super("the answer is larger than allowed");
		this.name = "AnswerTooLarge";
	}
}

/** An idle connection is closed after this long, or sooner when the server's Keep-Alive header says so (less a second). */
const idleConnectionMs = 30_000;

/**
 * What fetch sent that a server may act on or log, kept so that it sees the client it saw before
 * (pgutil's .NET client sends no User-Agent of its own).
 */
const usualHeaders = { "User-Agent": "node", Accept: "*/*", "Accept-Encoding": "gzip, deflate" };

type HttpModule = typeof NodeHttp;

/** A server's answer whose body is still to be read (or discarded). */
export class Answer {
	private timedOut = false;

	constructor(
		private readonly request: ClientRequest,
		private readonly response: IncomingMessage,
		private readonly timer: NodeJS.Timeout,
	) {}

	get status(): number {
		return this.response.statusCode ?? 0;
	}

	get statusText(): string {
		return this.response.statusMessage ?? "";
	}

	/** A header's value (repeated ones joined by ", "), or null when it was not sent; names in any case. */
	header(name: string): string | null {
		const value = this.response.headers[name.toLowerCase()];
		if (value === undefined) return null;
		return Array.isArray(value) ? value.join(", ") : value;
	}

	/** Called by the deadline: the body's reader learns why the stream ended. */
	expire(): void {
		this.timedOut = true;
		this.request.destroy(new ExchangeTimeout());
	}

	/** The whole body as text, decoded, up to `maxBytes` once decoded; a body cut short is an error, never a short text. */
	async text(maxBytes: number): Promise<string> {
		const chunks: Buffer[] = [];
		let size = 0;
		try {
			for await (const chunk of await this.decoded()) {
				size += (chunk as Buffer).length;
				if (size > maxBytes) throw new AnswerTooLarge();
				chunks.push(chunk as Buffer);
			}
			if (!this.response.complete) throw Object.assign(new Error("the answer was cut short"), { code: "ECONNRESET" });
		} catch (error) {
			this.discard();
			throw this.timedOut ? new ExchangeTimeout() : error;
		}
		clearTimeout(this.timer);
		return Buffer.concat(chunks).toString("utf8");
	}

	/** Stops reading: the connection is closed rather than drained. */
	discard(): void {
		clearTimeout(this.timer);
		this.request.destroy();
	}

	private async decoded(): Promise<Readable> {
		const encoding = this.header("content-encoding")?.trim().toLowerCase();
		if (encoding !== "gzip" && encoding !== "deflate") return this.response;
		const zlib = await import("node:zlib");
		const decoder = encoding === "gzip" ? zlib.createGunzip() : zlib.createInflate();
		this.response.on("error", (error) => decoder.destroy(error));
		return this.response.pipe(decoder);
	}
}

/** Whether a request failed on a kept connection the server had just closed, before any answer: sending again is safe for a GET. */
function closedWhileIdle(request: ClientRequest, error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException).code;
	return request.reusedSocket && (code === "ECONNRESET" || code === "EPIPE");
}

/** The connections to one instance (http or https, as its URL says), kept open between requests. */
export class Connections {
	private agent: Agent | undefined;
	private http: HttpModule | undefined;

	constructor(private readonly secure: boolean) {}

	/** Sends `exchange`; resolves at the answer's status line, the deadline running on until its body is read. */
	async send(exchange: Exchange, timeoutMs: number): Promise<Answer> {
		const http = await this.load();
		const deadline = performance.now() + timeoutMs;
		try {
			return await this.attempt(http, exchange, deadline);
		} catch (error) {
			if (!(error instanceof StaleConnection)) throw error;
			return this.attempt(http, exchange, deadline).catch((again: unknown) => {
				throw again instanceof StaleConnection ? again.cause : again;
			});
		}
	}

	/** Closes every kept connection (a request under way fails). */
	close(): void {
		this.agent?.destroy();
	}

	private async load(): Promise<HttpModule> {
		// Loaded on the first request only: every command imports this module, few of them send anything.
		this.http ??= (this.secure ? await import("node:https") : await import("node:http")) as HttpModule;
		this.agent ??= new this.http.Agent({ keepAlive: true, timeout: idleConnectionMs });
		return this.http;
	}

	private attempt(http: HttpModule, exchange: Exchange, deadline: number): Promise<Answer> {
		const headers: Record<string, string> = { ...usualHeaders, ...exchange.headers };
		if (exchange.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(exchange.body));
		return new Promise((resolve, reject) => {
			const request = http.request(exchange.url, { method: exchange.method, headers, agent: this.agent });
			let answer: Answer | undefined;
			const expire = () => (answer ? answer.expire() : request.destroy(new ExchangeTimeout()));
			const timer = setTimeout(expire, Math.max(0, deadline - performance.now()));
			request.on("error", (error) => {
				if (answer) return;
				clearTimeout(timer);
				reject(exchange.method === "GET" && closedWhileIdle(request, error) ? new StaleConnection(error) : error);
			});
			request.on("response", (response) => {
				answer = new Answer(request, response, timer);
				resolve(answer);
			});
			request.end(exchange.body);
		});
	}
}

class StaleConnection extends Error {
	constructor(override readonly cause: unknown) {
		super("the kept connection was closed");
	}
}
