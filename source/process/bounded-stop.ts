/**
 * A stop that cannot hang: `serve` asked to stop by a service manager must exit even when a
 * driver keeps a socket or timer alive past its close (a PostgreSQL connection reconnecting, a
 * LISTEN that never answers its end). Both bounds are far above a normal stop's milliseconds.
 */

/** How long the store may take to write what is queued and let go of its connections. */
export const storeCloseLimitMs = 15_000;
/** How long the process may linger once the command has returned before it is made to exit. */
export const lingerLimitMs = 3_000;

/** Whether `closing` finished within `limitMs` (its failure is passed on); false once the time is up. */
export async function closedWithin(closing: Promise<void>, limitMs: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<false>((resolve) => {
		timer = setTimeout(() => resolve(false), limitMs);
	});
	try {
		return await Promise.race([closing.then(() => true as const), late]);
	} finally {
		clearTimeout(timer);
	}
}

/**
 * Exits with the exit code already set once `limitMs` have passed, if anything still holds the
 * process then; the timer itself holds nothing, so a process that lets go exits at once.
 */
export function exitIfLingering(limitMs: number, say: (line: string) => void): void {
	setTimeout(() => {
		say(`still running ${limitMs / 1000} s after stopping (a connection that did not let go); exiting`);
		process.exit();
	}, limitMs).unref();
}
