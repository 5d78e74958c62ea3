/**
 * The access-log list's columns: time, key, method, status, duration, client and path, in fixed
 * widths but the path, which takes what is left. Below 100 columns the client is left out (the
 * entry shows it) so the path keeps room to be read: at 80 it gets 25 cells instead of 8.
 */
import type { AccessLogEntry } from "../../core/backend.js";
import { safeLine } from "../../core/terminal-text.js";
import { formatTimestamp } from "../../core/time.js";
import { cell } from "./key-columns.js";

const clientFrom = 100;

export function showsClient(width: number): boolean {
	return width >= clientFrom;
}

/** The column titles, spaced as each row below them is. */
export function logsHeader(width: number): string {
	const client = showsClient(width) ? `${"CLIENT".padEnd(15)}  ` : "";
	return cell(`  ${"TIME".padEnd(19)}  ${"KEY".padEnd(7)} METHOD STATUS DURATION  ${client}PATH`, width);
}

export function logsRow(entry: AccessLogEntry, selected: boolean, width: number): string {
	const key = cell(entry.keyId === null ? "-" : `#${entry.keyId}`, 7);
	const duration = `${entry.durationMs.toFixed(1)} ms`.padStart(8);
	const client = showsClient(width) ? `${cell(safeLine(entry.client), 15)}  ` : "";
	const method = cell(safeLine(entry.method), 6);
	const status = String(entry.status).padEnd(6);
	return cell(`${selected ? "›" : " "} ${formatTimestamp(entry.at)}  ${key} ${method} ${status} ${duration}  ${client}${safeLine(entry.path)}`, width);
}
