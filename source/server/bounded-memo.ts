/**
 * Values remembered by a string, up to a count; past it the memo starts afresh, which costs less on
 * every hit than keeping an age order. For what a hot route would otherwise compute per request.
 */
export class BoundedMemo<T> {
	private readonly values = new Map<string, T>();

	constructor(private readonly max: number) {}

	get(key: string): T | undefined {
		return this.values.get(key);
	}

	set(key: string, value: T): void {
		if (this.values.size >= this.max) this.values.clear();
		this.values.set(key, value);
	}

	/** The remembered value, or `compute`'s, remembered. */
	of(key: string, compute: (key: string) => T): T {
		const known = this.values.get(key);
		if (known !== undefined) return known;
		const value = compute(key);
		this.set(key, value);
		return value;
	}
}
