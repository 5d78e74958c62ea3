/**
 * What the console draws with: Ink, React and the screens, the slow part of its start (a hundred
 * milliseconds and more), imported apart from the model so that the model can read the store or a
 * remote instance meanwhile (source/commands/console.ts).
 */
import { type Instance, render } from "ink";
import { App } from "./app.js";
import type { ConsoleModel } from "./console-model.js";
import { renderFps } from "./terminal/frame-rate.js";
import type { Theme } from "./theme/theme.js";

/** Draws the console's first frame (in this turn) and keeps it drawn until unmounted. */
export function drawConsole(model: ConsoleModel, theme: Theme): Instance {
	return render(<App model={model} theme={theme} />, { exitOnCtrlC: false, patchConsole: false, maxFps: renderFps });
}
