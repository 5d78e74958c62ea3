/**
 * What the nodes of a PostgreSQL store coordinate through: advisory locks, all transaction-level
 * (released at commit or rollback, so a crashed node never leaves one held), and the channel that
 * says the keys or settings changed. A lock is a pair of 32-bit keys: the first names this program
 * ("AKTU", as the SQLite store's application id), the second the purpose; the pair form keeps
 * clear of other programs' single 64-bit advisory keys.
 */
export const lockNamespace = 0x414b5455;

export const lockPurpose = {
	/** Held while a node checks and applies migrations: nodes starting together migrate one at a time. */
	migrations: 1,
	/**
	 * Taken before a statement changes keys or settings and held to commit, so revisions commit in
	 * the order they are numbered (a plain sequence can commit 1013 before 1012).
	 */
	changeOrder: 2,
	/** Held while a node creates or drops access-log partitions. */
	accessLogPartitions: 3,
} as const;

/**
 * NOTIFY'd when a transaction that changed keys or settings commits: an empty payload (so one per
 * transaction) or, for a change that can only refuse a key sooner, the change itself
 * (migrations/004-revocation-notices.ts, parsed by change-feed.ts).
 */
export const changeChannel = "apikeys_tui_changes";

/** How many changes are kept: a node further behind reads every key again. */
export const keptChanges = 10_000;
