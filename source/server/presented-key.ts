/**
 * Where a caller may put its API key, as ProGet documents
 * (https://docs.inedo.com/docs/proget/reference-api/proget-api-http, "Authenticating"): the X-ApiKey
 * header, the `key` query value, the `key` form value, the `API_Key` JSON root property, or Basic
 * auth with user `api`. The first one found is used; all are remembered so logs can redact them.
 */
import type { IncomingMessage } from "node:http";

export interface PresentedKey {
	key: string;
	/** Where it came from, for the access log. */
	source: "header" | "query" | "form" | "json" | "basic";
}

/** The key of a Basic `api:KEY` Authorization header. */
export function basicAuthKey(header: string | undefined): string | undefined {
	if (!header?.toLowerCase().startsWith("basic ")) return undefined;
	const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
	const colon = decoded.indexOf(":");
	if (colon < 0) return undefined;
	return decoded.slice(0, colon).toLowerCase() === "api" ? decoded.slice(colon + 1) : undefined;
}

export function headerValue(request: IncomingMessage, name: string): string | undefined {
	const value = request.headers[name];
	return Array.isArray(value) ? value[0] : value;
}

export function findPresentedKey(
	request: IncomingMessage,
	query: URLSearchParams,
	form: URLSearchParams | undefined,
	json: unknown,
): PresentedKey | undefined {
	const header = headerValue(request, "x-apikey");
	if (header) return { key: header.trim(), source: "header" };
	const fromQuery = query.get("key");
	if (fromQuery) return { key: fromQuery, source: "query" };
	const fromForm = form?.get("key");
	if (fromForm) return { key: fromForm, source: "form" };
	if (typeof json === "object" && json !== null && !Array.isArray(json)) {
		const value = (json as Record<string, unknown>).API_Key;
		if (typeof value === "string" && value !== "") return { key: value, source: "json" };
	}
	const basic = basicAuthKey(headerValue(request, "authorization"));
	if (basic) return { key: basic, source: "basic" };
	return undefined;
}
