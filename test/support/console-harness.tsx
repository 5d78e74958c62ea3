/** Renders the real console over a real temporary store, one key per write inside act(). */
import type { TestContext } from "node:test";
import { render as inkRender } from "ink-testing-library";
import { act } from "react";
import type { Backend } from "../../source/core/backend.js";
import { AppError } from "../../source/core/errors.js";
import { LocalStore } from "../../source/store/local-store.js";
import { App } from "../../source/ui/app.js";
import { ConsoleModel } from "../../source/ui/console-model.js";
import { themeFor } from "../../source/ui/theme/theme.js";
import { tempDbPath } from "./temp-store.js";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

export const keys = {
	up: "\u001B[A",
	down: "\u001B[B",
	enter: "\r",
	escape: "\u001B",
	backspace: "\u007F",
	space: " ",
	tab: "\t",
} as const;

export interface Harness {
	store: LocalStore;
	model: ConsoleModel;
	frame: () => string;
	/** Every frame drawn so far, in order. */
	frames: () => readonly string[];
	press: (...inputs: string[]) => Promise<void>;
	type: (text: string) => Promise<void>;
	resize: (columns: number, rows: number) => Promise<void>;
	copied: string[];
	quits: () => number;
}

async function settle(): Promise<void> {
	for (let i = 0; i < 3; i++) {
		await act(async () => {
			await new Promise((resolve) => setImmediate(resolve));
		});
	}
}

/** The store, its access-log pages answered only after `delayMs`. */
function withSlowLogPages(store: LocalStore, delayMs: number): Backend {
	return new Proxy(store, {
		get(target, property) {
			if (property === "queryAccessLog") {
				return async (...args: Parameters<LocalStore["queryAccessLog"]>) => {
					await new Promise((resolve) => setTimeout(resolve, delayMs));
					return target.queryAccessLog(...args);
				};
			}
			const value: unknown = Reflect.get(target, property);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

/** The store, its access log unreachable as a remote instance's is when the server is down. */
function withUnreachable(store: LocalStore, methods: readonly (keyof Backend)[]): Backend {
	return new Proxy(store, {
		get(target, property) {
			if ((methods as readonly PropertyKey[]).includes(property)) {
				return () => Promise.reject(new AppError("cannot reach http://127.0.0.1:9/: connection refused", "unavailable"));
			}
			const value: unknown = Reflect.get(target, property);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

/** The store, with `change` made right after the console has read its first page of keys. */
function withChangeAfterFirstPage(store: LocalStore, change: (store: LocalStore) => Promise<void>): Backend {
	let changed = false;
	return new Proxy(store, {
		get(target, property) {
			if (property === "queryKeys") {
				return async (...args: Parameters<LocalStore["queryKeys"]>) => {
					const page = await target.queryKeys(...args);
					if (!changed) {
						changed = true;
						await change(target);
					}
					return page;
				};
			}
			const value: unknown = Reflect.get(target, property);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

export async function mountConsole(
	t: TestContext,
	options: {
		columns?: number;
		rows?: number;
		readOnly?: boolean;
		profile?: "proget" | "otter";
		setup?: (store: LocalStore) => Promise<void>;
		/** Milliseconds each access-log page takes to arrive, as over a slow link to a remote instance. */
		logPageDelayMs?: number;
		/** A change made elsewhere between the first page and the rest of the list. */
		changeAfterFirstPage?: (store: LocalStore) => Promise<void>;
		/** These backend calls fail as with the remote server down (e.g. every access-log page). */
		unreachable?: readonly (keyof Backend)[];
		/** Another backend for the console (a remote instance); the temporary store is then unused. */
		backend?: Backend;
	} = {},
): Promise<Harness> {
	const store = LocalStore.open(tempDbPath(t), options.profile ? { profile: options.profile } : {});
	await options.setup?.(store);
	const copied: string[] = [];
	let quits = 0;
	const model = new ConsoleModel({
		backend:
			options.backend ?? (options.logPageDelayMs !== undefined
				? withSlowLogPages(store, options.logPageDelayMs)
				: options.changeAfterFirstPage
					? withChangeAfterFirstPage(store, options.changeAfterFirstPage)
					: options.unreachable
						? withUnreachable(store, options.unreachable)
						: store),
		readOnly: options.readOnly ?? false,
		actor: "tester (console)",
		copy: (text) => {
			copied.push(text);
			return "copied for the test";
		},
		quit: () => {
			quits++;
		},
	});
	let rendered!: ReturnType<typeof inkRender>;
	await act(async () => {
		rendered = inkRender(<App model={model} theme={themeFor({ NO_COLOR: "1" })} />);
	});
	const harness: Harness = {
		store,
		model,
		copied,
		quits: () => quits,
		frame: () => rendered.lastFrame() ?? "",
		frames: () => rendered.frames,
		press: async (...inputs) => {
			for (const input of inputs) {
				await act(async () => {
					rendered.stdin.write(input);
				});
				await settle();
			}
		},
		type: async (text) => harness.press(...[...text]),
		resize: async (columns, rows) => {
			Object.defineProperty(rendered.stdout, "columns", { value: columns, configurable: true });
			Object.defineProperty(rendered.stdout, "rows", { value: rows, configurable: true });
			await act(async () => {
				rendered.stdout.emit("resize");
			});
			await settle();
		},
	};
	await harness.resize(options.columns ?? 80, options.rows ?? 24);
	await act(async () => {
		await model.start();
	});
	await settle();
	t.after(async () => {
		model.dispose();
		await act(async () => rendered.unmount());
		await store.close();
	});
	return harness;
}
