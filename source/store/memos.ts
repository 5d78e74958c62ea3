/**
 * Values derived from a store's contents, each computed once per mark (change-marks.ts): the
 * server answers the same key list and settings many times between changes.
 */
export class Memos<Mark> {
	private mark: Mark | undefined;
	private values = new Map<string, unknown>();

	/** The value named `name` as of `mark`, computed now if the mark moved on since it was. */
	get<T>(mark: Mark, name: string, compute: () => T): T {
		if (this.mark !== mark) {
			this.mark = mark;
			this.values = new Map();
		}
		let value = this.values.get(name) as T | undefined;
		if (value === undefined) {
			value = compute();
			this.values.set(name, value);
		}
		return value;
	}
}
