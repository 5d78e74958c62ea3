/** Points in time as people type them for filters: `15m`, `24h`, `7d`, `2w` ago, or a date. */
import { type Parsed, parseExpiration } from "./expiration.js";

const unitMs: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds since the epoch. */
export function parseInstant(input: string, now: Date): Parsed<number> {
	const text = input.trim();
	const ago = /^(\d{1,6})\s*([mhdw])$/i.exec(text);
	if (ago) {
		const unit = (ago[2] as string).toLowerCase();
		return { ok: true, value: now.getTime() - Number(ago[1]) * (unitMs[unit] ?? 0) };
	}
	const absolute = parseExpiration(text, now);
	if (absolute.ok && absolute.value !== null && !/^\d+\s*[dwy]$/i.test(text)) {
		return { ok: true, value: Date.parse(absolute.value) };
	}
	return {
		ok: false,
		error: `"${text}" is not a time: use a span back from now (15m, 24h, 7d, 2w) or a date (YYYY-MM-DD, ISO-8601)`,
	};
}

/** `2026-11-22 12:28:06` in UTC. */
export function formatTimestamp(ms: number): string {
	return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}
