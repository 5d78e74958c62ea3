/**
 * How the wizard walks its steps: entering one, choosing, going on (or back to the review it was
 * opened from), and creating or saving the key at the end.
 */
import { isExpirationPreset } from "../../core/expiration.js";
import { draftFromInput } from "../../core/rules.js";
import type { ConsoleModel } from "../console-model.js";
import { type Step, stepProblem, type TextFieldName, type WizardMode, type WizardValues, wizardInput } from "../wizard.js";
import { chosenValue } from "../wizard-review.js";
import type { CreateScreen } from "./create-screen.js";
import { reloadAfterChange } from "./key-actions.js";

export interface WizardState {
	mode: WizardMode;
	/** The key being edited, in edit mode. */
	editId: number | undefined;
	/** The expiration the key had, so an unchanged one is not checked again (it may be past). */
	originalExpiration: string;
	values: WizardValues;
	/** The values it started with: what changed is marked on the review, and asked about before quitting. */
	initial: WizardValues;
	/** Ctrl-C was pressed with typed values: the next key says whether to quit. */
	askedToQuit: boolean;
	/** The custom key is shown as typed rather than masked. */
	revealed: boolean;
	/** The step the review jumped to, to return to the review once it (and what it opens) is done. */
	jumpedFrom: string | undefined;
	step: number;
	cursor: number;
	problem: string | undefined;
}

/** Steps whose answer opens another step, which an edit from the review goes through before returning. */
const opensStep: Record<string, string> = { feedScope: "feedName", expirationPreset: "expiration", keySource: "customKey" };

export class WizardWalk {
	constructor(
		private readonly c: ConsoleModel,
		private readonly screen: CreateScreen,
	) {}

	/** Puts the wizard on step `index`: its choice highlighted, or its text field's cursor after the text. */
	enter(index: number): void {
		const wizard = this.screen.state;
		const step = this.screen.steps()[index];
		if (!wizard || !step) return;
		wizard.step = index;
		wizard.cursor = this.cursorFor(step, wizard);
		wizard.problem = undefined;
		// A kept date is shown for change, as a setting's value is: the first key typed replaces it
		// (an arrow or Home/End keeps it); names and descriptions are amended where they end.
		const text = step.kind === "text" || step.kind === "secret" ? wizard.values[step.id as TextFieldName] : undefined;
		if (text !== undefined) this.c.editor.focus(text, step.id === "expiration" && text !== "");
	}

	/** Esc: back to the review it jumped from, or the previous step; on the first (or an edit's review), cancel. */
	back(): void {
		const wizard = this.screen.state;
		const step = this.screen.step();
		if (!wizard || !step) return;
		if (wizard.jumpedFrom !== undefined) return this.returnToReview();
		if (wizard.step === 0 || (wizard.mode === "edit" && step.kind === "review")) {
			this.c.back();
			this.c.info(wizard.mode === "edit" ? "nothing was changed" : "nothing was created");
		} else this.enter(wizard.step - 1);
	}

	/** Enter: a choice is taken and the wizard goes on; on the review, a field's row opens it, the last row creates or saves. */
	next(): void {
		const wizard = this.screen.state;
		const step = this.screen.step();
		if (!wizard || !step) return;
		if (step.kind === "review") return this.reviewRow(wizard);
		if (step.kind === "choice") this.setChoice(step, wizard);
		this.nextStep(step, wizard);
	}

	private reviewRow(wizard: WizardState): void {
		const row = this.screen.reviewRows()[wizard.cursor];
		if (!row) return this.finish(wizard);
		this.enter(this.screen.steps().findIndex((s) => s.id === row.stepId));
		wizard.jumpedFrom = row.stepId;
	}

	/** Back on the review after a field it jumped to, on that field's row. */
	private returnToReview(): void {
		const wizard = this.screen.state;
		if (!wizard) return;
		const from = wizard.jumpedFrom;
		wizard.jumpedFrom = undefined;
		this.enter(this.screen.steps().length - 1);
		wizard.cursor = Math.max(0, this.screen.reviewRows().findIndex((row) => row.stepId === from));
		wizard.problem = this.reviewProblem();
	}

	private cursorFor(step: Step, wizard: WizardState): number {
		// The review opens on its action (create or save), below the fields.
		if (step.kind === "review") return this.screen.reviewRows().length;
		if (!step.choices) return 0;
		const current = chosenValue(step.id, wizard.values);
		return Math.max(0, step.choices.findIndex((c) => c.value === current));
	}

	private setChoice(step: Step, wizard: WizardState): void {
		const value = step.choices?.[wizard.cursor]?.value;
		if (value === undefined) return;
		const values = wizard.values;
		if (step.id === "type") values.type = value as WizardValues["type"];
		if (step.id === "feedScope") values.feedScope = value as WizardValues["feedScope"];
		if (step.id === "logging") values.logging = value as WizardValues["logging"];
		if (step.id === "keySource") values.keySource = value as WizardValues["keySource"];
		if (step.id === "expirationPreset") {
			if (value !== "custom") values.expiration = value;
			else if (isExpirationPreset(values.expiration)) values.expiration = "";
		}
	}

	toggleMulti(step: Step, wizard: WizardState): void {
		const value = step.choices?.[wizard.cursor]?.value;
		if (value === undefined) return;
		const field = step.id === "systemApis" ? "systemApis" : "packagePermissions";
		const chosen = new Set(wizard.values[field]);
		if (chosen.has(value)) chosen.delete(value);
		else {
			chosen.add(value);
			// Full control stands alone: choosing it clears the others, choosing another clears it.
			const full = this.c.catalog.systemApis.fullControl.value;
			if (field === "systemApis" && value === full) for (const other of [...chosen]) if (other !== full) chosen.delete(other);
			if (field === "systemApis" && value !== full) chosen.delete(full);
		}
		const order = (step.choices ?? []).map((c) => c.value);
		wizard.values[field] = [...chosen].sort((a, b) => order.indexOf(a) - order.indexOf(b));
		wizard.problem = undefined;
	}

	private nextStep(step: Step, wizard: WizardState): void {
		const problem = stepProblem(step, wizard.values, this.c.settings, new Date());
		if (problem) {
			wizard.problem = problem;
			return;
		}
		const nextSteps = this.screen.steps();
		const nextIndex = Math.min(nextSteps.findIndex((s) => s.id === step.id) + 1, nextSteps.length - 1);
		// From the review, a field goes back to it, unless its answer opened a step of its own (a
		// feed's name after "one feed", a date after "a date…", the custom key after "type one").
		if (wizard.jumpedFrom !== undefined && nextSteps[nextIndex]?.id !== opensStep[step.id]) return this.returnToReview();
		this.enter(nextIndex);
		wizard.problem = nextSteps[nextIndex]?.kind === "review" ? this.reviewProblem() : undefined;
	}

	/** The rules' verdict on the whole draft, shown on the review step. */
	reviewProblem(): string | undefined {
		const wizard = this.screen.state;
		if (!wizard || wizard.mode === "edit") return undefined;
		const result = draftFromInput(wizardInput(wizard.values), { catalog: this.c.catalog, settings: this.c.settings, now: new Date() }, "create");
		return result.ok ? undefined : result.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
	}

	/** The review's last row: the key created, or the edit saved. */
	private finish(wizard: WizardState): void {
		const problem = this.reviewProblem();
		if (problem) {
			wizard.problem = problem;
			return;
		}
		const values = wizard.values;
		const c = this.c;
		if (wizard.mode === "edit" && wizard.editId !== undefined) {
			const id = wizard.editId;
			const changed = this.screen.reviewRows().filter((row) => row.changed).map((row) => row.label);
			if (changed.length === 0) {
				this.screen.state = undefined;
				c.back();
				c.info("nothing was changed");
				return;
			}
			const { type: _type, ...patch } = wizardInput(values);
			if (values.expiration === wizard.originalExpiration) delete patch.expiration;
			void c.run(async () => {
				await c.backend.updateKey(id, patch, c.actor);
				this.screen.state = undefined;
				c.back();
				c.info(`key ${id} updated: ${changed.join(", ")}`);
				await reloadAfterChange(c, id);
			});
			return;
		}
		void c.run(async () => {
			const created = await c.backend.createKey(wizardInput(values), values.keySource === "custom" ? { key: values.customKey, actor: c.actor } : { actor: c.actor });
			this.screen.state = undefined;
			c.screens.list.state.filter = "";
			await c.screens.list.reload();
			const index = c.screens.list.state.ids.indexOf(created.record.id);
			if (index >= 0) c.screens.list.moveSelection(index);
			c.screens.secret.show(`Key ${created.record.id} created. This is the only time it is shown:`, created.key);
		});
	}
}
