/** Help, the delete confirmation, the show-once secret and the too-small notice. */
import { Box, Text } from "ink";
import { safeLine } from "../../core/terminal-text.js";
import type { ConsoleModel } from "../console-model.js";
import { cell } from "../format/key-columns.js";
import { bindingsFor, keyLabel, type Screen } from "../keys/bindings.js";
import type { Theme } from "../theme/theme.js";

interface Props {
	model: ConsoleModel;
	theme: Theme;
	width: number;
	height: number;
}

export function Help({ model, theme, width, height, of }: Props & { of: Screen }) {
	const lines = bindingsFor(of).map((b) => {
		const reason = model.disabledReason(b.command);
		return `${b.keys.map(keyLabel).join(", ").padEnd(14)} ${b.label}${reason ? ` (off: ${reason})` : ""}`;
	});
	const rows = Math.max(1, height - 1);
	// Two columns when one would not fit the screen.
	const columns = lines.length > rows && width >= 60 ? 2 : 1;
	const perColumn = Math.ceil(lines.length / columns);
	const columnWidth = Math.floor(width / columns);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold color={theme.accent}>
				{cell("Keys on this screen (Esc closes; docs/KEYS.md lists every screen)", width)}
			</Text>
			{Array.from({ length: Math.min(rows, perColumn) }, (_, row) => (
				<Text key={row}>
					{Array.from({ length: columns }, (_, column) => cell(` ${lines[column * perColumn + row] ?? ""}`, columnWidth)).join("")}
				</Text>
			))}
		</Box>
	);
}

export function Confirm({ model, theme, width, height }: Props) {
	return (
		<Box flexDirection="column" width={width} height={height} paddingTop={1}>
			<Text bold color={theme.danger}>
				{cell(model.confirm?.prompt ?? "", width)}
			</Text>
			<Text>{cell("  y  yes, delete       n / Esc / Enter  no (the default)", width)}</Text>
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
				{width >= secret.key.length + 4 ? `  ${safeLine(secret.key)}` : safeLine(secret.key)}
			</Text>
			<Text> </Text>
			<Text>It is not stored anywhere: copy it now. y copies it.</Text>
			{secret.copied ? <Text color={theme.ok}>{cell(`✓ ${secret.copied}`, width)}</Text> : null}
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
