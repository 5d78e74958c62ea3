/** A store's prepared statements, each prepared once: verification and the key list run hot on the server. */
import type { Statement } from "better-sqlite3";
import type { Db } from "./database.js";

export class Statements {
	private readonly prepared = new Map<string, Statement>();

	constructor(private readonly db: Db) {}

	sql(text: string): Statement {
		let statement = this.prepared.get(text);
		if (!statement) {
			statement = this.db.prepare(text);
			this.prepared.set(text, statement);
		}
		return statement;
	}

	/** A statement over `api_keys` whose rows come back as KeyRow arrays (key-rows.ts). */
	keyRows(text: string): Statement {
		return this.sql(text).raw(true);
	}
}
