/**
 * The access-log list's columns, fitted to the width by priority as the key list's are: the path
 * is kept always and takes what is left. Its room to be read (25 cells rather than 10) counts as a
 * column of its own, worth more than the client and the duration but less than the rest: at 80
 * columns the client gives way to it; at 40 the time and status are kept beside a shorter path.
 */
import type { AccessLogEntry } from "../../core/backend.js";
import { safeLine } from "../../core/terminal-text.js";
import { cell, type Fitted, fitColumns } from "./key-columns.js";
import { localTime } from "./local-time.js";

type LogColumnId = "time" | "key" | "method" | "status" | "duration" | "client" | "path" | "pathRoom";

interface LogColumn {
	id: LogColumnId;
	title: string;
	width: number;
	priority: number;
	grows?: boolean;
	value: (entry: AccessLogEntry) => string;
}

const pathRoom = 15;

const logColumns: readonly LogColumn[] = [
	{ id: "time", title: "TIME", width: 19, priority: 8, value: (e) => localTime(e.at) },
	{ id: "key", title: "KEY", width: 7, priority: 7, value: (e) => (e.keyId === null ? "-" : `#${e.keyId}`) },
	{ id: "method", title: "METHOD", width: 6, priority: 6, value: (e) => safeLine(e.method) },
	{ id: "status", title: "STATUS", width: 6, priority: 9, value: (e) => String(e.status) },
	{ id: "duration", title: "DURATION", width: 8, priority: 3, value: (e) => `${e.durationMs.toFixed(1)} ms`.padStart(8) },
	{ id: "client", title: "CLIENT", width: 15, priority: 2, value: (e) => safeLine(e.client) },
	{ id: "path", title: "PATH", width: 10, priority: 10, grows: true, value: (e) => safeLine(e.path) },
	{ id: "pathRoom", title: "", width: pathRoom - 1, priority: 4, value: () => "" },
];

/** The columns shown at this width (the path's room folded into the path). */
function fittedLogColumns(width: number): Fitted<LogColumn>[] {
	const fitted = fitColumns(width - 2, logColumns);
	const room = fitted.some((c) => c.id === "pathRoom") ? pathRoom : 0;
	return fitted.filter((c) => c.id !== "pathRoom").map((c) => (c.id === "path" ? { ...c, fitted: c.fitted + room } : c));
}

export function logColumnIds(width: number): LogColumnId[] {
	return fittedLogColumns(width).map((c) => c.id);
}

/** The column titles, spaced as each row below them is. */
export function logsHeader(width: number): string {
	return cell(`  ${fittedLogColumns(width).map((c) => cell(c.title, c.fitted)).join(" ")}`, width);
}

export function logsRow(entry: AccessLogEntry, selected: boolean, width: number): string {
	const cells = fittedLogColumns(width).map((c) => cell(c.value(entry), c.fitted));
	return cell(`${selected ? "›" : " "} ${cells.join(" ")}`, width);
}
