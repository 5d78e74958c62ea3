/**
 * Looks for key secrets in bytes a user could read: database files, logs, server output. A key is
 * searched for as given and in the forms it could be written in (upper case hex, base64 of the key,
 * of `api:key` as in Basic auth), and in the text as it reads once decoded: JSON escapes undone
 * (`\/`, `\u002B`), percent-encoding undone (any case, encoded more than once), base64 runs
 * decoded, and each of these decoded again, so a leak in any encoding is found.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";

export interface SecretLeak {
	where: string;
	form: string;
}

function jsonUnescaped(text: string): string {
	return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escape: string) => {
		if (escape.startsWith("u") && escape.length === 5) return String.fromCharCode(Number.parseInt(escape.slice(1), 16));
		return ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" } as Record<string, string>)[escape] ?? escape;
	});
}

function percentDecoded(text: string): string {
	let out = text;
	for (let round = 0; round < 4 && /%[0-9a-fA-F]{2}/.test(out); round++) {
		out = out.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
	}
	return out;
}

/** Every run that could be base64 (or base64url), decoded. */
function base64Decoded(text: string): string {
	const runs = text.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? [];
	return runs.map((run) => Buffer.from(run.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("latin1")).join("\n");
}

/** The text and what it reads as once decoded, in every order of the decodings, lower-cased. */
function decodedViews(bytes: Buffer): string[] {
	const views = [bytes.toString("utf8")];
	for (let depth = 0; depth < 2; depth++) {
		for (const view of [...views]) views.push(jsonUnescaped(view), percentDecoded(view), base64Decoded(view));
	}
	return [...new Set(views)].map((view) => view.toLowerCase());
}

function forms(key: string): Array<[string, Buffer]> {
	return [
		["as typed", Buffer.from(key)],
		["upper case", Buffer.from(key.toUpperCase())],
		["base64", Buffer.from(Buffer.from(key).toString("base64"))],
		["base64 of api:key", Buffer.from(Buffer.from(`api:${key}`).toString("base64"))],
		["utf-16", Buffer.from(key, "utf16le")],
	];
}

/** Every place one of `keys` occurs among `sources` (file paths, or [name, text] pairs). */
export function findSecrets(
	keys: readonly string[],
	sources: ReadonlyArray<string | [string, string | Buffer]>,
): { leaks: SecretLeak[]; bytesScanned: number } {
	const leaks: SecretLeak[] = [];
	let bytesScanned = 0;
	for (const source of sources) {
		let where: string;
		let bytes: Buffer;
		if (typeof source === "string") {
			if (!existsSync(source)) continue;
			where = source;
			bytes = readFileSync(source);
		} else {
			where = source[0];
			bytes = Buffer.isBuffer(source[1]) ? source[1] : Buffer.from(source[1]);
		}
		bytesScanned += bytes.length;
		const views = decodedViews(bytes);
		for (const key of keys) {
			let found = false;
			for (const [form, needle] of forms(key)) {
				if (bytes.includes(needle)) {
					leaks.push({ where, form });
					found = true;
				}
			}
			if (!found && views.some((view) => view.includes(key.toLowerCase()))) leaks.push({ where, form: "once decoded" });
		}
	}
	recordScanned(bytesScanned);
	return { leaks, bytesScanned };
}

/** The store's files that hold data at rest: the database, its WAL and journal, the secret file. */
export function storeFiles(db: string): string[] {
	return [db, `${db}-wal`, `${db}-journal`, `${db}-shm`, `${db}.secret`];
}

/**
 * Adds to the suite's running tally (RELIABILITY_TALLY names a file; each line `name value`), which
 * `test:reliability` prints at the end for docs/RELIABILITY.md's figures.
 */
export function tally(name: string, value: number): void {
	const file = process.env.RELIABILITY_TALLY;
	if (file) appendFileSync(file, `${name} ${value}\n`);
}

function recordScanned(bytes: number): void {
	tally("bytes_scanned_for_secrets", bytes);
}
