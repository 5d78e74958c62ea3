/**
 * What a serving node says about work it retries every second (its looks for changes, its
 * access-log writes): once when it begins to fail (with the reason), at most once a minute while
 * that lasts (with how many tries failed), and once when one succeeds again, instead of a line at
 * every try. Reasons are described errors (describePostgresError): they name the database by its
 * URL without a password.
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

/** How a report names what failed and what ended the failures. */
export interface ReportWords {
	/** What cannot be done: "cannot look for changes to the keys". */
	failing: string;
	/** A try, once and more than once: ["look", "looks"]. */
	tries: [string, string];
	/** What a success means: "the keys are current again: a look for changes succeeded". */
	recovered: string;
}

export const lookWords: ReportWords = {
	failing: "cannot look for changes to the keys",
	tries: ["look", "looks"],
	recovered: "the keys are current again: a look for changes succeeded",
};

export const accessLogWords: ReportWords = {
	failing: "cannot write the access log (its entries are kept and written later)",
	tries: ["write", "writes"],
	recovered: "the access log is written again: a batch was written",
};

export class LookReport {
	/** When the failures began (the clock's ms); undefined while looks succeed. */
	private failingSince: number | undefined;
	private failedSinceSaid = 0;
	private failedInAll = 0;
	private saidAt = 0;

	constructor(
		private readonly say: (line: string) => void,
		private readonly now: () => number = () => performance.now(),
		private readonly words: ReportWords = lookWords,
	) {}

	failed(error: unknown): void {
		const reason = error instanceof Error ? error.message : String(error);
		const now = this.now();
		this.failedInAll++;
		if (this.failingSince === undefined) {
			this.failingSince = now;
			this.saidAt = now;
			this.failedSinceSaid = 0;
			this.say(`${this.words.failing}, will keep trying (said again at most once a minute): ${reason}`);
			return;
		}
		this.failedSinceSaid++;
		if (now - this.saidAt < lookReportRepeatMs) return;
		const failed = plural(this.failedSinceSaid, ...this.words.tries);
		this.say(`still ${this.words.failing}: ${failed} failed in the last ${seconds(now - this.saidAt)}, for ${seconds(now - this.failingSince)} in all: ${reason}`);
		this.saidAt = now;
		this.failedSinceSaid = 0;
	}

	/** A try succeeded (a look found the keys current). */
	current(): void {
		if (this.failingSince === undefined) return;
		const [one, many] = this.words.tries;
		const failed = plural(this.failedInAll, `failed ${one}`, `failed ${many}`);
		this.say(`${this.words.recovered} after ${failed} over ${seconds(this.now() - this.failingSince)}`);
		this.failingSince = undefined;
		this.failedInAll = 0;
	}
}
