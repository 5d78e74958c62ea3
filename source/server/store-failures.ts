/**
 * A store's failure (an AppError answered 503) as the client is told it and as the server's log
 * has it. The whole reason names where the store is (a file's path, a database's host and port)
 * and quotes its driver: no HTTP client may learn that, so the client gets a fixed sentence, or,
 * while this node refuses key checks (stale keys, a store file gone), the reason GET /health gives
 * anyone. The server's log gets the whole reason: the first failure at once, then at most a line a
 * minute while failures go on, with how many there were, so an outage answered thousands of times
 * does not flood it. A refusal for stale keys (StaleIndexError) is left to the engine, whose own
 * log says why and how long.
 */
import { performance } from "node:perf_hooks";
import type { AppError } from "../core/errors.js";
import { type ServingHealth, StaleIndexError } from "../core/served-store.js";

/** What a client is told when the store fails (pgutil prints it after "Server responded with ServiceUnavailable (503):"). */
export const storeFailedText = "The key store is unavailable; the server's log has the reason.";

/** How often, at most, the log says again that requests fail on the store. */
export const storeFailureRepeatMs = 60_000;

export class StoreFailures {
	private saidAt = Number.NEGATIVE_INFINITY;
	/** Failures since the last line, not said one by one. */
	private unsaid = 0;

	constructor(
		private readonly health: () => ServingHealth,
		private readonly say: (line: string) => void,
		private readonly now: () => number = () => performance.now(),
	) {}

	/** The body to answer `error` with; its whole reason goes to the log. */
	bodyFor(error: AppError): string {
		if (!(error instanceof StaleIndexError)) this.report(error.message);
		const health = this.health();
		// Refused because the keys may be stale or the store file is gone: /health tells anyone the same.
		return health.status === "stale" ? health.reason : storeFailedText;
	}

	private report(reason: string): void {
		const now = this.now();
		if (now - this.saidAt < storeFailureRepeatMs) {
			this.unsaid++;
			return;
		}
		const seconds = Math.round((now - this.saidAt) / 1000);
		this.say(
			this.unsaid === 0
				? `a request failed on the key store (answered 503): ${reason}`
				: `${this.unsaid + 1} requests failed on the key store in the last ${seconds} s (answered 503), the last: ${reason}`,
		);
		this.saidAt = now;
		this.unsaid = 0;
	}
}
