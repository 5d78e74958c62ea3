/**
 * The store's own facts in store_meta that every node must agree on: its profile, and a check
 * value of the HMAC secret. The secret itself stays in a file on each node (0600), never in the
 * database: a node started with a different secret file is refused instead of finding every key
 * invalid.
 */
import type { ISql } from "postgres";
import { AppError } from "../../core/errors.js";
import { checkValue } from "../secret-file.js";

/** The stored value of `name`, which is `proposed` when none was stored yet (the first node decides). */
export async function settleMeta(sql: ISql, name: string, proposed: string): Promise<string> {
	await sql`INSERT INTO store_meta (name, value) VALUES (${name}, ${proposed}) ON CONFLICT (name) DO NOTHING`;
	// A statement of its own: it sees the row another node committed while the insert waited for it.
	const [row] = await sql<{ value: string }[]>`SELECT value FROM store_meta WHERE name = ${name}`;
	if (row === undefined) throw new AppError(`store_meta has no ${name}`, "store");
	return row.value;
}

/** Refuses a secret other than the one the store was created with; `secretPath` names its file in the message. */
export async function settleSecret(sql: ISql, secret: Buffer, secretPath: string): Promise<void> {
	const check = checkValue(secret);
	if ((await settleMeta(sql, "secret_check", check)) !== check) {
		throw new AppError(`${secretPath}: the secret file does not belong to this store; restore the right one`, "store");
	}
}
