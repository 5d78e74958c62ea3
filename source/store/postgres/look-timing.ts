/** How often a node looks for changes, and how long a look may take, from its --max-staleness. */

/** How often a node looks for changes without being notified: a lost notification is found this late at most. */
export const catchUpPollMs = 1_000;
/** Looks per max-staleness at least, so one slow look does not trip the staleness gate. */
const looksPerMaxStaleness = 4;
/**
 * A look's queries are given up after this share of max-staleness, within these bounds: a look
 * takes milliseconds, and a reload reads pages of keys, each a short query.
 */
const lookTimeoutBounds = { min: 1_000, max: 5_000 } as const;

export function lookTiming(maxStalenessMs: number): { pollMs: number; lookTimeoutMs: number } {
	const lookMs = maxStalenessMs / looksPerMaxStaleness;
	return {
		pollMs: Math.min(catchUpPollMs, lookMs),
		lookTimeoutMs: Math.min(lookTimeoutBounds.max, Math.max(lookTimeoutBounds.min, lookMs)),
	};
}
