/** Medians and percentiles of repeated measurements. */

export function percentile(values: readonly number[], p: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank] as number;
}

export function median(values: readonly number[]): number {
	return percentile(values, 50);
}

/** Milliseconds `fn` takes, `runs` times. */
export function timeRuns(runs: number, fn: () => void): number[] {
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		const start = process.hrtime.bigint();
		fn();
		times.push(Number(process.hrtime.bigint() - start) / 1e6);
	}
	return times;
}
