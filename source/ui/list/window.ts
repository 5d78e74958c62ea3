/**
 * Which rows of a long list are on screen: the window follows the selection and keeps a margin
 * of rows visible beyond it (like lazygit's scroll-off), so the next row is always in sight.
 */

export const scrollMargin = 2;

/** The first visible row for `selected`, moving the window as little as possible. */
export function windowStart(selected: number, total: number, height: number, currentStart: number): number {
	if (height <= 0 || total <= height) return 0;
	const margin = Math.min(scrollMargin, Math.floor((height - 1) / 2));
	let start = currentStart;
	if (selected < start + margin) start = selected - margin;
	if (selected > start + height - 1 - margin) start = selected - height + 1 + margin;
	return Math.max(0, Math.min(start, total - height));
}

export function clampIndex(index: number, total: number): number {
	if (total <= 0) return 0;
	return Math.max(0, Math.min(index, total - 1));
}
