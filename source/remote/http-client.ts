/**
 * Requests to a remote instance, authenticated as pgutil does, bounded, and every failure as one
 * clear line: the key refused (403), not found (404), a bad request (400, with the server's
 * reason), a server error (5xx), a redirect, an unreachable host, a TLS problem, no answer in time,
 * an answer too large to read.
 */
import { AppError, RuleError } from "../core/errors.js";
import type { FieldError, FieldName } from "../core/rules.js";
import { safeLine } from "../core/terminal-text.js";

export interface RemoteReply {
	status: number;
	text: string;
	headers: Headers;
}

export interface RequestOptions {
	method?: "GET" | "POST" | "DELETE";
	query?: Record<string, string | number | undefined>;
	json?: unknown;
	/** Statuses the caller handles itself instead of failing (e.g. 404 while probing). */
	accept?: number[];
}

/**
 * Who the requests are made as. pgutil sends an API key, or `user:password`, in the one
 * `X-ApiKey` header (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetClient.cs#L30-L42).
 */
export type Credentials = { apiKey: string } | { username: string; password: string } | Record<string, never>;

const tlsCodes = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i;
const ruleFields = new Set(["type", "displayName", "description", "systemApis", "packagePermissions", "feed", "feedGroup", "user", "expiration", "logging", "key"]);
const mib = 1024 * 1024;

/** The largest answer read, in bytes: 256 MiB, or $APIKEYS_TUI_MAX_RESPONSE_MB; a value that is not a size is refused, not ignored. */
export function maxResponseBytes(env: NodeJS.ProcessEnv): number {
	const text = env.APIKEYS_TUI_MAX_RESPONSE_MB?.trim();
	if (!text) return 256 * mib;
	if (!/^\d{1,7}$/.test(text) || Number(text) === 0) {
		throw new AppError(`APIKEYS_TUI_MAX_RESPONSE_MB is "${safeLine(text.slice(0, 40))}": give a whole number of MiB, 1 or more (default 256)`, "invalid");
	}
	return Number(text) * mib;
}

/** Our server's 400 lists the rules' errors as `field: message` lines: read them back as such. */
function ruleErrorFrom(text: string): RuleError | undefined {
	const errors: FieldError[] = [];
	for (const line of text.trim().split("\n")) {
		const match = /^(\w+): (.+)$/.exec(line);
		if (!match || !ruleFields.has(match[1] as string)) return undefined;
		errors.push({ field: match[1] as FieldName, message: safeLine(match[2] as string) });
	}
	return errors.length > 0 ? new RuleError(errors) : undefined;
}

/** The host could not be reached or did not answer: no answer to judge. */
export class TransportError extends AppError {
	constructor(
		message: string,
		/** Whether the request may have reached the server (false: refused, unresolvable, TLS). */
		readonly maybeDelivered = true,
	) {
		super(message, "unavailable");
		this.name = "TransportError";
	}
}

/**
 * Whether a failed request may still have been carried out: anything but the server's own
 * refusal (a 4xx) and a request that never left (a host refused, unresolvable, or a TLS failure).
 */
export function mayHaveTakenEffect(error: unknown): boolean {
	if (!(error instanceof AppError)) return false;
	if (error instanceof TransportError) return error.maybeDelivered;
	return error.kind === "unavailable";
}

function timedOut(url: string): AppError {
	return new TransportError(`${url}: no complete answer within the timeout; is the server up and reachable?`);
}

function describeNetworkError(url: string, error: unknown): AppError {
	if (error instanceof AppError) return error;
	const cause = (error as { cause?: { code?: string; message?: string } }).cause;
	const code = cause?.code ?? "";
	if ((error as Error).name === "TimeoutError" || (error as Error).name === "AbortError") return timedOut(url);
	if (tlsCodes.test(code) || tlsCodes.test(cause?.message ?? "")) {
		return new TransportError(
			`${url}: TLS error (${safeLine(code || cause?.message || "")}); check the certificate (a company CA: NODE_EXTRA_CA_CERTS) or use the right URL`,
			false,
		);
	}
	if (code === "ECONNREFUSED") return new TransportError(`${url}: connection refused; is the server running?`, false);
	if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new TransportError(`${url}: the host name cannot be resolved`, false);
	// A connection that broke may have carried the request; one that never opened (a bad port, …) did not.
	const broke = /RESET|SOCKET|PIPE|CLOSED/i.test(code);
	return new TransportError(`${url}: cannot reach the server (${safeLine(code || cause?.message || (error as Error).message)})`, broke);
}

/** Where a redirect points, and what to do about it: an http to https move on the same host names the URL to use. */
function redirectError(baseUrl: string, requested: string, location: string | null): AppError {
	let target: URL | undefined;
	try {
		target = location === null ? undefined : new URL(location, requested);
	} catch {
		target = undefined;
	}
	const base = new URL(baseUrl);
	if (target && base.protocol === "http:" && target.protocol === "https:" && target.hostname === base.hostname) {
		const secure = new URL(baseUrl);
		secure.protocol = "https:";
		secure.port = target.port;
		return new AppError(`${baseUrl} redirects to https: use --source=${safeLine(secure.toString())}`, "invalid");
	}
	const where = target ? safeLine(target.toString().slice(0, 200)) : "an unreadable location";
	return new AppError(`${baseUrl}: the server redirected to ${where} (a log-in page?); check the URL`, "unavailable");
}

/** The title of an HTML answer (empty when it has none), or undefined when the answer is not a web page. */
function webPageTitle(text: string, headers: Headers): string | undefined {
	const html = /html/i.test(headers.get("content-type") ?? "") || /^\s*<(!doctype|html)/i.test(text);
	if (!html) return undefined;
	const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text.slice(0, 64 * 1024))?.[1] ?? "";
	return safeLine(title.replace(/\s+/g, " ").trim().slice(0, 100));
}

export class RemoteClient {
	/** The id of the key this client signs in with, as an apikeys-tui server last said (ProGet never does). */
	keyId: number | undefined;
	private readonly maxBytes: number;

	constructor(
		readonly baseUrl: string,
		private readonly credentials: Credentials,
		private readonly timeoutMs = 15_000,
		env: NodeJS.ProcessEnv = process.env,
		/** Else the global fetch, as it is when a request is sent. */
		private readonly send?: typeof fetch,
	) {
		this.maxBytes = maxResponseBytes(env);
	}

	/** Whether any credential is sent (a refusal then means it was wrong, not missing). */
	get authenticated(): boolean {
		return "apiKey" in this.credentials || "username" in this.credentials;
	}

	url(path: string, query: RequestOptions["query"] = {}): string {
		const url = new URL(path.replace(/^\//, ""), this.baseUrl.endsWith("/") ? this.baseUrl : `${this.baseUrl}/`);
		for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
		return url.toString();
	}

	private headers(): Record<string, string> {
		if ("apiKey" in this.credentials) return { "X-ApiKey": this.credentials.apiKey };
		if ("username" in this.credentials) return { "X-ApiKey": `${this.credentials.username}:${this.credentials.password}` };
		return {};
	}

	/** The body as text, stopped at the size cap; a timeout while it arrives is a timeout, never a short body. */
	private async readBody(response: Response, path: string, signal: AbortSignal): Promise<string> {
		const declared = Number(response.headers.get("content-length") ?? "0");
		if (declared > this.maxBytes) throw this.tooLarge(path, response);
		if (!response.body) return "";
		const reader = response.body.getReader();
		const chunks: Uint8Array[] = [];
		let size = 0;
		try {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) break;
				size += value.byteLength;
				if (size > this.maxBytes) {
					await reader.cancel().catch(() => undefined);
					throw this.tooLarge(path, response);
				}
				chunks.push(value);
			}
		} catch (error) {
			if (error instanceof AppError) throw error;
			if (signal.aborted) throw timedOut(this.baseUrl);
			throw describeNetworkError(this.baseUrl, error);
		}
		return Buffer.concat(chunks).toString("utf8");
	}

	private tooLarge(path: string, response: Response): AppError {
		void response.body?.cancel().catch(() => undefined);
		return new AppError(
			`${this.baseUrl}: the answer to ${path} is larger than ${this.maxBytes / mib} MiB; not read (APIKEYS_TUI_MAX_RESPONSE_MB raises the cap)`,
			"unavailable",
		);
	}

	async request(path: string, options: RequestOptions = {}): Promise<RemoteReply> {
		const url = this.url(path, options.query);
		const headers = this.headers();
		let body: string | undefined;
		if (options.json !== undefined) {
			headers["Content-Type"] = "application/json; charset=utf-8";
			body = JSON.stringify(options.json);
		}
		const signal = AbortSignal.timeout(this.timeoutMs);
		let response: Response;
		try {
			response = await (this.send ?? fetch)(url, {
				method: options.method ?? "GET",
				headers,
				...(body === undefined ? {} : { body }),
				signal,
				redirect: "manual",
			});
		} catch (error) {
			throw describeNetworkError(this.baseUrl, error);
		}
		if (response.status >= 300 && response.status < 400 && !options.accept?.includes(response.status)) {
			void response.body?.cancel().catch(() => undefined);
			throw redirectError(this.baseUrl, url, response.headers.get("location"));
		}
		const text = await this.readBody(response, path, signal);
		const keyId = response.headers.get("x-apikeys-tui-key-id");
		if (keyId !== null && /^\d{1,9}$/.test(keyId)) this.keyId = Number(keyId);
		const reply = { status: response.status, text, headers: response.headers };
		if (response.ok || options.accept?.includes(response.status)) return reply;
		const page = webPageTitle(text, response.headers);
		if (page !== undefined) {
			// A web page is never an API's answer: most often the URL is not the instance's base (a path missing or extra).
			const answered = `${this.baseUrl}: ${path} answered ${response.status} with a web page ("${page || response.statusText}"), not the API`;
			if (response.status === 404) throw new AppError(`${answered}: is this the instance's base URL?`, "not-found");
			if (response.status !== 401 && response.status !== 403) throw new AppError(`${answered}; check the URL`, "unavailable");
		}
		const reason = page !== undefined ? `a web page ("${page || response.statusText}")` : safeLine(text.trim().split("\n")[0]?.slice(0, 300) || response.statusText);
		if (response.status === 401 || response.status === 403) {
			if (!this.authenticated) {
				throw new AppError(
					`No API key or user given, and the server requires one (${response.status}): use --api-key=-, --username with --password=-, $APIKEYS_TUI_API_KEY or a stored source`,
					"forbidden",
				);
			}
			throw new AppError(`the server refused the ${"apiKey" in this.credentials ? "API key" : "user name and password"} (${response.status}): ${reason}`, "forbidden");
		}
		if (response.status === 404) throw new AppError(reason, "not-found");
		if (response.status === 400) throw ruleErrorFrom(text) ?? new AppError(reason, "invalid");
		if (response.status === 409 || response.status === 413) throw new AppError(reason, "invalid");
		throw new AppError(`the server failed (${response.status}): ${reason}; try again`, "unavailable");
	}

	async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
		return this.parse((await this.request(path, options)).text, path) as T;
	}

	parse(text: string, path: string): unknown {
		try {
			return JSON.parse(text) as unknown;
		} catch {
			throw new AppError(`${this.baseUrl}: the answer to ${path} is not JSON; is this a ProGet or apikeys-tui server?`, "unavailable");
		}
	}

	/**
	 * A GET whose every answer is the caller's to judge: any status, a redirect, or no readable
	 * answer at all (undefined). Only a host that cannot be reached fails.
	 */
	async probe(path: string): Promise<RemoteReply | undefined> {
		const statuses = Array.from({ length: 500 }, (_, i) => i + 100);
		try {
			return await this.request(path, { accept: statuses });
		} catch (error) {
			if (error instanceof TransportError) throw error;
			return undefined;
		}
	}
}
