/**
 * Secrets never reach the access log: every occurrence of the presented key and of a key the
 * response reveals (create, roll) is replaced, wherever it appears — path, query, form or JSON.
 */

export const redacted = "[redacted]";

export function redactSecrets(text: string, secrets: readonly string[]): string {
	let out = text;
	for (const secret of secrets) {
		if (secret.length === 0) continue;
		out = out.split(secret).join(redacted);
		// The same secret as it would appear in a query string or a form, or inside a JSON string.
		const asForm = new URLSearchParams({ k: secret }).toString().slice(2);
		const forms = [encodeURIComponent(secret), asForm, JSON.stringify(secret).slice(1, -1)];
		for (const form of forms) if (form !== secret) out = out.split(form).join(redacted);
	}
	return out;
}

/** A logged body: redacted, then cut to the store's size cap (on a character boundary). */
export function bodyForLog(body: Buffer | string, secrets: readonly string[], maxBytes: number): string | null {
	if (maxBytes <= 0) return null;
	const text = typeof body === "string" ? body : body.toString("utf8");
	const clean = redactSecrets(text, secrets);
	const bytes = Buffer.from(clean, "utf8");
	if (bytes.length <= maxBytes) return clean;
	return `${bytes.subarray(0, maxBytes).toString("utf8").replace(/\uFFFD$/, "")}… [cut at ${maxBytes} bytes]`;
}
