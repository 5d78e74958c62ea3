/**
 * The SQLite engine's verifier: a key is looked up by its keyed digest in the verification index
 * (every key in memory, by digest), brought up to the store's revision of keys first, so a key
 * disabled by another process is refused at once. No comparison ever runs over the secret itself,
 * so the time taken says nothing about how much of a guess was right.
 */
import { type Requirement, checkAccess } from "../core/access.js";
import type { VerifyResult } from "../core/backend.js";
import type { Catalog } from "../core/catalog.js";
import { keyDigestText } from "../core/secret.js";
import type { KeyVerifier } from "../core/served-store.js";
import type { ChangeMarks } from "./change-marks.js";
import type { Db } from "./database.js";
import { describeSqliteError } from "./sqlite-errors.js";
import type { StoreFileWatch } from "./storage-faults.js";
import { VerificationIndex } from "./verification-index.js";

export class LocalVerifier implements KeyVerifier {
	/** Made at the first verification: the console never needs it. */
	private index: VerificationIndex | undefined;

	constructor(
		private readonly db: Db,
		private readonly secret: Buffer,
		private readonly catalog: Catalog,
		private readonly marks: ChangeMarks,
		private readonly file: StoreFileWatch,
		private readonly location: string,
	) {}

	digestOf(key: string): string {
		return keyDigestText(this.secret, key);
	}

	verifyNow(key: string, requirement: Requirement): VerifyResult {
		return this.verifyDigestNow(this.digestOf(key), requirement);
	}

	verifyDigestNow(digest: string, requirement: Requirement): VerifyResult {
		try {
			this.file.check();
			const record = this.verificationIndex().find(digest, this.marks.keysMark());
			const outcome = checkAccess(record, requirement, this.catalog, new Date());
			return record ? { outcome, record } : { outcome };
		} catch (error) {
			throw describeSqliteError(error, this.location);
		}
	}

	/** Reads every key into the index now, so no request waits for it (a large store takes a while). */
	prepare(): void {
		this.verificationIndex().update(this.marks.keysMark());
	}

	private verificationIndex(): VerificationIndex {
		this.index ??= new VerificationIndex(this.db);
		return this.index;
	}
}
