/** The store's security settings: a switch flips on Enter, a number is typed in the one line editor. */
import { formatSettingValue, parseSettingValue, type SettingName, settingSpecs } from "../../core/settings.js";
import type { ConsoleModel } from "../console-model.js";
import type { Command } from "../keys/bindings.js";
import { clampIndex } from "../list/window.js";
import type { TextField } from "../text-field.js";
import type { Controller, Handlers } from "./controller.js";

export interface SettingsScreenState {
	selected: number;
	/** The value being typed for the selected setting, when one is being changed. */
	editing: string | undefined;
}

export class SettingsScreen implements Controller<"settings"> {
	state: SettingsScreenState = { selected: 0, editing: undefined };

	constructor(private readonly c: ConsoleModel) {}

	readonly run: Handlers<"settings"> = {
		down: () => this.move("down"),
		up: () => this.move("up"),
		"change-setting": () => this.change(),
		help: () => this.c.screens.help.open(),
		back: () => this.c.back(),
		quit: () => this.c.quit(),
	};

	private readonly valueField: TextField = {
		value: () => this.state.editing ?? "",
		set: (text) => {
			this.state.editing = text;
		},
		maxLength: 20,
		cancel: () => {
			this.state.editing = undefined;
		},
		done: () => {
			const spec = settingSpecs[this.state.selected];
			if (this.state.editing === undefined || !spec) return;
			const text = this.state.editing.trim() === "" ? "none" : this.state.editing;
			// A value the setting refuses stays open to be mended, as a log filter does.
			const parsed = parseSettingValue(spec, text);
			if (!parsed.ok) return this.c.error(parsed.error);
			this.state.editing = undefined;
			// Enter on the value as it was changes nothing, and says so rather than "is now".
			if (parsed.value === this.c.settings[spec.name]) this.c.info(`${spec.cliName} stays ${formatSettingValue(parsed.value)}: nothing changed`);
			else this.save(spec.name, text);
		},
	};

	field(): TextField | undefined {
		return this.state.editing !== undefined ? this.valueField : undefined;
	}

	open(): void {
		this.state = { selected: 0, editing: undefined };
		this.c.goTo("settings");
		void this.c.run(async () => {
			this.c.settings = await this.c.backend.getSettings();
		});
	}

	private change(): void {
		const spec = settingSpecs[this.state.selected];
		if (!spec) return;
		const current = this.c.settings[spec.name];
		if (spec.kind === "boolean") this.save(spec.name, !current);
		else {
			this.state.editing = current === null ? "" : String(current);
			this.c.editor.focus(this.state.editing, true);
		}
	}

	private save(name: SettingName, value: unknown): void {
		void this.c.run(async () => {
			this.c.settings = await this.c.backend.updateSettings({ [name]: value }, this.c.actor);
			this.c.info(`${settingSpecs.find((s) => s.name === name)?.cliName} is now ${formatSettingValue(this.c.settings[name])}`);
		});
	}

	private move(command: Command): void {
		const count = settingSpecs.length;
		this.state.selected = clampIndex(command === "down" ? this.state.selected + 1 : this.state.selected - 1, count);
	}
}
