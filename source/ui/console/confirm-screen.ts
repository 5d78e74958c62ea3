/** A question before a change (delete, roll, convert, disabling the console's own key): No is the default. */
import type { ConsoleModel } from "../console-model.js";
import type { Controller, Handlers } from "./controller.js";
import { convert, deleteKeys, roll, setEnabled } from "./key-actions.js";

/** What a confirmation question is about to do: each defaults to No. */
export type ConfirmAction = "delete" | "roll" | "convert" | "disable";

export interface ConfirmState {
	action: ConfirmAction;
	prompt: string;
	ids: number[];
}

export class ConfirmScreen implements Controller<"confirm"> {
	state: ConfirmState | undefined;

	constructor(private readonly c: ConsoleModel) {}

	readonly run: Handlers<"confirm"> = {
		"confirm-yes": () => this.confirmed(),
		"confirm-no": () => {
			const action = this.state?.action;
			this.state = undefined;
			this.c.back();
			this.c.info(action === "delete" ? "nothing was deleted" : "nothing was changed");
		},
	};

	ask(action: ConfirmAction, prompt: string, ids: number[]): void {
		this.state = { action, prompt, ids };
		this.c.goTo("confirm");
	}

	/** Yes to the question on screen: back to where it was asked, then the change. */
	private confirmed(): void {
		const confirm = this.state;
		this.state = undefined;
		this.c.back();
		if (!confirm) return;
		const [id] = confirm.ids;
		if (confirm.action === "delete") {
			if (this.c.screen === "detail") this.c.back();
			deleteKeys(this.c, confirm.ids);
		} else if (id !== undefined && confirm.action === "roll") roll(this.c, id);
		else if (id !== undefined && confirm.action === "disable") setEnabled(this.c, id, false);
		else if (id !== undefined) convert(this.c, id);
	}
}
