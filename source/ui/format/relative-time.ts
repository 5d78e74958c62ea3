/** Times as words, so meaning never rests on colour: "expired", "expires in 3d", "2h ago". */

const units: [number, string][] = [
	[365 * 86_400_000, "y"],
	[30 * 86_400_000, "mo"],
	[86_400_000, "d"],
	[3_600_000, "h"],
	[60_000, "m"],
];

/**
 * Rounded to the nearest whole unit, not down: a 30-day key created a moment ago has 29.99 days
 * left, which is "30d", not "29d".
 */
export function span(ms: number): string {
	for (const [size, unit] of units) {
		if (ms >= size) return `${Math.round(ms / size)}${unit}`;
	}
	return "<1m";
}

export function expiresText(expiration: string | null, now: number): string {
	if (expiration === null) return "never";
	const left = Date.parse(expiration) - now;
	// A date that does not parse is refused by verification as expired: shown the same way.
	return left > 0 ? `in ${span(left)}` : "expired";
}

export function agoText(iso: string | null, now: number, none = "never"): string {
	if (iso === null) return none;
	const at = Date.parse(iso);
	return Number.isNaN(at) ? "unknown" : `${span(Math.max(0, now - at))} ago`;
}

/** Expiring within a week: shown as a warning in words too. */
export function expiresSoon(expiration: string | null, now: number): boolean {
	if (expiration === null) return false;
	const left = Date.parse(expiration) - now;
	return left > 0 && left < 7 * 86_400_000;
}
