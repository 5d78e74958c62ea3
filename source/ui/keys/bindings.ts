/**
 * The one binding table: every command, its keys, where it applies, its label, and what it needs
 * (a writable store, a capability of the backend, a key with an id). It drives the key router, the
 * footer, the help overlay, read-only and capability disabling, and docs/KEYS.md; each screen's
 * controller (source/ui/console/) must handle every command bound on it, or fail to compile.
 */
import type { Capabilities } from "../../core/backend.js";

/**
 * Where keys are read; "entry" is one access-log entry opened from the log, "create" the wizard,
 * "field" a filter or a setting's value being typed (its letters are typed, not run).
 */
export type Screen = "list" | "detail" | "logs" | "entry" | "help" | "confirm" | "create" | "secret" | "settings" | "field";

export type Command =
	| "quit"
	| "help"
	| "back"
	| "down"
	| "up"
	| "page-down"
	| "page-up"
	| "top"
	| "bottom"
	| "open"
	| "filter"
	| "sort"
	| "reverse"
	| "mark"
	| "create"
	| "edit"
	| "toggle-enabled"
	| "roll"
	| "delete"
	| "convert"
	| "logs-for-key"
	| "logs-all"
	| "refresh"
	| "follow"
	| "settings"
	| "change-setting"
	| "copy"
	| "leave-secret"
	| "saved-secret"
	| "confirm-yes"
	| "confirm-no"
	| "choose"
	| "next"
	| "reveal";

export interface Binding {
	command: Command;
	keys: readonly string[];
	screens: readonly Screen[];
	label: string;
	/**
	 * The footer's priority, 1 to 10: the footer shows the highest that fit, whole, in table order
	 * (10 always fits, even at the minimum 40 columns). Absent: only in the help overlay.
	 */
	footer?: number;
	/** The footer's shorter label, where the help overlay's is long. */
	short?: string;
	/** Changes the store: disabled in read-only mode. */
	mutates?: boolean;
	/** The backend capability it needs: disabled, with the backend's reason, where it is missing. */
	needs?: keyof Capabilities;
	/** Sends the selected key's id back to its store: disabled for a key listed without one. */
	byId?: boolean;
}

const browse = ["list", "detail", "logs"] as const;

/** The rows as written: their literal types let each screen's commands be computed (`CommandsOf`). */
const rows = [
	{ command: "down", keys: ["j", "down"], screens: ["list", "logs", "entry", "help", "detail", "settings"], label: "down" },
	{ command: "up", keys: ["k", "up"], screens: ["list", "logs", "entry", "help", "detail", "settings"], label: "up" },
	{ command: "down", keys: ["down", "j", "tab"], screens: ["create"], label: "down in a list of choices (stops at the last)" },
	{ command: "up", keys: ["up", "k", "shift+tab"], screens: ["create"], label: "up in a list of choices (stops at the first)" },
	{ command: "top", keys: ["g", "home"], screens: ["create"], label: "first in a list of choices" },
	{ command: "bottom", keys: ["G", "end"], screens: ["create"], label: "last in a list of choices (on the review: create or save)" },
	{ command: "choose", keys: ["space"], screens: ["create"], label: "choose or unchoose (lists with boxes)" },
	{ command: "next", keys: ["enter"], screens: ["create"], label: "next step; on the review, create or save" },
	{ command: "back", keys: ["esc"], screens: ["create"], label: "previous step, keeping what was typed; on the first, cancel" },
	{ command: "help", keys: ["?"], screens: ["create"], label: "help (in a text field, ? is typed)" },
	{ command: "reveal", keys: ["ctrl+r"], screens: ["create"], label: "show or hide the custom key as it is typed" },
	{ command: "quit", keys: ["ctrl+c"], screens: ["create"], label: "quit; with something typed or chosen, asks first (y or Ctrl-C again quits)" },
	{ command: "page-down", keys: ["pagedown", "ctrl+f"], screens: ["list", "logs", "entry", "detail", "help"], label: "page down" },
	{ command: "page-up", keys: ["pageup", "ctrl+b"], screens: ["list", "logs", "entry", "detail", "help"], label: "page up" },
	{ command: "top", keys: ["g", "home"], screens: ["list", "logs", "entry", "detail", "help"], label: "first" },
	{ command: "bottom", keys: ["G", "end"], screens: ["list", "logs", "entry", "detail", "help"], label: "last" },
	{ command: "open", keys: ["enter"], screens: ["list", "logs"], label: "open", footer: 7 },
	{ command: "filter", keys: ["/"], screens: ["list", "logs"], label: "filter", footer: 7 },
	{ command: "sort", keys: ["s"], screens: ["list"], label: "sort by next column", footer: 3, short: "sort" },
	{ command: "reverse", keys: ["S"], screens: ["list"], label: "reverse sort" },
	{ command: "mark", keys: ["space"], screens: ["list"], label: "mark for delete" },
	{ command: "create", keys: ["n"], screens: ["list"], label: "new key", footer: 8, mutates: true },
	{ command: "edit", keys: ["e"], screens: ["list", "detail"], label: "edit", footer: 6, mutates: true, needs: "update", byId: true },
	{ command: "toggle-enabled", keys: ["x"], screens: ["list", "detail"], label: "enable/disable", footer: 5, short: "on/off", mutates: true, needs: "enable", byId: true },
	{ command: "roll", keys: ["R"], screens: ["list", "detail"], label: "roll secret", footer: 3, short: "roll", mutates: true, needs: "roll", byId: true },
	{ command: "delete", keys: ["d"], screens: ["list", "detail"], label: "delete", footer: 6, mutates: true, byId: true },
	{ command: "convert", keys: ["C"], screens: ["list", "detail"], label: "convert legacy key", mutates: true, needs: "convert", byId: true },
	{ command: "logs-for-key", keys: ["l"], screens: ["list", "detail"], label: "key's access log", footer: 4, short: "log", needs: "accessLogs" },
	{ command: "logs-all", keys: ["L"], screens: ["list", "detail"], label: "all access logs", needs: "accessLogs" },
	{ command: "settings", keys: ["o"], screens: ["list"], label: "store settings" },
	{ command: "change-setting", keys: ["enter", "space"], screens: ["settings"], label: "change", footer: 8, mutates: true },
	{ command: "follow", keys: ["f"], screens: ["logs"], label: "follow new entries", footer: 6, short: "follow" },
	{ command: "refresh", keys: ["ctrl+r"], screens: browse, label: "refresh" },
	{ command: "copy", keys: ["y"], screens: ["secret"], label: "copy the key", footer: 9, short: "copy" },
	{ command: "leave-secret", keys: ["enter", "esc", "q"], screens: ["secret"], label: "leave (asks whether you saved it)", footer: 9, short: "leave" },
	{ command: "saved-secret", keys: ["Y"], screens: ["secret"], label: "yes, saved: leave (after the question)", footer: 9, short: "leave" },
	{ command: "confirm-yes", keys: ["y"], screens: ["confirm"], label: "yes", footer: 9 },
	{ command: "confirm-no", keys: ["n", "esc", "enter"], screens: ["confirm"], label: "no (default)", footer: 9 },
	{ command: "next", keys: ["enter"], screens: ["field"], label: "done: the filter stays, a setting's value is saved", footer: 9, short: "done" },
	{ command: "back", keys: ["esc"], screens: ["field"], label: "cancel: the filter is cleared, a setting keeps its value", footer: 9, short: "cancel" },
	{ command: "quit", keys: ["ctrl+c"], screens: ["field"], label: "quit", footer: 10 },
	{ command: "help", keys: ["?"], screens: ["list", "detail", "logs", "entry", "settings"], label: "help", footer: 10 },
	{ command: "back", keys: ["esc"], screens: ["detail", "logs", "entry", "help", "settings"], label: "back", footer: 9 },
	{ command: "quit", keys: ["q", "ctrl+c"], screens: ["list", "detail", "logs", "entry", "help", "settings"], label: "quit", footer: 10 },
] as const satisfies readonly Binding[];

export const bindings: readonly Binding[] = rows;

/** The commands the table binds on screen `S`: the handlers its controller must have. */
export type CommandsOf<S extends Screen> = RowCommand<(typeof rows)[number], S>;

/** A row's command when the row applies on `S` (distributed over the rows). */
type RowCommand<Row, S extends Screen> = Row extends { command: infer C; screens: readonly (infer On)[] }
	? S extends On
		? C
		: never
	: never;

/** The row a key runs on a screen, if any. */
export function bindingFor(keyName: string, screen: Screen): Binding | undefined {
	return bindings.find((b) => b.screens.includes(screen) && b.keys.includes(keyName));
}

/** The command a key runs on a screen, if any. */
export function commandFor(keyName: string, screen: Screen): Command | undefined {
	return bindingFor(keyName, screen)?.command;
}

export function bindingsFor(screen: Screen): Binding[] {
	return bindings.filter((b) => b.screens.includes(screen));
}

/** How a key is written for people: "↓", "Enter", "Ctrl-C". */
export function keyLabel(key: string): string {
	const names: Record<string, string> = {
		up: "↑",
		down: "↓",
		enter: "Enter",
		esc: "Esc",
		space: "Space",
		pageup: "PgUp",
		pagedown: "PgDn",
		home: "Home",
		end: "End",
		tab: "Tab",
	};
	if (names[key]) return names[key] as string;
	if (key.startsWith("ctrl+")) return `Ctrl-${key.slice(5).toUpperCase()}`;
	if (key.startsWith("shift+")) return `Shift-${keyLabel(key.slice(6))}`;
	return key;
}

/** docs/KEYS.md, generated from the table (a test keeps the file current). */
export function keysMarkdown(): string {
	// In the order the file lists them.
	const titles: Record<Screen, string> = {
		list: "Key list (home)",
		detail: "Key detail",
		logs: "Access logs",
		entry: "Access-log entry",
		settings: "Store settings",
		field: "Typing a filter or a setting's value (letters are typed; docs/CONSOLE.md lists the editing keys)",
		create: "Create and edit (the wizard)",
		help: "Help overlay",
		confirm: "Confirmation",
		secret: "New key shown once",
	};
	const lines = ["# Key bindings", "", "Generated from `source/ui/keys/bindings.ts`; `npm test` fails when this file is stale.", ""];
	for (const [screen, title] of Object.entries(titles) as [Screen, string][]) {
		lines.push(`## ${title}`, "", "| keys | action |", "|---|---|");
		for (const b of bindingsFor(screen)) {
			const keys = b.keys.map((k) => `\`${keyLabel(k)}\``).join(", ");
			lines.push(`| ${keys} | ${b.label}${b.mutates ? " (not in read-only mode)" : ""} |`);
		}
		lines.push("");
	}
	lines.push(
		"## Filters",
		"",
		"In the key list, `/` filters as you type: every word must match what the row shows (id, name, type, scope, user,",
		"feed or group, status) or the description; a word with a capital letter matches case exactly. In the access logs,",
		"`/` filters as you type too, with words such as `status:4xx method:post path:/api/ since:24h until:2026-11-01 key:1001`",
		"(`path:` is the path's start; a bare word matches anywhere in the path).",
		"",
	);
	return lines.join("\n");
}
