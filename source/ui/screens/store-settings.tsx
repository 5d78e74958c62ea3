/** The store's security settings: each value and what it means; Enter changes the selected one. */
import { Box, Text } from "ink";
import { formatSettingValue, settingSpecs } from "../../core/settings.js";
import type { ConsoleModel } from "../console-model.js";
import { cell } from "../format/key-columns.js";
import { wrapText } from "../format/wrap.js";
import { windowStart } from "../list/window.js";
import type { Theme } from "../theme/theme.js";
import { TextField } from "../components/text-field.js";

export function StoreSettingsScreen({ model, theme, width, height }: { model: ConsoleModel; theme: Theme; width: number; height: number }) {
	const screen = model.screens.settings.state;
	const nameWidth = Math.max(...settingSpecs.map((s) => s.cliName.length)) + 2;
	const selectedSpec = settingSpecs[screen.selected];
	// Two cells kept free on each line for the " …" that says the meaning goes on past the screen.
	const below = [
		...(screen.editing !== undefined ? wrapText("empty means none · typing replaces the value", width - 2) : []),
		...(selectedSpec ? wrapText(selectedSpec.description, width - 2) : []),
	];
	const long = model.disabledReason("change-setting") ? "Store settings (read-only)" : "Store settings (Enter or Space changes the selected one)";
	const title = long.length <= width ? long : "Store settings";
	// Below the title, the settings (at least three, scrolling on a small terminal), then as much
	// of the selected one's meaning as the rest of the room holds.
	const room = Math.max(1, height - 1);
	const reserve = room > 4 ? Math.min(below.length + 1, room - 3) : 0;
	const rows = Math.min(settingSpecs.length, Math.max(1, room - reserve));
	const start = windowStart(screen.selected, settingSpecs.length, rows, 0);
	const gap = room - rows > below.length ? 1 : 0;
	const shown = below.slice(0, Math.max(0, room - rows - gap));
	if (shown.length > 0 && shown.length < below.length) shown.push(`${shown.pop() ?? ""} …`);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold color={theme.accent}>
				{cell(title, width)}
			</Text>
			{settingSpecs.slice(start, start + rows).map((spec, offset) => {
				const selected = start + offset === screen.selected;
				const label = `${selected ? "›" : " "} ${spec.cliName.padEnd(nameWidth)}`;
				if (selected && screen.editing !== undefined) {
					return (
						<Box key={spec.name} width={width}>
							<Text>{label}</Text>
							<TextField text={screen.editing} cursor={model.textCursor} width={Math.max(1, width - label.length)} />
						</Box>
					);
				}
				return (
					<Text key={spec.name} inverse={selected && theme.selectionInverse}>
						{cell(`${label}${formatSettingValue(model.settings[spec.name])}`, width)}
					</Text>
				);
			})}
			{gap ? <Text> </Text> : null}
			{shown.map((line, i) => (
				<Text key={`below-${i}`} color={theme.muted}>
					{cell(line, width)}
				</Text>
			))}
		</Box>
	);
}
