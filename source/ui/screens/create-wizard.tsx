/** The create wizard: one step at a time, the steps so far summarised above, problems as you type. */
import { Box, Text } from "ink";
import { isRelativeSpan, parseExpiration } from "../../core/expiration.js";
import { safeLine } from "../../core/terminal-text.js";
import type { ConsoleModel } from "../console-model.js";
import { cell } from "../format/key-columns.js";
import { wrapText } from "../format/wrap.js";
import type { Theme } from "../theme/theme.js";
import { TextField } from "../components/text-field.js";
import { reviewRows } from "../wizard.js";

/** " (until 2027-03-05)" for a span such as "90d": the review shows the day it will end on. */
function untilText(value: string): string {
	if (!isRelativeSpan(value)) return "";
	const parsed = parseExpiration(value, new Date());
	return parsed.ok && parsed.value !== null ? ` (until ${parsed.value.slice(0, 10)})` : "";
}

export function CreateWizard({ model, theme, width, height }: { model: ConsoleModel; theme: Theme; width: number; height: number }) {
	const wizard = model.wizard;
	if (!wizard) return null;
	const steps = model.wizardSteps();
	const step = steps[wizard.step];
	if (!step) return null;
	const values = wizard.values as unknown as Record<string, unknown>;
	// `field`: the step's text field, drawn by the one TextField every typed value uses.
	const body: { text: string; selected?: boolean; field?: boolean }[] = [];
	if (step.kind === "choice" || step.kind === "multi") {
		const chosen = step.kind === "multi" ? (values[step.id] as string[]) : [];
		(step.choices ?? []).forEach((choice, i) => {
			const box = step.kind === "multi" ? (chosen.includes(choice.value) ? "[x] " : "[ ] ") : "";
			body.push({ text: `${i === wizard.cursor ? "›" : " "} ${box}${choice.label}`, selected: i === wizard.cursor });
		});
	} else if (step.kind === "text") {
		body.push({ text: "", field: true });
		if (step.hint) body.push({ text: `  ${step.hint}` });
	} else if (step.kind === "secret") {
		body.push({ text: "", field: true });
		const length = [...wizard.values.customKey].length;
		body.push({ text: `  ${length} character${length === 1 ? "" : "s"} · Ctrl-R ${wizard.revealed ? "hides" : "shows"} it${step.hint ? ` · ${step.hint}` : ""}` });
	} else {
		// Typed or pasted text may hold bidi controls the rules refuse: never drawn raw.
		for (const row of reviewRows(steps, wizard.values, wizard.initial, untilText)) {
			const mark = wizard.mode === "edit" && row.changed ? "*" : " ";
			body.push({ text: `${mark} ${row.label.padEnd(14)}${safeLine(row.value)}${mark === "*" ? "  (changed)" : ""}` });
		}
		body.push({ text: "" }, { text: wizard.mode === "edit" ? "  Enter saves the changes; Esc goes back." : "  Enter creates the key; Esc goes back." });
	}
	const hints =
		step.kind === "multi"
			? "↑/↓ move · Space choose · Enter next · Esc back"
			: step.kind === "choice"
				? "↑/↓ move · Enter choose · Esc back"
				: step.kind === "review"
					? `Enter ${wizard.mode === "edit" ? "save" : "create"} · Esc back`
					: "type · Enter next · Esc back (what you typed is kept)";
	const bottom = wizard.askedToQuit ? wrapText("Quit and lose what you typed? y or Ctrl-C quits; any other key stays.", width) : [cell(hints, width)];
	// A problem is never cut: its lines come before the step's own lines.
	const problem = wizard.problem ? wrapText(`✗ ${safeLine(wizard.problem)}`, width).slice(0, Math.max(1, height - 3)) : [];
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold color={theme.accent}>
				{cell(`${wizard.mode === "edit" ? `Edit key ${wizard.editId}` : "New key"} · step ${wizard.step + 1} of ${model.wizardStepCount()}: ${step.title}`, width)}
			</Text>
			{body.slice(0, Math.max(1, height - 1 - bottom.length - problem.length)).map((line, i) =>
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
