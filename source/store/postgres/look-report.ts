/**
 * What a serving node says about its looks for changes, which run every second: once when it
 * becomes unable to look (with the reason), at most once a minute while that lasts (with how many
 * looks failed), and once when a look succeeds again, instead of a line at every look. Reasons are
 * described errors (describePostgresError): they name the database by its URL without a password.
 */
import { performance } from "node:perf_hooks";

/** How often, at most, a node repeats that it still cannot look. */
export const lookReportRepeatMs = 60_000;

function plural(count: number, one: string, many: string): string {
	return `${count} ${count === 1 ? one : many}`;
}

function seconds(ms: number): string {
	return `${Math.round(ms / 1000)} s`;
}

export class LookReport {
	/** When the failures began (the clock's ms); undefined while looks succeed. */
	private failingSince: number | undefined;
	private failedSinceSaid = 0;
	private failedInAll = 0;
	private saidAt = 0;

	constructor(
		private readonly say: (line: string) => void,
		private readonly now: () => number = () => performance.now(),
	) {}

	failed(error: unknown): void {
		const reason = error instanceof Error ? error.message : String(error);
		const now = this.now();
		this.failedInAll++;
		if (this.failingSince === undefined) {
			this.failingSince = now;
			this.saidAt = now;
			this.failedSinceSaid = 0;
			this.say(`cannot look for changes to the keys, will keep trying (said again at most once a minute): ${reason}`);
			return;
		}
		this.failedSinceSaid++;
		if (now - this.saidAt < lookReportRepeatMs) return;
		const failed = plural(this.failedSinceSaid, "look", "looks");
		this.say(`still cannot look for changes to the keys: ${failed} failed in the last ${seconds(now - this.saidAt)}, for ${seconds(now - this.failingSince)} in all: ${reason}`);
		this.saidAt = now;
		this.failedSinceSaid = 0;
	}

	/** A look found the keys current. */
	current(): void {
		if (this.failingSince === undefined) return;
		const failed = plural(this.failedInAll, "failed look", "failed looks");
		this.say(`the keys are current again: a look for changes succeeded after ${failed} over ${seconds(this.now() - this.failingSince)}`);
		this.failingSince = undefined;
		this.failedInAll = 0;
	}
}
