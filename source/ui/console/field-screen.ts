/**
 * A filter or a setting's value being typed: Enter and Esc are the table's, every other key goes
 * to the one line editor. The screen that opened the field says what it is (`Controller.field`).
 */
import type { ConsoleModel } from "../console-model.js";
import type { Controller, Handlers } from "./controller.js";

export class FieldScreen implements Controller<"field"> {
	constructor(private readonly c: ConsoleModel) {}

	readonly run: Handlers<"field"> = {
		next: () => this.c.typedField()?.done(),
		back: () => this.c.typedField()?.cancel(),
		quit: () => this.c.quit(),
	};

	other(key: string): void {
		const field = this.c.typedField();
		if (field) this.c.editor.type(field, key);
	}
}
