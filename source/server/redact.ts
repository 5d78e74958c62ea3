/**
 * Secrets never reach the access log. What is logged is re-encoded from what was decoded, the way
 * the server reads it: every value the server reads or could read as a key (a `key`, `API_Key`,
 * `X-ApiKey`-like name in a query, a form or a JSON body, whatever its type or the request's
 * outcome) is replaced, wherever its escaping put it. Beside that, the text of a real secret (a
 * key that exists, or one the answer reveals) is replaced wherever else it appears; a presented
 * key that matches no key is replaced only where it was presented, so a client cannot choose what
 * disappears from its own entries.
 */

import { parseJson } from "./request-body.js";

export const redacted = "[redacted]";

/** Whether a query, form or JSON name is, or could be read as, a key (`key`, `API_Key`, `X-ApiKey`, `password`). */
export function isKeyName(name: string): boolean {
	const bare = name.toLowerCase().replace(/[^a-z0-9]/g, "");
	return bare === "key" || bare.endsWith("apikey") || bare === "password";
}

/** Characters that read the same in a URL, a form and a JSON string, as generated keys are. */
const plainText = /^[A-Za-z0-9._~-]*$/;

/** Replaces each secret's text, as typed, URL-encoded, form-encoded or JSON-escaped. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (secret.length === 0) continue;
		if (out.includes(secret)) out = out.split(secret).join(redacted);
		if (plainText.test(secret)) continue;
		const asForm = new URLSearchParams({ k: secret }).toString().slice(2);
		const forms = [encodeURIComponent(secret), asForm, JSON.stringify(secret).slice(1, -1)];
		for (const form of forms) if (form !== secret && out.includes(form)) out = out.split(form).join(redacted);
	}
	return out;
}

function holdsSecret(text: string, secrets: readonly string[]): boolean {
	return secrets.some((secret) => secret.length > 0 && text.includes(secret));
}

/**
 * A query string or form body (without its "?"), each pair decoded as the server decodes it: a pair
 * whose name is a key's is logged as `name=[redacted]`, one that holds a secret loses what holds it,
 * and the rest are kept as sent.
 */
export function redactPairs(raw: string, secrets: readonly string[]): string {
	return raw
		.split("&")
		.map((pair) => {
			const decoded = [...new URLSearchParams(pair)][0];
			if (decoded === undefined) return pair;
			const [name, value] = decoded;
			const rawName = pair.split("=", 1)[0] as string;
			if (holdsSecret(name, secrets)) return redacted;
			if (isKeyName(name) || holdsSecret(value, secrets)) return `${rawName}=${redacted}`;
			return pair;
		})
		.join("&");
}

/** A JSON value with every key-named property's value replaced and every real secret's text removed. */
function redactJson(value: unknown, secrets: readonly string[]): unknown {
	if (typeof value === "string") return holdsSecret(value, secrets) ? redactSecrets(value, secrets) : value;
	if (Array.isArray(value)) return value.map((item) => redactJson(item, secrets));
	if (typeof value !== "object" || value === null) return value;
	const out: Record<string, unknown> = {};
	for (const [name, item] of Object.entries(value)) {
		const loggedName = holdsSecret(name, secrets) ? redactSecrets(name, secrets) : name;
		out[loggedName] = isKeyName(name) ? redacted : redactJson(item, secrets);
	}
	return out;
}

/** Text with JSON and percent escapes undone, leniently: only to ask what it could be read as. */
function looselyDecoded(text: string): string {
	let out = text.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
	for (let round = 0; round < 3 && /%[0-9a-fA-F]{2}/.test(out); round++) {
		out = out.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
	}
	return out;
}

/**
 * A body as it may be logged: JSON (whatever the content type said) re-encoded from its parsed
 * value, a form re-encoded pair by pair; any other text is kept only if, decoded every way it
 * could be, it names no key.
 */
export function redactBody(body: Buffer, form: boolean, secrets: readonly string[]): string {
	let json: unknown;
	let parsed = false;
	try {
		json = parseJson(body);
		parsed = true;
	} catch {
		// Not JSON (or nested too deep to walk): a form, or text.
	}
	const text = body.toString("utf8");
	if (parsed) return JSON.stringify(redactJson(json, secrets));
	if (form) return redactPairs(text, secrets);
	if (/key|password/i.test(looselyDecoded(text))) {
		return `[not logged: ${Buffer.byteLength(text)} bytes, neither JSON nor a form, that could hold a key]`;
	}
	return redactSecrets(text, secrets);
}

/** Cuts logged text to `maxBytes` of UTF-8 (on a character boundary), saying so. */
export function cutToBytes(text: string, maxBytes: number): string {
	// A string's UTF-8 size is at most three bytes per UTF-16 unit: most texts need no count at all.
	if (text.length * 3 <= maxBytes || Buffer.byteLength(text, "utf8") <= maxBytes) return text;
	return `${Buffer.from(text, "utf8").subarray(0, maxBytes).toString("utf8").replace(/\uFFFD$/, "")}… [cut at ${maxBytes} bytes]`;
}

/** A logged body: redacted, then cut to the store's size cap. */
export function bodyForLog(body: Buffer | string, form: boolean, secrets: readonly string[], maxBytes: number): string | null {
	if (maxBytes <= 0) return null;
	return cutToBytes(redactBody(typeof body === "string" ? Buffer.from(body, "utf8") : body, form, secrets), maxBytes);
}
