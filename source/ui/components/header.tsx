/** The top line: where the keys live, the profile, read-only, and whether something is running. */
import { Box, Text } from "ink";
import { safeLine } from "../../core/terminal-text.js";
import type { ConsoleModel } from "../console-model.js";
import type { Theme } from "../theme/theme.js";
import { cell } from "../format/key-columns.js";
import { Spinner } from "./spinner.js";

export function Header({ model, theme, width }: { model: ConsoleModel; theme: Theme; width: number }) {
	// A store's path or an instance's URL can hold anything a file name or a URL can.
	const where = `${model.backend.kind === "local" ? "store" : "remote"} ${safeLine(model.backend.location)}`;
	const badges = `${model.catalog.product}${model.readOnly ? " · READ-ONLY" : ""}`;
	const room = Math.max(0, width - badges.length - 15 - (model.busy ? 11 : 0));
	return (
		<Box width={width}>
			<Text bold color={theme.accent}>
				apikeys-tui
				{" "}
			</Text>
			<Text>
				{cell(where, room)}
				{" "}
			</Text>
			{model.busy ? <Spinner color={theme.accent} /> : null}
			<Text color={model.readOnly ? theme.warning : theme.muted}>{badges}</Text>
		</Box>
	);
}
