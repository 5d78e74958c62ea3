/** The store's security settings: each value and what it means; Enter changes the selected one. */
import { Box, Text } from "ink";
import { formatSettingValue, settingSpecs } from "../../core/settings.js";
import type { ConsoleModel } from "../console-model.js";
import { cell } from "../format/key-columns.js";
import type { Theme } from "../theme/theme.js";

export function StoreSettingsScreen({ model, theme, width, height }: { model: ConsoleModel; theme: Theme; width: number; height: number }) {
	const screen = model.settingsScreen;
	const nameWidth = Math.max(...settingSpecs.map((s) => s.cliName.length)) + 2;
	const selectedSpec = settingSpecs[screen.selected];
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold color={theme.accent}>
				{cell("Store settings (Enter or Space changes the selected one)", width)}
			</Text>
			{settingSpecs.map((spec, i) => {
				const selected = i === screen.selected;
				const value = selected && screen.editing !== undefined ? `${screen.editing}█` : formatSettingValue(model.settings[spec.name]);
				return (
					<Text key={spec.name} inverse={selected && theme.selectionInverse}>
						{cell(`${selected ? "›" : " "} ${spec.cliName.padEnd(nameWidth)}${value}`, width)}
					</Text>
				);
			})}
			<Text> </Text>
			{selectedSpec ? <Text color={theme.muted}>{cell(selectedSpec.description, width * 3).trimEnd()}</Text> : null}
			{screen.editing !== undefined ? <Text color={theme.muted}>Enter saves · Esc cancels · empty means none</Text> : null}
		</Box>
	);
}
