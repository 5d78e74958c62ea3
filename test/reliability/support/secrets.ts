/**
 * Looks for key secrets in bytes a user could read: database files, logs, server output. A key is
 * searched for as given and in the forms it could be written in (upper case hex, base64 of the key,
 * of `api:key` as in Basic auth), so a leak in any of them is found.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";

export interface SecretLeak {
	where: string;
	form: string;
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
		for (const key of keys) {
			for (const [form, needle] of forms(key)) if (bytes.includes(needle)) leaks.push({ where, form });
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
 * `test:reliability` prints at the end for the README's figures.
 */
export function tally(name: string, value: number): void {
	const file = process.env.RELIABILITY_TALLY;
	if (file) appendFileSync(file, `${name} ${value}\n`);
}

function recordScanned(bytes: number): void {
	tally("bytes_scanned_for_secrets", bytes);
}
