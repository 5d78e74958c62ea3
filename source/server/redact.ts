/**
 * Secrets never reach the access log: every occurrence of the presented key and of a key the
 * response reveals (create, roll) is replaced, wherever it appears — path, query, form or JSON.
 */

export const redacted = "[redacted]";

/** Characters that read the same in a URL, a form and a JSON string, as generated keys are. */
const plainText = /^[A-Za-z0-9._~-]*$/;

export function redactSecrets(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (secret.length === 0) continue;
		if (out.includes(secret)) out = out.split(secret).join(redacted);
		if (plainText.test(secret)) continue;
		// The same secret as it would appear in a query string or a form, or inside a JSON string.
		const asForm = new URLSearchParams({ k: secret }).toString().slice(2);
		const forms = [encodeURIComponent(secret), asForm, JSON.stringify(secret).slice(1, -1)];
		for (const form of forms) if (form !== secret && out.includes(form)) out = out.split(form).join(redacted);
	}
	return out;
}

/** A logged body: redacted, then cut to the store's size cap (on a character boundary). */
export function bodyForLog(body: Buffer | string, secrets: readonly string[], maxBytes: number): string | null {
	if (maxBytes <= 0) return null;
	const text = typeof body === "string" ? body : body.toString("utf8");
	const clean = redactSecrets(text, secrets);
	// A string's UTF-8 size is at most three bytes per UTF-16 unit: most bodies need no count at all.
	if (clean.length * 3 <= maxBytes || Buffer.byteLength(clean, "utf8") <= maxBytes) return clean;
	return `${Buffer.from(clean, "utf8").subarray(0, maxBytes).toString("utf8").replace(/\uFFFD$/, "")}… [cut at ${maxBytes} bytes]`;
}
