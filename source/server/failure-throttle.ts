/**
 * Bounds how many keys one client may try: after a few failures, each further failure's answer is
 * held, doubling up to a ceiling, and until it has been answered the client's next attempt is not
 * evaluated at all (the server refuses it with 429). A client that sends its guesses pipelined or
 * on many connections at once therefore gets no more of them checked than one that waits for
 * each answer. A client is whatever identity the server counts (an address, a /64, a forwarded
 * client); a quiet minute forgets it, and the table is bounded, oldest out first.
 */

const freeFailures = 4;
const quietMs = 60_000;
const firstHoldMs = 100;
const maxHoldMs = 5_000;
const maxClients = 10_000;

interface Failures {
	count: number;
	last: number;
	/** No attempt of this client is evaluated before this time. */
	blockedUntil: number;
}

export class FailureThrottle {
	private readonly byClient = new Map<string, Failures>();

	constructor(private readonly now: () => number = Date.now) {}

	/** Whether no client has failed lately: the common case, answered without finding the client. */
	isEmpty(): boolean {
		return this.byClient.size === 0;
	}

	/** How long this client must wait before its next attempt is evaluated; 0 when it may go on now. */
	waitBefore(client: string): number {
		const failures = this.current(client);
		return failures ? Math.max(0, failures.blockedUntil - this.now()) : 0;
	}

	/** Counts a failed attempt; returns how long its answer is held (the client waits as long). */
	recordFailure(client: string): number {
		const now = this.now();
		const failures = this.current(client) ?? { count: 0, last: now, blockedUntil: 0 };
		failures.count++;
		failures.last = now;
		const hold = failures.count <= freeFailures ? 0 : Math.min(maxHoldMs, firstHoldMs * 2 ** (failures.count - freeFailures - 1));
		failures.blockedUntil = now + hold;
		this.byClient.delete(client);
		this.byClient.set(client, failures);
		if (this.byClient.size > maxClients) {
			const oldest = this.byClient.keys().next().value;
			if (oldest !== undefined) this.byClient.delete(oldest);
		}
		return hold;
	}

	recordSuccess(client: string): void {
		this.byClient.delete(client);
	}

	private current(client: string): Failures | undefined {
		const failures = this.byClient.get(client);
		if (failures && this.now() - failures.last > quietMs && this.now() >= failures.blockedUntil) {
			this.byClient.delete(client);
			return undefined;
		}
		return failures;
	}
}
