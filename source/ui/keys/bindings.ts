/**
 * The one binding table: every command, its keys, where it applies, its label. It drives the key
 * router, the footer, the help overlay and docs/KEYS.md.
 */

export type Screen = "list" | "detail" | "logs" | "help" | "confirm" | "create" | "secret" | "settings";

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
	| "confirm-no";

export interface Binding {
	command: Command;
	keys: readonly string[];
	screens: readonly Screen[];
	label: string;
	/** Shown in the footer (the rest only in the help overlay). */
	footer: boolean;
	/** Changes the store: disabled in read-only mode. */
	mutates?: boolean;
}

const browse: Screen[] = ["list", "detail", "logs"];

export const bindings: readonly Binding[] = [
	{ command: "down", keys: ["j", "down"], screens: ["list", "logs", "help", "detail", "settings"], label: "down", footer: false },
	{ command: "up", keys: ["k", "up"], screens: ["list", "logs", "help", "detail", "settings"], label: "up", footer: false },
	{ command: "page-down", keys: ["pagedown", "ctrl+f"], screens: ["list", "logs", "detail"], label: "page down", footer: false },
	{ command: "page-up", keys: ["pageup", "ctrl+b"], screens: ["list", "logs", "detail"], label: "page up", footer: false },
	{ command: "top", keys: ["g", "home"], screens: ["list", "logs", "detail"], label: "first", footer: false },
	{ command: "bottom", keys: ["G", "end"], screens: ["list", "logs", "detail"], label: "last", footer: false },
	{ command: "open", keys: ["enter"], screens: ["list", "logs"], label: "open", footer: true },
	{ command: "filter", keys: ["/"], screens: ["list", "logs"], label: "filter", footer: true },
	{ command: "sort", keys: ["s"], screens: ["list"], label: "sort by next column", footer: true },
	{ command: "reverse", keys: ["S"], screens: ["list"], label: "reverse sort", footer: false },
	{ command: "mark", keys: ["space"], screens: ["list"], label: "mark for delete", footer: false },
	{ command: "create", keys: ["n"], screens: ["list"], label: "new key", footer: true, mutates: true },
	{ command: "edit", keys: ["e"], screens: ["list", "detail"], label: "edit", footer: true, mutates: true },
	{ command: "toggle-enabled", keys: ["x"], screens: ["list", "detail"], label: "enable/disable", footer: true, mutates: true },
	{ command: "roll", keys: ["R"], screens: ["list", "detail"], label: "roll secret", footer: true, mutates: true },
	{ command: "delete", keys: ["d"], screens: ["list", "detail"], label: "delete", footer: true, mutates: true },
	{ command: "convert", keys: ["C"], screens: ["list", "detail"], label: "convert legacy key", footer: false, mutates: true },
	{ command: "logs-for-key", keys: ["l"], screens: ["list", "detail"], label: "key's access log", footer: true },
	{ command: "logs-all", keys: ["L"], screens: ["list", "detail"], label: "all access logs", footer: false },
	{ command: "settings", keys: ["o"], screens: ["list"], label: "store settings", footer: false },
	{ command: "change-setting", keys: ["enter", "space"], screens: ["settings"], label: "change", footer: true, mutates: true },
	{ command: "follow", keys: ["f"], screens: ["logs"], label: "follow new entries", footer: true },
	{ command: "refresh", keys: ["ctrl+r"], screens: browse, label: "refresh", footer: false },
	{ command: "copy", keys: ["y"], screens: ["secret"], label: "copy the key", footer: true },
	{ command: "leave-secret", keys: ["enter", "esc", "q"], screens: ["secret"], label: "leave (asks whether you saved it)", footer: true },
	{ command: "saved-secret", keys: ["Y"], screens: ["secret"], label: "yes, saved: leave (after the question)", footer: false },
	{ command: "confirm-yes", keys: ["y"], screens: ["confirm"], label: "yes", footer: true },
	{ command: "confirm-no", keys: ["n", "esc", "enter"], screens: ["confirm"], label: "no (default)", footer: true },
	{ command: "help", keys: ["?"], screens: ["list", "detail", "logs", "settings"], label: "help", footer: true },
	{ command: "back", keys: ["esc"], screens: ["detail", "logs", "help", "settings"], label: "back", footer: true },
	{ command: "quit", keys: ["q", "ctrl+c"], screens: ["list", "detail", "logs", "help", "settings"], label: "quit", footer: true },
];

/** Whether a command changes the store: the one place read-only mode is decided from. */
export function mutates(command: Command): boolean {
	return bindings.some((b) => b.command === command && b.mutates === true);
}

/** The command a key runs on a screen, if any. */
export function commandFor(keyName: string, screen: Screen): Command | undefined {
	return bindings.find((b) => b.screens.includes(screen) && b.keys.includes(keyName))?.command;
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
	return key;
}

/** docs/KEYS.md, generated from the table (a test keeps the file current). */
export function keysMarkdown(): string {
	const screens: Screen[] = ["list", "detail", "logs", "settings", "help", "confirm", "secret"];
	const titles: Record<Screen, string> = {
		list: "Key list (home)",
		detail: "Key detail",
		logs: "Access logs",
		help: "Help overlay",
		confirm: "Confirmation",
		secret: "New key shown once",
		settings: "Store settings",
		create: "Create",
	};
	const lines = ["# Key bindings", "", "Generated from `source/ui/keys/bindings.ts`; `npm test` fails when this file is stale.", ""];
	for (const screen of screens) {
		lines.push(`## ${titles[screen]}`, "", "| keys | action |", "|---|---|");
		for (const b of bindingsFor(screen)) {
			const keys = b.keys.map((k) => `\`${keyLabel(k)}\``).join(", ");
			lines.push(`| ${keys} | ${b.label}${b.mutates ? " (not in read-only mode)" : ""} |`);
		}
		lines.push("");
	}
	lines.push(
		"## Create and edit",
		"",
		"| keys | action |",
		"|---|---|",
		"| `↑`, `↓`, `Tab` (and `j`, `k` in lists) | move in a list of choices |",
		"| `Space` | choose or unchoose (lists with boxes) |",
		"| `Enter` | next step; on the review step, create or save |",
		"| `Esc` | previous step, keeping what was typed; on the first step, cancel |",
		"| `Ctrl-C` | quit from anywhere |",
		"",
		"## Filters",
		"",
		"In the key list, `/` filters as you type: every word must match (name, description, type, scope, user, feed, hint, status);",
		"a word with a capital letter matches case exactly. In the access logs, `/` takes words such as",
		"`status:4xx method:post path:/api/ since:24h until:2026-11-01 key:1001` (a bare word is a path prefix); Enter applies them.",
		"",
	);
	return lines.join("\n");
}
