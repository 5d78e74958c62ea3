/** The message line and the key hints of the current screen, from the binding table. */
import { Box, Text } from "ink";
import { safeLine } from "../../core/terminal-text.js";
import type { ConsoleModel, Message } from "../console-model.js";
import { fitHints } from "../format/footer-hints.js";
import { cell } from "../format/key-columns.js";
import { wrapText } from "../format/wrap.js";
import { bindingsFor, type Screen } from "../keys/bindings.js";
import type { Theme } from "../theme/theme.js";

export function footerHints(model: ConsoleModel, screen: Screen, width: number): string {
	return fitHints(bindingsFor(screen).filter((b) => !model.offReason(b) && !model.notNow(b.command)), width);
}

/** The message as the lines it takes at this width, wrapped rather than cut; at most `room` lines. */
export function messageLines(message: Message | undefined, width: number, room: number): string[] {
	if (!message) return [""];
	const lines = wrapText(`${message.kind === "error" ? "✗ " : "✓ "}${safeLine(message.text)}`, width);
	if (lines.length <= room) return lines;
	// Only on a terminal too short for it: the last line that fits says it goes on.
	return [...lines.slice(0, room - 1), cell(`${lines[room - 1] ?? ""} …`, width)];
}

/** The message's lines, then the key hints, when the screen has any. */
export function Footer(props: { model: ConsoleModel; theme: Theme; width: number; message: string[]; hints: string }) {
	const { model, theme, width, message, hints } = props;
	return (
		<Box flexDirection="column" width={width}>
			{message.map((line, i) => (
				<Text key={`message-${i}`} color={model.message?.kind === "error" ? theme.danger : theme.ok}>
					{cell(line, width)}
				</Text>
			))}
			{hints === "" ? null : <Text color={theme.muted}>{cell(hints, width)}</Text>}
		</Box>
	);
}
