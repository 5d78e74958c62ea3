/** Help, the confirmation question (delete, roll, convert), the show-once secret and the too-small notice. */
import { Box, Text } from "ink";
import { safeLine } from "../../core/terminal-text.js";
import { useEffect } from "react";
import type { ConsoleModel } from "../console-model.js";
import { cell } from "../format/key-columns.js";
import { helpLines } from "../format/help-lines.js";
import { wrapText } from "../format/wrap.js";
import { bindingsFor, keyLabel, type Screen } from "../keys/bindings.js";
import type { Theme } from "../theme/theme.js";

interface Props {
	model: ConsoleModel;
	theme: Theme;
	width: number;
	height: number;
}

export function Help({ model, theme, width, height, of }: Props & { of: Screen }) {
	const entries = bindingsFor(of).map((b) => {
		const reason = model.offReason(b);
		return { keys: b.keys.map(keyLabel).join(", "), label: `${b.label}${reason ? ` (off: ${reason})` : ""}` };
	});
	const rows = Math.max(1, height - 1);
	const lines = helpLines(entries, width, rows);
	// Scrolled with j/k when it does not fit; the title then says how.
	const overflow = Math.max(0, lines.length - rows);
	const scroll = Math.min(model.screens.help.scroll, overflow);
	useEffect(() => model.setScrollOverflow(overflow), [model, overflow]);
	const title = lines.length > rows ? "Keys on this screen (j/k scrolls)" : "Keys on this screen (Esc closes; docs/KEYS.md lists every screen)";
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold color={theme.accent}>
				{cell(title, width)}
			</Text>
			{lines.slice(scroll, scroll + rows).map((line, i) => (
				<Text key={`${scroll + i}`}>{cell(line, width)}</Text>
			))}
		</Box>
	);
}

export function Confirm({ model, theme, width, height }: Props) {
	return (
		<Box flexDirection="column" width={width} height={height} paddingTop={1}>
			{wrapText(model.screens.confirm.state?.prompt ?? "", width).map((line, i) => (
				<Text key={`prompt-${i}`} bold color={theme.danger}>
					{cell(line, width)}
				</Text>
			))}
			{wrapText(`y: yes, ${model.screens.confirm.state?.action ?? ""} · n, Esc or Enter: no (the default)`, width).map((line, i) => (
				<Text key={`answer-${i}`}>{cell(line, width)}</Text>
			))}
		</Box>
	);
}

type Look = "title" | "key" | "plain" | "ok" | "warning" | "muted";

export function Secret({ model, theme, width, height }: Props) {
	const secret = model.screens.secret.state;
	if (!secret) return null;
	// A remote instance sent the key: never drawn raw.
	const shown = safeLine(secret.key);
	const key = width >= shown.length + 4 ? `  ${shown}` : shown;
	const leave = secret.askedToLeave ? "Have you saved the key? Press Y (capital) to leave; any other key stays here." : "Enter or Esc when you have saved it.";
	// What copying did, in full: it may say what tmux needs, and it never claims more than is known.
	const copied: [string, Look][] = wrapText(secret.copied ?? "", width)
		.filter(Boolean)
		.map((line) => [line, secret.copied?.startsWith("not copied") ? "warning" : "ok"]);
	const full: [string, Look][] = [
		["", "plain"],
		...wrapText(secret.title, width).map((line): [string, Look] => [line, "title"]),
		["", "plain"],
		...wrapKey(key, width).map((line): [string, Look] => [line, "key"]),
		["", "plain"],
		...wrapText("It is not stored anywhere: copy it now. y copies it.", width).map((line): [string, Look] => [line, "plain"]),
		...copied,
		...wrapText(leave, width).map((line): [string, Look] => [line, secret.askedToLeave ? "warning" : "muted"]),
	];
	// On a short terminal the blank lines go first, then the reminder (the footer says y copies).
	const lines = full.length <= height ? full : full.filter(([line, look]) => line !== "" && (look !== "plain" || full.length - 4 <= height));
	const colour: Record<Look, string | undefined> = {
		title: undefined,
		key: theme.ok,
		plain: undefined,
		ok: theme.ok,
		warning: theme.warning,
		muted: theme.muted,
	};
	return (
		<Box flexDirection="column" width={width} height={height}>
			{lines.slice(0, height).map(([line, look], i) => (
				<Text key={`${i}`} bold={look === "title" || look === "key" || (look === "warning" && secret.askedToLeave)} color={colour[look]}>
					{cell(line, width)}
				</Text>
			))}
		</Box>
	);
}

/** The key on as many lines as it takes: it is never cut. */
function wrapKey(key: string, width: number): string[] {
	const lines: string[] = [];
	for (let at = 0; at < key.length; at += Math.max(1, width)) lines.push(key.slice(at, at + Math.max(1, width)));
	return lines;
}

export const minimumSize = { columns: 40, rows: 10 };

export function TooSmall({ columns, rows }: { columns: number; rows: number }) {
	return (
		<Text>
			{`terminal too small (have ${columns}x${rows}, need ${minimumSize.columns}x${minimumSize.rows}); q quits`}
		</Text>
	);
}
