/**
 * The PostgreSQL engine's refusal to trust an index it cannot confirm current: a key revoked
 * through another node while this one cannot reach the database may still be in its memory. Once
 * no look for changes has succeeded for longer than `serve --max-staleness`, verification throws
 * (the server answers 503) until one succeeds again. The check is a timestamp comparison, so
 * verification stays synchronous. A look that finds the schema moved past what this program can
 * work on (IncompatibleSchema) stops it trusting its keys at once, until a look succeeds again.
 */
import { performance } from "node:perf_hooks";
import { AppError } from "../../core/errors.js";
import { type ServingHealth, StaleIndexError } from "../../core/served-store.js";
import { IncompatibleSchema } from "./schema.js";

export class StalenessGate {
	private lastError: string | undefined;
	private lastErrorAt = Number.NEGATIVE_INFINITY;
	/** When a look last found a schema this node cannot work on, and what it said (it names no host). */
	private incompatibleAt = Number.NEGATIVE_INFINITY;
	private incompatible = "";

	/** `confirmedAt`: performance.now() when the index was last known current. */
	constructor(
		private readonly maxStalenessMs: number,
		private readonly confirmedAt: () => number,
	) {}

	/**
	 * A failed look for changes (described by describePostgresError): the reason /health and the
	 * refusals give while it lasts, in general words; /health needs no key, so it names no host.
	 */
	noteError(error: unknown): void {
		if (error instanceof IncompatibleSchema) {
			this.incompatible = error.message;
			this.incompatibleAt = performance.now();
			return;
		}
		const unreachable = error instanceof AppError && error.kind === "unavailable";
		this.lastError = unreachable ? "the database cannot be reached" : "the database answered with an error (the server's output has it)";
		this.lastErrorAt = performance.now();
	}

	/** Throws StaleIndexError ("unavailable") when the index is older than the limit; allocates nothing otherwise. */
	check(): void {
		const confirmedAt = this.confirmedAt();
		const refusing = performance.now() - confirmedAt > this.maxStalenessMs || this.incompatibleAt > confirmedAt;
		if (refusing) throw new StaleIndexError(this.reason());
	}

	/**
	 * "stale" past the limit (verification refused); "degraded" within it while the last look
	 * failed (verification goes on from memory); "ok" when the last look succeeded.
	 */
	health(): ServingHealth {
		const confirmedAt = this.confirmedAt();
		const age = performance.now() - confirmedAt;
		const lastConfirmed = Number.isFinite(confirmedAt) ? new Date(Date.now() - age).toISOString() : null;
		if (age > this.maxStalenessMs || this.incompatibleAt > confirmedAt) return { status: "stale", reason: this.reason(), lastConfirmed };
		if (this.lastErrorAt <= confirmedAt || this.lastError === undefined) return { status: "ok" };
		const reason =
			`This node checks keys from memory: the last look for changes failed (${this.lastError}), ` +
			`none has succeeded for ${(age / 1000).toFixed(1)} s; it refuses key checks past --max-staleness=${this.maxStalenessMs / 1000} s`;
		return { status: "degraded", reason, lastConfirmed };
	}

	private reason(): string {
		const confirmedAt = this.confirmedAt();
		if (this.incompatibleAt > confirmedAt) return `This node cannot work on the database, so it checks no key: ${this.incompatible}`;
		const seconds = ((performance.now() - confirmedAt) / 1000).toFixed(1);
		const since = Number.isFinite(confirmedAt) ? `for ${seconds} s` : "yet";
		const cause = this.lastErrorAt > confirmedAt && this.lastError !== undefined ? `: ${this.lastError}` : ": the database does not answer";
		return (
			`This node cannot confirm its keys are current: no look for changes succeeded ${since}, ` +
			`more than --max-staleness=${this.maxStalenessMs / 1000} s, so it checks no key${cause}`
		);
	}
}
