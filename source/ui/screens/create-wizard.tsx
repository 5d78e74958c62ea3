/** The create wizard: one step at a time, the steps so far summarised above, problems as you type. */
import { Box, Text } from "ink";
import { safeLine } from "../../core/terminal-text.js";
import type { ConsoleModel } from "../console-model.js";
import { cell } from "../format/key-columns.js";
import { windowStart } from "../list/window.js";
import { wrapHanging, wrapText } from "../format/wrap.js";
import type { Theme } from "../theme/theme.js";
import { TextField } from "../components/text-field.js";

export function CreateWizard({ model, theme, width, height }: { model: ConsoleModel; theme: Theme; width: number; height: number }) {
	const wizard = model.screens.create.state;
	if (!wizard) return null;
	const steps = model.screens.create.steps();
	const step = steps[wizard.step];
	if (!step) return null;
	const values = wizard.values as unknown as Record<string, unknown>;
	// `field`: the step's text field, drawn by the one TextField every typed value uses.
	// `indent`: where a wrapped line's further lines start, under the text after its box or label.
	const body: { text: string; selected?: boolean; field?: boolean; indent?: number }[] = [];
	if (step.kind === "choice" || step.kind === "multi") {
		const chosen = step.kind === "multi" ? (values[step.id] as string[]) : [];
		(step.choices ?? []).forEach((choice, i) => {
			const box = step.kind === "multi" ? (chosen.includes(choice.value) ? "[x] " : "[ ] ") : "";
			body.push({ text: `${i === wizard.cursor ? "›" : " "} ${box}${choice.label}`, selected: i === wizard.cursor, indent: 2 + box.length });
		});
		if (step.hint) body.push({ text: `  (${step.hint})` });
	} else if (step.kind === "text") {
		body.push({ text: "", field: true });
		if (step.hint) body.push({ text: `  ${step.hint}` });
	} else if (step.kind === "secret") {
		body.push({ text: "", field: true });
		const length = [...wizard.values.customKey].length;
		body.push({ text: `  ${length} character${length === 1 ? "" : "s"} · Ctrl-R ${wizard.revealed ? "hides" : "shows"} it${step.hint ? ` · ${step.hint}` : ""}` });
	} else {
		// Each field a row to go back to (Enter), then the action; an edit marks what changed.
		const rows = model.screens.create.reviewRows();
		rows.forEach((row, i) => {
			const mark = wizard.mode === "edit" && row.changed ? "*" : " ";
			// Typed or pasted text may hold bidi controls the rules refuse: never drawn raw.
			const text = `${i === wizard.cursor ? "›" : " "}${mark}${row.label.padEnd(14)}${safeLine(row.value)}${mark === "*" ? "  (changed)" : ""}`;
			body.push({ text, selected: i === wizard.cursor, indent: 16 });
		});
		const action = wizard.mode === "edit" ? "Save the changes" : "Create the key";
		body.push({ text: `${wizard.cursor === rows.length ? "›" : " "} ${action}`, selected: wizard.cursor === rows.length });
	}
	// Esc on a new key's first step, or on an edit's picker, leaves the wizard.
	const esc = (wizard.mode === "create" && wizard.step === 0) || (wizard.mode === "edit" && step.kind === "review") ? "Esc cancel" : "Esc back";
	const hints =
		step.kind === "multi"
			? `↑/↓ move · Space choose · Enter next · ${esc}`
			: step.kind === "choice"
				? `↑/↓ move · Enter choose · ${esc}`
				: step.kind === "review"
					? `↑/↓ field · Enter change it, or ${wizard.mode === "edit" ? "save" : "create"} · ${esc}`
					: `type · Enter next · ${esc} (what you typed is kept)`;

	const title =
		wizard.mode === "edit" && step.kind === "review"
			? `Edit key ${wizard.editId}: choose a field to change`
			: `${wizard.mode === "edit" ? `Edit key ${wizard.editId}` : "New key"} · step ${wizard.step + 1} of ${model.screens.create.stepCount()}: ${step.title}`;
	// A problem is never cut: its lines come before the step's own lines, which scroll to keep the
	// highlighted choice (or the review's action) in sight.
	// Below the title: one row of the step at least, then the problem, then the quit question or
	// the hints, which give way first on a short terminal.
	// The title wraps rather than being cut: at 40 columns "step 2 of 8: Package permissions" takes two lines.
	const titleLines = wrapText(title, width).slice(0, Math.max(1, height - 2));
	const room = Math.max(1, height - titleLines.length);
	const problem = wizard.problem ? wrapText(`✗ ${safeLine(wizard.problem)}`, width).slice(0, Math.max(1, room - 1)) : [];
	const question = "Quit and lose what you typed? y or Ctrl-C quits; any other key stays.";
	const bottom = wrapText(wizard.askedToQuit ? question : hints, width).slice(0, Math.max(0, room - 1 - problem.length));
	const bodyRows = Math.max(1, room - bottom.length - problem.length);
	// Long choices and review values wrap rather than being cut; every line of the highlighted one is highlighted.
	const lines = body.flatMap((line) =>
		line.field ? [line] : wrapHanging(line.text, width, line.indent ?? 2).map((text) => ({ ...line, text })),
	);
	const selectedLine = lines.findIndex((line) => line.selected);
	const bodyStart = windowStart(Math.max(0, selectedLine), lines.length, bodyRows, 0);
	return (
		<Box flexDirection="column" width={width} height={height}>
			{titleLines.map((line, i) => (
				<Text key={`title-${i}`} bold color={theme.accent}>
					{cell(line, width)}
				</Text>
			))}
			{lines.slice(bodyStart, bodyStart + bodyRows).map((line, i) =>
				line.field
					? (
							<Text key={`${wizard.step}-${i}`}>
								{"  "}
								<TextField
									text={String(values[step.id] ?? "")}
									cursor={model.textCursor}
									width={Math.max(1, width - 2)}
									{...(step.kind === "secret" && !wizard.revealed ? { mask: "•" } : {})}
								/>
							</Text>
						)
					: (
							<Text key={`${wizard.step}-${i}`} inverse={line.selected && theme.selectionInverse}>
								{cell(line.text, width)}
							</Text>
						),
			)}
			{problem.map((line, i) => (
				<Text key={`problem-${i}`} color={theme.danger}>
					{cell(line, width)}
				</Text>
			))}
			{bottom.map((line, i) => (
				<Text key={`bottom-${i}`} bold={wizard.askedToQuit} color={wizard.askedToQuit ? theme.warning : theme.muted}>
					{cell(line, width)}
				</Text>
			))}
		</Box>
	);
}
