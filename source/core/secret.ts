/**
 * Key text: generation, the keyed digest the store indexes, and the non-secret hint.
 * The digest is HMAC-SHA256 under a per-store secret kept outside the database file, so a stolen
 * database alone cannot be used to test guesses of short custom keys, which ProGet allows
 * (https://github.com/Inedo/inedo-docs/blob/7a30742fe43b750612e3d19b4fd7d9107e60f9dd/Content/proget/api/apikeys/%23.md#L114-L118).
 * GitLab digests its tokens with an instance secret likewise
 * (https://github.com/gitlabhq/gitlabhq/blob/f61bb2a16a514b71bf33aabbbb999d6732016a24/lib/gitlab/crypto_helper.rb#L14-L17).
 */
import { createHmac, randomBytes } from "node:crypto";

/** 40 lowercase hex characters (160 bits from the CSPRNG), the form ProGet generates. */
export function generateKey(): string {
	return randomBytes(20).toString("hex");
}

export function keyDigest(storeSecret: Buffer, key: string): Buffer {
	return createHmac("sha256", storeSecret).update(key, "utf8").digest();
}

/** The same digest as latin1 text (one character a byte): for lookups that run hot, a cheaper map key than a Buffer. */
export function keyDigestText(storeSecret: Buffer, key: string): string {
	return createHmac("sha256", storeSecret).update(key, "utf8").digest("binary");
}

/**
 * A fragment to recognise a key by, never more than a quarter of it and at most 8 characters:
 * `70f8…19d0` for a generated key.
 */
export function keyHint(key: string): string {
	const shown = Math.min(8, Math.floor(key.length / 4));
	const head = Math.ceil(shown / 2);
	const tail = shown - head;
	return `${key.slice(0, head)}…${tail > 0 ? key.slice(-tail) : ""}`;
}
