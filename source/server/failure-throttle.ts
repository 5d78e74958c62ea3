/**
 * Slows down an address that keeps presenting bad keys: after a few failures in a window, each
 * further answer to it waits, doubling up to a ceiling. The table is bounded, oldest out first.
 */

const freeFailures = 5;
const windowMs = 60_000;
const maxDelayMs = 5_000;
const maxAddresses = 10_000;

interface Record {
	failures: number;
	since: number;
}

export class FailureThrottle {
	private readonly byAddress = new Map<string, Record>();

	constructor(private readonly now: () => number = Date.now) {}

	/** How long to hold this address's answer, in milliseconds. */
	delayFor(address: string): number {
		const record = this.current(address);
		if (!record || record.failures < freeFailures) return 0;
		return Math.min(maxDelayMs, 100 * 2 ** (record.failures - freeFailures));
	}

	recordFailure(address: string): void {
		const record = this.current(address) ?? { failures: 0, since: this.now() };
		record.failures++;
		this.byAddress.delete(address);
		this.byAddress.set(address, record);
		if (this.byAddress.size > maxAddresses) {
			const oldest = this.byAddress.keys().next().value;
			if (oldest !== undefined) this.byAddress.delete(oldest);
		}
	}

	recordSuccess(address: string): void {
		this.byAddress.delete(address);
	}

	private current(address: string): Record | undefined {
		const record = this.byAddress.get(address);
		if (record && this.now() - record.since > windowMs) {
			this.byAddress.delete(address);
			return undefined;
		}
		return record;
	}
}
