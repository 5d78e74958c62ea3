/**
 * The one form every time takes in the console: `2026-12-06 07:37:27`, in the machine's local
 * time, as expirations are shown. (The CLI keeps UTC, which its output and scripts rely on.)
 */
import { safeLine } from "../../core/terminal-text.js";

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * Milliseconds since the epoch, or a stored ISO time. Text that is no time (a tampered store, a
 * remote's answer) is shown made safe, cut to `rawChars` where a column must keep the rest of its line in sight.
 */
export function localTime(at: number | string, rawChars = Number.POSITIVE_INFINITY): string {
	const date = new Date(at);
	if (Number.isNaN(date.getTime())) return safeLine([...String(at)].slice(0, rawChars).join(""));
	return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
