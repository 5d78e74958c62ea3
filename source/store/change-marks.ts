/**
 * Marks of what has been committed to one store, so that values derived from it (memos.ts, the
 * verification index) are computed again only after a change. Reading a mark is an SQLite read
 * transaction, more than the rest of a verification costs, so a mark read in an event-loop turn
 * is kept for the rest of that turn (and forgotten when this store commits).
 */
import type { Statements } from "./statements.js";
import { keysRevisionSql } from "./verification-index.js";

/** The marks read this event-loop turn (see anyMark, keysMark). */
interface TurnMarks {
	/** `commits` when these were read: any later commit through the store makes them out of date. */
	commits: number;
	any?: string;
	/** With performance.now() just before it was read. */
	keys?: { revision: number; readAt: number };
	/** Set once their forgetting at the end of the turn is scheduled. */
	clearing?: true;
}

/**
 * How long the keys' revision read in a turn stands for a long synchronous run of verifications:
 * another process's change to keys reaches them within this bound.
 */
const keysRevisionLifeMs = 1;

export class ChangeMarks {
	/**
	 * Commits made through this store (and access-log flushes it waited for): a mark read before one
	 * of them is out of date, so what the store changes itself is seen at once.
	 */
	private commits = 0;
	private turnMarks: TurnMarks = { commits: 0 };
	private changesOncePerTurn = false;

	constructor(private readonly statements: Statements) {}

	/** Called after every commit through the store, and after it waited for the access-log thread. */
	noteCommit(): void {
		this.commits++;
	}

	/**
	 * From now on, any commit by other connections is looked for once per event-loop turn instead
	 * of at every check (keysMark always is). For the server: the requests handled in one turn had
	 * all arrived before it began, so each still sees every change committed before it arrived.
	 */
	checkChangesOncePerTurn(): void {
		this.changesOncePerTurn = true;
	}

	/**
	 * Moves on with every commit, by anyone: SQLite's data_version with other connections' commits
	 * (the access-log writer's too), `commits` with this store's. What is cached under it is current.
	 */
	anyMark(): string {
		const cached = this.currentMarks().any;
		if (cached !== undefined) return cached;
		const mark = `${this.statements.sql("PRAGMA data_version").pluck().get()}:${this.commits}`;
		if (this.changesOncePerTurn) this.keepForTurn().any = mark;
		return mark;
	}

	/**
	 * Moves on with every change to keys or settings, by anyone, and with nothing else
	 * (db/003_key_changes.sql). Read once per event-loop turn, and again within a turn once
	 * keysRevisionLifeMs has passed. So a change committed through this store is seen at once, and
	 * one committed elsewhere by every verification in a later turn (a request that arrives after
	 * it) and within 1 ms in a long synchronous run.
	 */
	keysMark(): number {
		const marks = this.currentMarks();
		const now = performance.now();
		if (marks.keys && now - marks.keys.readAt < keysRevisionLifeMs) return marks.keys.revision;
		const revision = this.statements.sql(`SELECT ${keysRevisionSql}`).pluck().get() as number;
		this.keepForTurn().keys = { revision, readAt: now };
		return revision;
	}

	/** The marks read this turn, none if anything was committed through the store since. */
	private currentMarks(): TurnMarks {
		if (this.turnMarks.commits !== this.commits) this.turnMarks = { commits: this.commits };
		return this.turnMarks;
	}

	/** This turn's marks, forgotten when the turn ends. */
	private keepForTurn(): TurnMarks {
		const marks = this.currentMarks();
		if (!marks.clearing) {
			marks.clearing = true;
			setImmediate(() => {
				if (this.turnMarks === marks) this.turnMarks = { commits: this.commits };
			});
		}
		return marks;
	}
}
