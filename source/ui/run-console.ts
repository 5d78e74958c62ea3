/**
 * Starts the console: the alternate screen, the model's first reads, the Ink render once Ink is
 * imported, and a clean way out on every path — q, Ctrl-C, SIGTERM, SIGHUP (a dropped SSH
 * session), or a crash — with the terminal restored and the store closed.
 */
import type { Instance } from "ink";
import type { Backend } from "../core/backend.js";
import { safeLine } from "../core/terminal-text.js";
import { ConsoleModel } from "./console-model.js";
import type * as ConsoleView from "./console-view.js";
import { listHeight } from "./layout.js";
import { copyToClipboard } from "./terminal/clipboard.js";
import { keepHeapSmall } from "../process/heap-tuning.js";
import { enterAlternateScreen } from "./terminal/screen-control.js";
import { themeFor } from "./theme/theme.js";

const firstFrameWaitMs = 150;

export interface ConsoleRunOptions {
	readOnly: boolean;
	actor: string;
	env: NodeJS.ProcessEnv;
}

/**
 * `view` is Ink and the screens, still being imported: the first page and the settings are asked
 * for meanwhile (over a remote instance, round trips), the list's index once the first frame is drawn.
 */
export async function runConsole(backend: Backend, view: Promise<typeof ConsoleView>, options: ConsoleRunOptions): Promise<number> {
	const stdout = process.stdout;
	const screen = enterAlternateScreen(stdout);
	let instance: Instance | undefined;
	// A signal before the first frame ends the console just the same, with nothing drawn.
	let stoppedBeforeDrawing = false;
	const stop = () => {
		if (instance) instance.unmount();
		else stoppedBeforeDrawing = true;
	};
	const model = new ConsoleModel({
		backend,
		readOnly: options.readOnly,
		actor: options.actor,
		copy: (text) => copyToClipboard(text, options.env, (data) => stdout.write(data)),
		quit: stop,
	});
	const onCrash = (error: unknown) => {
		instance?.unmount();
		screen.restore();
		process.stderr.write(`apikeys-tui: the console stopped on an unexpected error: ${safeLine((error as Error).message)}\n`);
		process.exit(1);
	};
	process.on("SIGTERM", stop);
	process.on("SIGHUP", stop);
	process.on("SIGINT", stop);
	process.on("uncaughtException", onCrash);
	process.on("unhandledRejection", onCrash);
	let drawn = () => {};
	try {
		// A local store answers in a few ms: load the first page before Ink draws, so the first frame
		// already shows keys (one full render fewer at startup). A slow remote gets the spinner instead.
		model.setListHeight(listHeight(stdout.rows ?? 24));
		const started = model.start(new Promise((resolve) => (drawn = resolve)));
		const { drawConsole } = await view;
		// Not before: Ink's import makes garbage faster than a small young generation collects it.
		keepHeapSmall();
		await Promise.race([started, new Promise((resolve) => setTimeout(resolve, firstFrameWaitMs))]);
		if (!stoppedBeforeDrawing) {
			instance = drawConsole(model, themeFor(options.env));
			drawn();
			await started;
			await instance.waitUntilExit();
		}
	} finally {
		model.dispose();
		screen.restore();
		process.off("SIGTERM", stop);
		process.off("SIGHUP", stop);
		process.off("SIGINT", stop);
		process.off("uncaughtException", onCrash);
		process.off("unhandledRejection", onCrash);
		await backend.close();
	}
	return 0;
}
