/**
 * The forward-auth check behind `/api/api-keys/authorize`: a gateway (nginx `auth_request`,
 * Traefik `forwardAuth`, Caddy `forward_auth`, Envoy `ext_authz`) asks whether the request it holds
 * may pass, and reads only the status. The key is the forwarded request's own; what it must allow
 * is the authorize URL's query, set in the gateway's configuration. No body is ever read.
 */
import type { IncomingMessage } from "node:http";
import type { Requirement } from "../core/access.js";
import { type Catalog, systemApiValues } from "../core/catalog.js";
import type { VerifiedKey } from "../core/model.js";
import { basicAuthKey, headerValue } from "./presented-key.js";
import { BoundedMemo } from "./bounded-memo.js";
import type { RequestTarget } from "./request-target.js";
import { HttpError } from "./request-body.js";
import { requirementFrom } from "./route-input.js";

export const authorizePath = "/api/api-keys/authorize";

/** The route answers for its own path and any below it (Envoy appends the original path). */
export function isAuthorizeTarget(pathname: string): boolean {
	return pathname.startsWith(authorizePath) && (pathname.length === authorizePath.length || pathname[authorizePath.length] === "/");
}

/** Where gateways put the original request's target: nginx (by convention), Traefik and Caddy, Envoy. */
const originalUriHeaders = ["x-original-uri", "x-forwarded-uri", "x-envoy-original-path"] as const;
const originalMethodHeaders = ["x-original-method", "x-forwarded-method"] as const;

/** What to check, and whether a personal key may pass. */
export interface AuthorizeCheck {
	requirement: Requirement;
	allowPersonal: boolean;
}

function firstHeader(request: IncomingMessage, names: readonly string[]): string | undefined {
	for (const name of names) {
		const value = headerValue(request, name);
		if (value !== undefined && value !== "") return value;
	}
	return undefined;
}

/** The checks gateways configure are few and asked for on every request: each is parsed once. */
const parsedChecks = new BoundedMemo<AuthorizeCheck | HttpError>(256);

/**
 * The check the gateway configured. A query that follows a path below the route is the client's
 * own (Envoy's path_prefix appends the original path and query), so it configures nothing: the
 * client could otherwise ask for a weaker check. A configuration that names what the profile does
 * not know is refused with a 400, so a typo in a gateway's configuration shows at once.
 */
export function authorizeCheck(url: RequestTarget, catalog: Catalog): AuthorizeCheck {
	if (url.pathname !== authorizePath) return { requirement: { kind: "any" }, allowPersonal: true };
	const check = parsedChecks.of(`${catalog.profile}${url.search}`, () => {
		try {
			return parseCheck(url.query, catalog);
		} catch (error) {
			if (error instanceof HttpError) return error;
			throw error;
		}
	});
	if (check instanceof HttpError) throw check;
	return check;
}

function parseCheck(query: URLSearchParams, catalog: Catalog): AuthorizeCheck {
	const allowText = query.get("allowPersonal") ?? "true";
	if (allowText !== "true" && allowText !== "false") throw new HttpError(400, "allowPersonal: must be true or false");
	const fields: Record<string, string> = {};
	for (const name of ["systemApi", "feed", "feedGroup", "feedPermission"]) {
		const value = query.get(name);
		if (value !== null) fields[name] = value;
	}
	const requirement = requirementFrom(fields);
	if (requirement.kind === "any" && (fields.feed !== undefined || fields.feedGroup !== undefined)) {
		throw new HttpError(400, "feed and feedGroup need feedPermission (view, add, promote or delete)");
	}
	if (requirement.kind === "feed-permission" && !catalog.packagePermissions.some((c) => c.value === requirement.permission)) {
		throw new HttpError(400, `feedPermission: must be one of ${catalog.packagePermissions.map((c) => c.value).join(", ")}`);
	}
	const apis = systemApiValues(catalog);
	if (requirement.kind === "system-api" && !apis.includes(requirement.api)) {
		throw new HttpError(400, `systemApi: must be one of ${apis.join(", ")}`);
	}
	return { requirement, allowPersonal: allowText === "true" };
}

/** The `key` query value of a request target, as the server reads its own query. */
function keyInTarget(target: string): string | undefined {
	const mark = target.indexOf("?");
	if (mark < 0) return undefined;
	return new URLSearchParams(target.slice(mark + 1)).get("key") || undefined;
}

/** The original request's target when the gateway appended it to the route's path (Envoy's path_prefix). */
function appendedTarget(url: RequestTarget): string | undefined {
	return url.pathname.length > authorizePath.length ? `${url.pathname.slice(authorizePath.length)}${url.search}` : undefined;
}

/**
 * Every key the forwarded request carries, the one used first: X-ApiKey, then Basic `api:KEY`,
 * then the `key` parameter of the original URI (from its header, else appended to the route's
 * path). The others are secrets too, kept out of the log. Never the query of the route's own
 * path: that is configuration.
 */
export function forwardedKeys(request: IncomingMessage, url: RequestTarget): string[] {
	const original = firstHeader(request, originalUriHeaders);
	const appended = appendedTarget(url);
	const found = [
		headerValue(request, "x-apikey")?.trim(),
		basicAuthKey(headerValue(request, "authorization")),
		original === undefined ? undefined : keyInTarget(original),
		appended === undefined ? undefined : keyInTarget(appended),
	];
	return found.filter((key): key is string => key !== undefined && key !== "");
}

/** An HTTP method as a gateway may forward it: a token, short (anything else is not logged as one). */
const methodToken = /^[A-Za-z][A-Za-z0-9-]{0,19}$/;

/** The request the gateway holds, as the access log records it: its method and target (unredacted). */
export function forwardedRequest(request: IncomingMessage, url: RequestTarget): { method: string; target: string } {
	const method = firstHeader(request, originalMethodHeaders);
	return {
		method: method !== undefined && methodToken.test(method) ? method.toUpperCase() : (request.method ?? "GET"),
		target: firstHeader(request, originalUriHeaders) ?? appendedTarget(url) ?? `${url.pathname}${url.search}`,
	};
}

/** A header value the gateway can pass on: printable ASCII as is, every other byte (and "%") percent-encoded. */
export function headerText(value: string): string {
	if (/^[\x20-\x24\x26-\x7e]*$/.test(value)) return value;
	let out = "";
	for (const byte of Buffer.from(value, "utf8")) {
		out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
	}
	return out;
}

/** The headers of an allowed answer, always all four (empty when unset), so a client's own never pass upstream. */
export function allowedHeaders(record: VerifiedKey): Record<string, string> {
	return {
		"X-ApiKey-Id": String(record.id),
		"X-ApiKey-Type": record.type,
		"X-ApiKey-Name": headerText(record.displayName ?? ""),
		"X-ApiKey-User": headerText(record.user ?? ""),
	};
}
