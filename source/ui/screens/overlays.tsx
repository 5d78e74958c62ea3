/** Help, the confirmation question (delete, roll, convert), the show-once secret and the too-small notice. */
import { Box, Text } from "ink";
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
		const reason = model.disabledReason(b.command);
		return { keys: b.keys.map(keyLabel).join(", "), label: `${b.label}${reason ? ` (off: ${reason})` : ""}` };
	});
	const rows = Math.max(1, height - 1);
	const lines = helpLines(entries, width, rows);
	// Scrolled with j/k when it does not fit; the title then says how.
	const overflow = Math.max(0, lines.length - rows);
	const scroll = Math.min(model.helpScroll, overflow);
	useEffect(() => model.setHelpOverflow(overflow), [model, overflow]);
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
			{wrapText(model.confirm?.prompt ?? "", width).map((line, i) => (
				<Text key={`prompt-${i}`} bold color={theme.danger}>
					{cell(line, width)}
				</Text>
			))}
			<Text>{cell(`  y  yes, ${model.confirm?.action ?? ""}       n / Esc / Enter  no (the default)`, width)}</Text>
		</Box>
	);
}

export function Secret({ model, theme, width, height }: Props) {
	const secret = model.secret;
	if (!secret) return null;
	return (
		<Box flexDirection="column" width={width} height={height} paddingTop={1}>
			<Text bold>{secret.title}</Text>
			<Text> </Text>
			<Text bold color={theme.ok}>
				{width >= secret.key.length + 4 ? `  ${secret.key}` : secret.key}
			</Text>
			<Text> </Text>
			<Text>It is not stored anywhere: copy it now. y copies it.</Text>
			{/* What copying did, in full: it may say what tmux needs, and it never claims more than is known. */}
			{wrapText(secret.copied ?? "", width).filter(Boolean).map((line, i) => (
				<Text key={`copied-${i}`} color={secret.copied?.startsWith("not copied") ? theme.warning : theme.ok}>
					{cell(line, width)}
				</Text>
			))}
			{secret.askedToLeave
				? (
						<Text bold color={theme.warning}>
							{cell("Have you saved the key? Press Y (capital) to leave; any other key stays here.", width)}
						</Text>
					)
				: (
						<Text color={theme.muted}>{cell("Enter or Esc when you have saved it.", width)}</Text>
					)}
		</Box>
	);
}

export const minimumSize = { columns: 40, rows: 10 };

export function TooSmall({ columns, rows }: { columns: number; rows: number }) {
	return (
		<Text>
			{`terminal too small (have ${columns}x${rows}, need ${minimumSize.columns}x${minimumSize.rows}); q quits`}
		</Text>
	);
}
