/**
 * Expiration dates: what people type, and the store's policy on them.
 * A date without a time or zone is taken as midnight UTC, so a store means the same instant on
 * every host that opens it.
 */

const dayMs = 86_400_000;
const relativeUnits: Record<string, number> = { d: 1, w: 7, y: 365 };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Canonical wire form: `2024-08-01T00:00:00Z`. */
export function formatIso(date: Date): string {
	return `${date.toISOString().slice(0, 19)}Z`;
}

function utcDate(y: number, m: number, d: number, hh = 0, mm = 0, ss = 0): Date | undefined {
	const date = new Date(Date.UTC(2000, m - 1, d, hh, mm, ss));
	// Date.UTC reads years 0-99 as 1900-1999; set the year on its own.
	date.setUTCFullYear(y, m - 1, d);
	const roundTrips =
		date.getUTCFullYear() === y &&
		date.getUTCMonth() === m - 1 &&
		date.getUTCDate() === d &&
		date.getUTCHours() === hh &&
		date.getUTCMinutes() === mm &&
		date.getUTCSeconds() === ss;
	return roundTrips && y >= 1 && y <= 9999 ? date : undefined;
}

const dateOnly = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/;
const isoDateTime =
	/^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const relative = /^(\d{1,5})\s*([dwy])$/i;

/** The typed text in a message, cut so that a pasted page still leaves the reason readable. */
function quoted(text: string): string {
	const chars = [...text];
	return `"${chars.length > 40 ? `${chars.slice(0, 40).join("")}…` : text}"`;
}

/** Whether the text is a span from now (`30d`, `12w`, `1y`) rather than a date. */
export function isRelativeSpan(input: string): boolean {
	return relative.test(input.trim());
}

/**
 * Parses `never`, an ISO-8601 date or date-time, `YYYY/MM/DD`, `YYYY-MM-DD`, or a span from now
 * (`30d`, `12w`, `1y`). Returns the canonical ISO string, or null for "never expires".
 */
export function parseExpiration(input: string, now: Date): Parsed<string | null> {
	const text = input.trim();
	if (/^(never|none)$/i.test(text)) return { ok: true, value: null };
	const span = relative.exec(text);
	if (span) {
		const count = Number(span[1]);
		const unit = (span[2] as string).toLowerCase();
		if (count === 0) return { ok: false, error: "a span from now must be at least 1" };
		const date = new Date(now.getTime() + count * (relativeUnits[unit] ?? 1) * dayMs);
		if (date.getUTCFullYear() > 9999) return { ok: false, error: `${quoted(text)} is past the year 9999` };
		return { ok: true, value: formatIso(date) };
	}
	const day = dateOnly.exec(text);
	if (day) {
		const date = utcDate(Number(day[1]), Number(day[2]), Number(day[3]));
		return date
			? { ok: true, value: formatIso(date) }
			: { ok: false, error: `${quoted(text)} is not a valid date` };
	}
	const stamp = isoDateTime.exec(text);
	if (stamp) {
		const local = utcDate(
			Number(stamp[1]),
			Number(stamp[2]),
			Number(stamp[3]),
			Number(stamp[4]),
			Number(stamp[5]),
			Number(stamp[6] ?? 0),
		);
		if (!local) return { ok: false, error: `${quoted(text)} is not a valid date` };
		const zone = stamp[7];
		if (zone === undefined || zone.toUpperCase() === "Z")
			return { ok: true, value: formatIso(local) };
		const sign = zone.startsWith("-") ? -1 : 1;
		const digits = zone.slice(1).replace(":", "");
		const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
		return { ok: true, value: formatIso(new Date(local.getTime() - offsetMinutes * 60_000)) };
	}
	return {
		ok: false,
		error: `${quoted(text)} is not a date: use YYYY-MM-DD, YYYY/MM/DD, ISO-8601, a span like 30d, 12w or 1y, or never`,
	};
}

export interface ExpirationPolicy {
	nonExpiringAllowed: boolean;
	maxLifetimeDays: number | null;
}

/** Why an expiration breaks the store's policy, or undefined when it is allowed. */
export function expirationPolicyError(
	expiration: string | null,
	policy: ExpirationPolicy,
	now: Date,
): string | undefined {
	if (expiration === null) {
		if (!policy.nonExpiringAllowed || policy.maxLifetimeDays !== null) {
			return policy.maxLifetimeDays !== null
				? `keys must expire within ${policy.maxLifetimeDays} days (the store's maximum lifetime)`
				: "non-expiring keys are not allowed by this store's settings";
		}
		return undefined;
	}
	const at = Date.parse(expiration);
	if (at <= now.getTime()) return `${expiration} is in the past`;
	if (policy.maxLifetimeDays !== null && at > now.getTime() + policy.maxLifetimeDays * dayMs) {
		return `${expiration} is beyond the store's maximum lifetime of ${policy.maxLifetimeDays} days`;
	}
	return undefined;
}
