/** The message line and the key hints of the current screen, from the binding table. */
import { Box, Text } from "ink";
import { safeLine } from "../../core/terminal-text.js";
import type { ConsoleModel } from "../console-model.js";
import { fitHints } from "../format/footer-hints.js";
import { cell } from "../format/key-columns.js";
import { bindingsFor, type Screen } from "../keys/bindings.js";
import type { Theme } from "../theme/theme.js";

export function footerHints(model: ConsoleModel, screen: Screen, width: number): string {
	return fitHints(bindingsFor(screen).filter((b) => !model.disabledReason(b.command)), width);
}

export function Footer({ model, theme, width }: { model: ConsoleModel; theme: Theme; width: number }) {
	const message = model.message;
	return (
		<Box flexDirection="column" width={width}>
			<Text color={message?.kind === "error" ? theme.danger : theme.ok}>
				{cell(message ? `${message.kind === "error" ? "✗ " : "✓ "}${safeLine(message.text)}` : "", width)}
			</Text>
			<Text color={theme.muted}>{cell(footerHints(model, model.screen, width), width)}</Text>
		</Box>
	);
}
