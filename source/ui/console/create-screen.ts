/**
 * The create and edit wizard's keys: choices are moved through and chosen, text steps take every
 * key but Enter, Esc (and Ctrl-R on the custom key) into the one line editor. The steps themselves
 * are data (source/ui/wizard.ts); how the wizard walks them is in wizard-walk.ts.
 */
import type { KeyRecord, KeyType } from "../../core/model.js";
import type { ConsoleModel } from "../console-model.js";
import { commandFor } from "../keys/bindings.js";
import { clampIndex } from "../list/window.js";
import { emptyValues, type Step, stepProblem, type TextFieldName, valuesFromKey, wizardSteps } from "../wizard.js";
import { type ReviewRow, reviewRows } from "../wizard-review.js";
import type { Controller, Handlers } from "./controller.js";
import { type WizardState, WizardWalk } from "./wizard-walk.js";

export type { WizardState } from "./wizard-walk.js";

type MoveCommand = "down" | "up" | "top" | "bottom";

/** A list cursor after a move key: it stops at the list's ends. */
function stepCursor(command: MoveCommand, cursor: number, count: number): number {
	return clampIndex(command === "top" ? 0 : command === "bottom" ? count - 1 : cursor + (command === "down" ? 1 : -1), count);
}

export class CreateScreen implements Controller<"create"> {
	state: WizardState | undefined;
	private readonly walk: WizardWalk;

	constructor(private readonly c: ConsoleModel) {
		this.walk = new WizardWalk(c, this);
	}

	readonly run: Handlers<"create"> = {
		down: () => this.move("down"),
		up: () => this.move("up"),
		top: () => this.move("top"),
		bottom: () => this.move("bottom"),
		choose: () => {
			const step = this.step();
			if (this.state && step?.kind === "multi") this.walk.toggleMulti(step, this.state);
		},
		next: () => this.walk.next(),
		back: () => this.walk.back(),
		help: () => this.c.screens.help.open(),
		reveal: () => {
			if (this.state && this.step()?.kind === "secret") this.state.revealed = !this.state.revealed;
		},
		quit: () => this.quit(),
	};

	/** Ctrl-C, or q on help over the wizard: with something typed or chosen, asks first. */
	quit(): void {
		const wizard = this.state;
		if (!wizard || wizard.askedToQuit || !this.changed()) return this.c.quit();
		if (this.c.screen === "help") this.c.back();
		wizard.askedToQuit = true;
	}

	/** The question whether to quit takes the next key; a text step takes every key but Enter and Esc (and Ctrl-R on the custom key). */
	takes(name: string): boolean {
		const wizard = this.state;
		if (!wizard) return false;
		if (wizard.askedToQuit) {
			if (name === "y") this.c.quit();
			else {
				// Any other key is "no": back to the wizard, the key otherwise unused.
				wizard.askedToQuit = false;
				this.c.info("nothing was lost: still in the wizard");
			}
			return true;
		}
		const step = this.step();
		if (step?.kind !== "text" && step?.kind !== "secret") return false;
		const command = commandFor(name, "create");
		if (command === "next" || command === "back" || (command === "reveal" && step.kind === "secret")) return false;
		const field = step.id as TextFieldName;
		const edited = this.c.editor.edit(wizard.values[field], name);
		if (edited !== undefined) {
			wizard.values[field] = edited;
			wizard.problem = stepProblem(step, wizard.values, this.c.settings, new Date());
		}
		return true;
	}

	steps(): Step[] {
		return this.state ? wizardSteps(this.c.catalog, this.state.values, this.c.settings, this.state.mode) : [];
	}

	step(): Step | undefined {
		return this.steps()[this.state?.step ?? 0];
	}

	/** How many steps the wizard has; on the type step, as many as the highlighted type will have. */
	stepCount(): number {
		const wizard = this.state;
		const step = this.step();
		if (!wizard || step?.id !== "type") return this.steps().length;
		const highlighted = step.choices?.[wizard.cursor]?.value as KeyType | undefined;
		const values = { ...wizard.values, type: highlighted ?? wizard.values.type };
		return wizardSteps(this.c.catalog, values, this.c.settings, wizard.mode).length;
	}

	/** The review's rows: the fields, each opening its step, then the action (create or save). */
	reviewRows(): ReviewRow[] {
		const wizard = this.state;
		return wizard ? reviewRows(this.steps(), wizard.values, wizard.initial, new Date()) : [];
	}

	/** Whether anything was typed or chosen in the wizard since it opened. */
	changed(): boolean {
		const wizard = this.state;
		return wizard !== undefined && JSON.stringify(wizard.values) !== JSON.stringify(wizard.initial);
	}

	start(): void {
		const values = emptyValues(this.c.catalog);
		this.state = { mode: "create", editId: undefined, originalExpiration: "", values, initial: structuredClone(values), askedToQuit: false, revealed: false, jumpedFrom: undefined, step: 0, cursor: 0, problem: undefined };
		this.walk.enter(0);
		this.c.goTo("create");
	}

	startEdit(key: KeyRecord): void {
		const values = valuesFromKey(this.c.catalog, key);
		this.state = { mode: "edit", editId: key.id, originalExpiration: values.expiration, values, initial: structuredClone(values), askedToQuit: false, revealed: false, jumpedFrom: undefined, step: 0, cursor: 0, problem: undefined };
		// Editing opens on the review, a picker of the key's fields: change one and come back.
		this.walk.enter(this.steps().length - 1);
		this.state.cursor = 0;
		this.c.goTo("create");
	}

	private move(command: MoveCommand): void {
		const wizard = this.state;
		const step = this.step();
		if (!wizard || !step) return;
		if (step.kind === "choice" || step.kind === "multi") wizard.cursor = stepCursor(command, wizard.cursor, step.choices?.length ?? 0);
		else if (step.kind === "review") wizard.cursor = stepCursor(command, wizard.cursor, this.reviewRows().length + 1);
	}
}
