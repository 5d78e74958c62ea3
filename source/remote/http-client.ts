/**
 * Requests to a remote instance, with a timeout, and every failure as one clear line: the key
 * refused (403), not found (404), a bad request (400, with the server's reason), a server error
 * (5xx), an unreachable host, a TLS problem, no answer in time.
 */
import { AppError, RuleError } from "../core/errors.js";
import type { FieldError, FieldName } from "../core/rules.js";

export interface RemoteReply {
	status: number;
	text: string;
}

export interface RequestOptions {
	method?: "GET" | "POST" | "DELETE";
	query?: Record<string, string | number | undefined>;
	json?: unknown;
	/** Statuses the caller handles itself instead of failing (e.g. 404 while probing). */
	accept?: number[];
}

const tlsCodes = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i;
const ruleFields = new Set(["type", "displayName", "description", "systemApis", "packagePermissions", "feed", "feedGroup", "user", "expiration", "logging", "key"]);

/** Our server's 400 lists the rules' errors as `field: message` lines: read them back as such. */
function ruleErrorFrom(text: string): RuleError | undefined {
	const errors: FieldError[] = [];
	for (const line of text.trim().split("\n")) {
		const match = /^(\w+): (.+)$/.exec(line);
		if (!match || !ruleFields.has(match[1] as string)) return undefined;
		errors.push({ field: match[1] as FieldName, message: match[2] as string });
	}
	return errors.length > 0 ? new RuleError(errors) : undefined;
}

function describeNetworkError(url: string, error: unknown): AppError {
	const cause = (error as { cause?: { code?: string; message?: string } }).cause;
	const code = cause?.code ?? "";
	if ((error as Error).name === "TimeoutError" || (error as Error).name === "AbortError") {
		return new AppError(`${url}: no answer within the timeout; is the server up and reachable?`, "unavailable");
	}
	if (tlsCodes.test(code) || tlsCodes.test(cause?.message ?? "")) {
		return new AppError(`${url}: TLS error (${code || cause?.message}); check the certificate or use the right URL`, "unavailable");
	}
	if (code === "ECONNREFUSED") return new AppError(`${url}: connection refused; is the server running?`, "unavailable");
	if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new AppError(`${url}: the host name cannot be resolved`, "unavailable");
	return new AppError(`${url}: cannot reach the server (${code || cause?.message || (error as Error).message})`, "unavailable");
}

export class RemoteClient {
	/** The id of the key this client signs in with, as an apikeys-tui server last said (ProGet never does). */
	keyId: number | undefined;

	constructor(
		readonly baseUrl: string,
		private readonly apiKey: string | undefined,
		private readonly timeoutMs = 15_000,
	) {}

	url(path: string, query: RequestOptions["query"] = {}): string {
		const url = new URL(path.replace(/^\//, ""), this.baseUrl.endsWith("/") ? this.baseUrl : `${this.baseUrl}/`);
		for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
		return url.toString();
	}

	async request(path: string, options: RequestOptions = {}): Promise<RemoteReply> {
		const url = this.url(path, options.query);
		const headers: Record<string, string> = {};
		if (this.apiKey) headers["X-ApiKey"] = this.apiKey;
		let body: string | undefined;
		if (options.json !== undefined) {
			headers["Content-Type"] = "application/json; charset=utf-8";
			body = JSON.stringify(options.json);
		}
		let response: Response;
		try {
			response = await fetch(url, {
				method: options.method ?? "GET",
				headers,
				...(body === undefined ? {} : { body }),
				signal: AbortSignal.timeout(this.timeoutMs),
				redirect: "error",
			});
		} catch (error) {
			throw describeNetworkError(this.baseUrl, error);
		}
		const text = await response.text().catch(() => "");
		const keyId = response.headers.get("x-apikeys-tui-key-id");
		if (keyId !== null && /^\d{1,9}$/.test(keyId)) this.keyId = Number(keyId);
		const reply = { status: response.status, text };
		if (response.ok || options.accept?.includes(response.status)) return reply;
		const reason = text.trim().split("\n")[0]?.slice(0, 300) || response.statusText;
		if (response.status === 403) {
			throw new AppError(`the server refused the API key (403): ${reason}`, "forbidden");
		}
		if (response.status === 404) throw new AppError(reason, "not-found");
		if (response.status === 400) throw ruleErrorFrom(text) ?? new AppError(reason, "invalid");
		if (response.status === 409 || response.status === 413) throw new AppError(reason, "invalid");
		throw new AppError(`the server failed (${response.status}): ${reason}; try again`, "unavailable");
	}

	async json<T>(path: string, options: RequestOptions = {}): Promise<T> {
		const reply = await this.request(path, options);
		try {
			return JSON.parse(reply.text) as T;
		} catch {
			throw new AppError(`${this.baseUrl}: the answer to ${path} is not JSON; is this a ProGet or apikeys-tui server?`, "unavailable");
		}
	}
}
