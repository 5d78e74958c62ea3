/**
 * Starts the console: the alternate screen, the Ink render, and a clean way out on every path —
 * q, Ctrl-C, SIGTERM, SIGHUP (a dropped SSH session), or a crash — with the terminal restored and
 * the store closed.
 */
import { render } from "ink";
import type { Backend } from "../core/backend.js";
import { App } from "./app.js";
import { ConsoleModel } from "./console-model.js";
import { copyToClipboard } from "./terminal/clipboard.js";
import { enterAlternateScreen } from "./terminal/screen-control.js";
import { themeFor } from "./theme/theme.js";

export const renderFps = 120;

export interface ConsoleRunOptions {
	readOnly: boolean;
	actor: string;
	env: NodeJS.ProcessEnv;
}

export async function runConsole(backend: Backend, options: ConsoleRunOptions): Promise<number> {
	const stdout = process.stdout;
	const screen = enterAlternateScreen(stdout);
	let quit = () => {};
	const model = new ConsoleModel({
		backend,
		readOnly: options.readOnly,
		actor: options.actor,
		copy: (text) => copyToClipboard(text, options.env, (data) => stdout.write(data)),
		quit: () => quit(),
	});
	const instance = render(<App model={model} theme={themeFor(options.env)} />, {
		exitOnCtrlC: false,
		patchConsole: false,
		// Ink's default of 30 frames a second holds a key's frame back up to 33 ms; the frames are small.
		maxFps: renderFps,
	});
	quit = () => instance.unmount();
	const onSignal = () => instance.unmount();
	const onCrash = (error: unknown) => {
		instance.unmount();
		screen.restore();
		process.stderr.write(`apikeys-tui: the console stopped on an unexpected error: ${(error as Error).message}\n`);
		process.exit(1);
	};
	process.on("SIGTERM", onSignal);
	process.on("SIGHUP", onSignal);
	process.on("SIGINT", onSignal);
	process.on("uncaughtException", onCrash);
	process.on("unhandledRejection", onCrash);
	try {
		await model.start();
		await instance.waitUntilExit();
	} finally {
		model.dispose();
		screen.restore();
		process.off("SIGTERM", onSignal);
		process.off("SIGHUP", onSignal);
		process.off("SIGINT", onSignal);
		process.off("uncaughtException", onCrash);
		process.off("unhandledRejection", onCrash);
		await backend.close();
	}
	return 0;
}
