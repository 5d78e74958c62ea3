/**
 * Expiration dates: what people type, how they are kept, sent and shown. One rule everywhere:
 * - a date or time typed without a zone is a calendar day (or a wall-clock time on it): the store
 *   keeps it as that time in UTC, so it means the same on every host, and it goes to a remote
 *   instance without a zone (`2030-08-01T00:00:00`), as pgutil sends the .NET `DateTime` it parsed
 *   (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/pgutil/ApiKeys/Create/SystemCommand.cs#L57);
 * - a time with a zone, and a span from now (`30d`), is an instant, sent with `Z`;
 * - `never` is no expiration at all (no `expiration` property on the wire).
 * The forms pgutil's `DateTime.TryParse` reads are accepted: `2030/08/01`, `08/01/2030` and
 * `8/1/2030` (month first), `Aug 1, 2030`, `1 Aug 2030`, `2030-08-01 12:30`, ISO-8601 with or without a zone.
 */

const dayMs = 86_400_000;
const relativeUnits: Record<string, number> = { d: 1, w: 7, y: 365 };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Canonical stored form: `2024-08-01T00:00:00Z`. */
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

const yearFirst = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/;
const monthFirst = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const monthName = /^([a-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$/i;
const dayMonthName = /^(\d{1,2})\s+([a-z]{3,9})\.?,?\s+(\d{4})$/i;
const monthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const isoDateTime =
	/^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?\s?(Z|[+-]\d{2}:?\d{2})?$/i;
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

/** A parsed expiration: the instant, and whether it was typed with a zone (or as a span). */
interface Moment {
	date: Date;
	zoned: boolean;
}

/** January..December, by full name, three-letter abbreviation, or "Sept". */
function monthOf(name: string): number | undefined {
	const lower = name.toLowerCase();
	const index = monthNames.findIndex((full) => lower === full || lower === full.slice(0, 3) || (lower === "sept" && full === "september"));
	return index < 0 ? undefined : index + 1;
}

function calendarDay(text: string): [number, number, number] | undefined {
	const ymd = yearFirst.exec(text);
	if (ymd) return [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
	const mdy = monthFirst.exec(text);
	if (mdy) return [Number(mdy[3]), Number(mdy[1]), Number(mdy[2])];
	const named = monthName.exec(text);
	const month = named ? monthOf(named[1] as string) : undefined;
	if (named && month !== undefined) return [Number(named[3]), month, Number(named[2])];
	const dayFirst = dayMonthName.exec(text);
	const itsMonth = dayFirst ? monthOf(dayFirst[2] as string) : undefined;
	if (dayFirst && itsMonth !== undefined) return [Number(dayFirst[3]), itsMonth, Number(dayFirst[1])];
	return undefined;
}

function readExpiration(input: string, now: Date): Parsed<Moment | null> {
	const text = input.trim();
	if (/^(never|none)$/i.test(text)) return { ok: true, value: null };
	const span = relative.exec(text);
	if (span) {
		const count = Number(span[1]);
		const unit = (span[2] as string).toLowerCase();
		if (count === 0) return { ok: false, error: "a span from now must be at least 1" };
		const date = new Date(now.getTime() + count * (relativeUnits[unit] ?? 1) * dayMs);
		if (date.getUTCFullYear() > 9999) return { ok: false, error: `${quoted(text)} is past the year 9999` };
		return { ok: true, value: { date, zoned: true } };
	}
	const day = calendarDay(text);
	if (day) {
		const date = utcDate(...day);
		if (date) return { ok: true, value: { date, zoned: false } };
		const order = monthFirst.test(text) ? " (read month first, MM/DD/YYYY, as pgutil reads it)" : "";
		return { ok: false, error: `${quoted(text)} is not a valid date${order}` };
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
		if (zone === undefined) return { ok: true, value: { date: local, zoned: false } };
		if (zone.toUpperCase() === "Z") return { ok: true, value: { date: local, zoned: true } };
		const sign = zone.startsWith("-") ? -1 : 1;
		const digits = zone.slice(1).replace(":", "");
		const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
		return { ok: true, value: { date: new Date(local.getTime() - offsetMinutes * 60_000), zoned: true } };
	}
	return {
		ok: false,
		error: `${quoted(text)} is not a date: use YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, ISO-8601, a span like 30d, 12w or 1y, or never`,
	};
}

/**
 * Parses an expiration as typed (see the forms above). Returns the stored form, an instant in
 * UTC (`2030-08-01T00:00:00Z`), or null for "never expires".
 */
export function parseExpiration(input: string, now: Date): Parsed<string | null> {
	const read = readExpiration(input, now);
	if (!read.ok) return read;
	return { ok: true, value: read.value === null ? null : formatIso(read.value.date) };
}

/**
 * The `expiration` a remote instance is sent for what was typed: a zone-less date as the
 * zone-less ISO form pgutil writes, anything else as an instant with `Z`; null for never.
 * A date that is not in the future is refused here, before anything is sent.
 */
export function wireExpiration(input: string, now: Date): Parsed<string | null> {
	const read = readExpiration(input, now);
	if (!read.ok) return read;
	if (read.value === null) return { ok: true, value: null };
	const stored = formatIso(read.value.date);
	if (read.value.date.getTime() <= now.getTime()) return { ok: false, error: pastError(stored, now, input) };
	return { ok: true, value: read.value.zoned ? stored : stored.slice(0, 19) };
}

/**
 * A stored or received expiration in the stored form: an ISO time without a zone is read as UTC
 * (a calendar day), one with a zone as that instant; anything else is not a date (undefined).
 */
export function normalizeExpiration(text: string): string | undefined {
	if (!isoDateTime.test(text.trim()) && !yearFirst.test(text.trim())) return undefined;
	const read = readExpiration(text, new Date(0));
	return read.ok && read.value !== null ? formatIso(read.value.date) : undefined;
}

/** Whether a stored expiration is a calendar day (the start of a day in UTC) rather than a time. */
export function isCalendarDay(iso: string): boolean {
	return /T00:00:00(\.0+)?Z$/.test(iso);
}

/**
 * How an expiration is shown: a calendar day as that day in every time zone (`2030-08-01`), an
 * instant in local time (`2030-08-01 14:30`); a value that is not a date as it is.
 */
export function displayExpiration(iso: string): string {
	const at = new Date(iso);
	if (Number.isNaN(at.getTime())) return iso;
	if (isCalendarDay(iso)) return iso.slice(0, 10);
	const pad = (n: number) => String(n).padStart(2, "0");
	// The local offset goes with the time: typed back as shown, it is the same instant (a time
	// typed without a zone is read as UTC, so a local time shown bare would move by the offset).
	const offset = -at.getTimezoneOffset();
	const zone = `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
	return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())} ${zone}`;
}

/**
 * "… is in the past", naming what was typed when it is known (else the day or time as shown). A
 * calendar day ends at its start, so today's date is already past: say so, or it reads as a bug.
 */
function pastError(expiration: string, now: Date, typed: string | undefined): string {
	const what = typed === undefined ? displayExpiration(expiration) : quoted(typed.trim());
	const today = isCalendarDay(expiration) && now.getTime() - Date.parse(expiration) < dayMs;
	return `${what} is in the past${today ? ": a date expires at its start (00:00 UTC); give tomorrow's date or a span such as 1d" : ""}`;
}

/** The expirations the console offers as one choice each, besides typing a date. */
const expirationPresets = [
	{ value: "30d", label: "30 days" },
	{ value: "90d", label: "90 days" },
	{ value: "1y", label: "1 year" },
	{ value: "never", label: "never" },
] as const;

/** The expiration a new key starts with in the console. */
export const defaultExpirationPreset = "90d";

export function isExpirationPreset(text: string): boolean {
	return expirationPresets.some((preset) => preset.value === text);
}

/** The presets the store's policy allows: `never` only where a key may never expire. */
export function expirationPresetChoices(policy: ExpirationPolicy): { value: string; label: string }[] {
	const neverAllowed = expirationPolicyError(null, policy, new Date()) === undefined;
	return expirationPresets.filter((preset) => preset.value !== "never" || neverAllowed).map((preset) => ({ ...preset }));
}

export interface ExpirationPolicy {
	nonExpiringAllowed: boolean;
	maxLifetimeDays: number | null;
}

/**
 * Why an expiration breaks the store's policy, or undefined when it is allowed; `typed`, what the
 * user typed for it, is what the message names.
 */
export function expirationPolicyError(
	expiration: string | null,
	policy: ExpirationPolicy,
	now: Date,
	typed?: string,
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
	if (at <= now.getTime()) return pastError(expiration, now, typed);
	if (policy.maxLifetimeDays !== null && at > now.getTime() + policy.maxLifetimeDays * dayMs) {
		return `${typed === undefined ? displayExpiration(expiration) : quoted(typed.trim())} is beyond the store's maximum lifetime of ${policy.maxLifetimeDays} days`;
	}
	return undefined;
}
