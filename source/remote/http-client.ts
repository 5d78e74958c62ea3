/**
 * Requests to a remote instance, authenticated as pgutil does, bounded, and every failure as one
 * clear line: the key refused (403), not found (404), a bad request (400, with the server's
 * reason), a server error (5xx), a redirect, an unreachable host, a TLS problem, no answer in time,
 * an answer too large to read.
 */
import { AppError, RuleError } from "../core/errors.js";
import type { FieldError, FieldName } from "../core/rules.js";
import { safeLine } from "../core/terminal-text.js";
import { type Answer, AnswerTooLarge, Connections, ExchangeTimeout } from "./http-exchange.js";

/** A header's value, or null when it was not sent; names in any case. */
export type HeaderLookup = (name: string) => string | null;

export interface RemoteReply {
	status: number;
	text: string;
	header: HeaderLookup;
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
	if (error instanceof ExchangeTimeout) return timedOut(url);
	const { code = "", message = "" } = error as NodeJS.ErrnoException;
	if (tlsCodes.test(code) || tlsCodes.test(message)) {
		return new TransportError(
			`${url}: TLS error (${safeLine(code || message)}); check the certificate (a company CA: NODE_EXTRA_CA_CERTS) or use the right URL`,
			false,
		);
	}
	if (code === "ECONNREFUSED") return new TransportError(`${url}: connection refused; is the server running?`, false);
	if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new TransportError(`${url}: the host name cannot be resolved`, false);
	// A connection that broke may have carried the request; one that never opened (a bad port, …) did not.
	const broke = /RESET|SOCKET|PIPE|CLOSED/i.test(code);
	return new TransportError(`${url}: cannot reach the server (${safeLine(code || message)})`, broke);
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
function webPageTitle(text: string, header: HeaderLookup): string | undefined {
	const html = /html/i.test(header("content-type") ?? "") || /^\s*<(!doctype|html)/i.test(text);
	if (!html) return undefined;
	const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text.slice(0, 64 * 1024))?.[1] ?? "";
	return safeLine(title.replace(/\s+/g, " ").trim().slice(0, 100));
}

export class RemoteClient {
	/** The id of the key this client signs in with, as an apikeys-tui server last said (ProGet never does). */
	keyId: number | undefined;
	private readonly maxBytes: number;
	private readonly connections: Connections;

	constructor(
		readonly baseUrl: string,
		private readonly credentials: Credentials,
		private readonly timeoutMs = 15_000,
		env: NodeJS.ProcessEnv = process.env,
	) {
		this.maxBytes = maxResponseBytes(env);
		this.connections = new Connections(/^https:/i.test(baseUrl));
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
	private async readBody(answer: Answer, path: string): Promise<string> {
		const declared = Number(answer.header("content-length") ?? "0");
		if (declared > this.maxBytes) {
			answer.discard();
			throw this.tooLarge(path);
		}
		try {
			return await answer.text(this.maxBytes);
		} catch (error) {
			if (error instanceof AnswerTooLarge) throw this.tooLarge(path);
			throw describeNetworkError(this.baseUrl, error);
		}
	}

	private tooLarge(path: string): AppError {
		return new AppError(
			`${this.baseUrl}: the answer to ${path} is larger than ${this.maxBytes / mib} MiB; not read (APIKEYS_TUI_MAX_RESPONSE_MB raises the cap)`,
			"unavailable",
		);
	}

	/** Closes the connections kept open to the instance. */
	close(): void {
		this.connections.close();
	}

	async request(path: string, options: RequestOptions = {}): Promise<RemoteReply> {
		const url = this.url(path, options.query);
		const headers = this.headers();
		let body: string | undefined;
		if (options.json !== undefined) {
			headers["Content-Type"] = "application/json; charset=utf-8";
			body = JSON.stringify(options.json);
		}
		let answer: Answer;
		try {
			answer = await this.connections.send({ method: options.method ?? "GET", url: new URL(url), headers, ...(body === undefined ? {} : { body }) }, this.timeoutMs);
		} catch (error) {
			throw describeNetworkError(this.baseUrl, error);
		}
		const { status } = answer;
		const statusText = safeLine(answer.statusText);
		if (status >= 300 && status < 400 && !options.accept?.includes(status)) {
			answer.discard();
			throw redirectError(this.baseUrl, url, answer.header("location"));
		}
		const text = await this.readBody(answer, path);
		const keyId = answer.header("x-apikeys-tui-key-id");
		if (keyId !== null && /^\d{1,9}$/.test(keyId)) this.keyId = Number(keyId);
		const reply = { status, text, header: (name: string) => answer.header(name) };
		if ((status >= 200 && status < 300) || options.accept?.includes(status)) return reply;
		const page = webPageTitle(text, reply.header);
		if (page !== undefined) {
			// A web page is never an API's answer: most often the URL is not the instance's base (a path missing or extra).
			const answered = `${this.baseUrl}: ${path} answered ${status} with a web page ("${page || statusText}"), not the API`;
			if (status === 404) throw new AppError(`${answered}: is this the instance's base URL?`, "not-found");
			if (status !== 401 && status !== 403) throw new AppError(`${answered}; check the URL`, "unavailable");
		}
		const reason = page !== undefined ? `a web page ("${page || statusText}")` : safeLine(text.trim().split("\n")[0]?.slice(0, 300) || statusText);
		if (status === 401 || status === 403) {
			if (!this.authenticated) {
				throw new AppError(
					`No API key or user given, and the server requires one (${status}): use --api-key=-, --username with --password=-, $APIKEYS_TUI_API_KEY or a stored source`,
					"forbidden",
				);
			}
			throw new AppError(`the server refused the ${"apiKey" in this.credentials ? "API key" : "user name and password"} (${status}): ${reason}`, "forbidden");
		}
		if (status === 404) throw new AppError(reason, "not-found");
		if (status === 400) throw ruleErrorFrom(text) ?? new AppError(reason, "invalid");
		if (status === 409 || status === 413) throw new AppError(reason, "invalid");
		// The server's own sentence may end in a stop; ours follows it in the same sentence.
		throw new AppError(`the server failed (${status}): ${reason.replace(/[.;:\s]+$/, "")}; try again`, "unavailable");
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
