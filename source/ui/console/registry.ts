/**
 * The screens: one row each, its controller. The type makes every screen of the binding table have
 * one, and each controller's handlers cover that screen's commands.
 */
import type { ConsoleModel } from "../console-model.js";
import { ConfirmScreen } from "./confirm-screen.js";
import type { Controllers } from "./controller.js";
import { CreateScreen } from "./create-screen.js";
import { DetailScreen } from "./detail-screen.js";
import { FieldScreen } from "./field-screen.js";
import { HelpScreen } from "./help-screen.js";
import { ListScreen } from "./list-screen.js";
import { EntryScreen, LogsScreen } from "./logs-screen.js";
import { SecretScreen } from "./secret-screen.js";
import { SettingsScreen } from "./settings-screen.js";

export function screensOf(c: ConsoleModel) {
	const logs = new LogsScreen(c);
	return {
		list: new ListScreen(c),
		detail: new DetailScreen(c),
		logs,
		entry: new EntryScreen(c, logs),
		help: new HelpScreen(c),
		confirm: new ConfirmScreen(c),
		create: new CreateScreen(c),
		secret: new SecretScreen(c),
		settings: new SettingsScreen(c),
		field: new FieldScreen(c),
	} satisfies Controllers;
}

export type Screens = ReturnType<typeof screensOf>;
