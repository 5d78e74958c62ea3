/** One numbered schema change of a PostgreSQL store. */
export interface Migration {
	version: number;
	/**
	 * The oldest program (by the schema version it knows) that still works on a database once this
	 * migration is applied: the previous version when the change only adds, its own version when an
	 * older program would misread or miswrite the database. Nodes are upgraded one at a time, so a
	 * migration should keep the previous version working.
	 */
	compatibleFrom: number;
	/** Statements run in one transaction, in order. */
	sql: string;
}
