/**
 * What every screen of the console shares and none owns: snapshots for React, the message line,
 * the busy flag around store operations, the back stack, the one line editor, the scrolling page's
 * overflow and the timers. Screens and their controllers build on it (see docs/CONSOLE.md).
 */
import type { Backend } from "../../core/backend.js";
import { type Catalog, catalogFor } from "../../core/catalog.js";
import { AppError, RuleError } from "../../core/errors.js";
import { bindingsFor, type Command, keyLabel, type Screen } from "../keys/bindings.js";
import { LineEditor } from "../text-field.js";

/** How often the console looks for changes made elsewhere: another console, a command, the server. */
export const changePollMs = 1000;

export interface Message {
	text: string;
	kind: "info" | "error";
}

export interface ConsoleOptions {
	backend: Backend;
	readOnly: boolean;
	actor: string;
	/** Copies text to the clipboard; resolves to a sentence saying how. */
	copy: (text: string) => string;
	quit: () => void;
}

export class Kernel {
	readonly catalog: Catalog;
	screen: Screen = "list";
	/** Screens to return to with Esc. */
	protected under: Screen[] = [];
	message: Message | undefined;
	busy = false;
	listHeight = 10;
	/** The one line editor: the cursor of the text field being typed (one at a time). */
	readonly editor = new LineEditor();
	/** How far the scrolling page drawn (help, detail, log entry) can scroll: known once drawn. */
	private scrollOverflow = 0;
	private version = 0;
	private listeners = new Set<() => void>();
	private timers = new Set<NodeJS.Timeout>();
	/** Stops the timers that last until the next Esc (following the access log). */
	private untilBack = new Set<() => void>();
	/** The backend's change mark as last read: a list reloaded since has seen every change before it. */
	seenChangeMark: string | undefined;
	private watching = false;
	private followingChanges = false;

	constructor(readonly options: ConsoleOptions) {
		this.catalog = catalogFor(options.backend.profile);
	}

	get backend(): Backend {
		return this.options.backend;
	}

	get readOnly(): boolean {
		return this.options.readOnly;
	}

	get actor(): string {
		return this.options.actor;
	}

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	snapshot = (): number => this.version;

	/** Tells React a new snapshot is ready. */
	changed(): void {
		this.version++;
		for (const listener of this.listeners) listener();
	}

	info(text: string): void {
		this.message = { text, kind: "info" };
	}

	error(text: string): void {
		this.message = { text, kind: "error" };
	}

	fail(error: unknown): void {
		this.error(
			error instanceof RuleError
				? error.errors.map((e) => `${e.field}: ${e.message}`).join("; ")
				: error instanceof AppError
					? `${error.message}${error.kind === "unavailable" ? this.retryHint() : ""}`
					: `unexpected error: ${(error as Error).message}`,
		);
	}

	/** How to try again, from the binding table: only where this screen binds a refresh. */
	private retryHint(): string {
		const refresh = bindingsFor(this.screen).find((binding) => binding.command === "refresh");
		const key = refresh?.keys[0];
		return key === undefined ? "" : ` (${keyLabel(key)} retries)`;
	}

	/** Says a failure of work started without the busy flag, once it ends. */
	failLater = (error: unknown): void => {
		this.fail(error);
		this.changed();
	};

	/** Runs a store operation with the busy flag, turning any failure into the message line. */
	async run(operation: () => Promise<void>): Promise<void> {
		this.busy = true;
		this.changed();
		try {
			await operation();
		} catch (error) {
			this.fail(error);
		} finally {
			this.busy = false;
			this.changed();
		}
	}

	goTo(screen: Screen): void {
		this.under.push(this.screen);
		this.screen = screen;
	}

	back(): void {
		for (const stop of this.untilBack) stop();
		this.untilBack.clear();
		this.screen = this.under.pop() ?? "list";
	}

	/** Shows `screen` with `under` as the whole back stack (a new key's secret, then the list alone). */
	replaceStack(screen: Screen, under: Screen[]): void {
		this.screen = screen;
		this.under = under;
	}

	/** The screen Esc returns to. */
	screenUnder(): Screen | undefined {
		return this.under.at(-1);
	}

	quit(): void {
		for (const stop of this.untilBack) stop();
		this.untilBack.clear();
		this.options.quit();
	}

	/** The lines beyond the rows of the scrolling page drawn (help, a key's detail, a log entry), at the terminal's size. */
	setScrollOverflow(lines: number): void {
		this.scrollOverflow = lines;
	}

	/** A scrolling page's offset after a move key: it stops at the page's ends, so the way back starts at once. */
	scrolled(from: number, command: Command): number {
		const page = this.page();
		const by: Partial<Record<Command, number>> = { down: 1, up: -1, "page-down": page, "page-up": -page };
		const to = command === "top" ? 0 : command === "bottom" ? this.scrollOverflow : Math.min(from, this.scrollOverflow) + (by[command] ?? 0);
		return Math.max(0, Math.min(to, this.scrollOverflow));
	}

	/** Rows a page key moves by. */
	page(): number {
		return Math.max(1, this.listHeight - 1);
	}

	/** Runs `tick` every `ms` until disposed, without keeping the process alive. */
	every(ms: number, tick: () => void): void {
		const timer = setInterval(tick, ms);
		timer.unref();
		this.timers.add(timer);
	}

	/** Runs `tick` every `ms` until `stop` is called or the user goes back (Esc) or quits; then `stopped`. */
	everyUntilBack(ms: number, tick: () => void, stopped: () => void): () => void {
		const timer = setInterval(tick, ms);
		this.timers.add(timer);
		const stop = () => {
			clearInterval(timer);
			this.timers.delete(timer);
			this.untilBack.delete(stop);
			stopped();
		};
		this.untilBack.add(stop);
		return stop;
	}

	changeMarkNow(): string | undefined {
		try {
			return this.backend.changeMark?.();
		} catch {
			return undefined;
		}
	}

	/** Polls the backend's change mark, where it has one, and calls `reload` when it moved. */
	watchChanges(reload: () => Promise<void>): void {
		if (!this.backend.changeMark || this.watching) return;
		this.watching = true;
		this.seenChangeMark = this.changeMarkNow();
		this.every(changePollMs, () => void this.followChanges(reload));
	}

	private async followChanges(reload: () => Promise<void>): Promise<void> {
		if (this.busy || this.followingChanges) return;
		this.followingChanges = true;
		try {
			if (this.backend.changeMark?.() === this.seenChangeMark) return;
			await reload();
		} catch (error) {
			const before = this.message?.text;
			this.fail(error);
			if (this.message?.text !== before) this.changed();
			return;
		} finally {
			this.followingChanges = false;
		}
		this.changed();
	}

	dispose(): void {
		for (const stop of this.untilBack) stop();
		for (const timer of this.timers) clearInterval(timer);
		this.timers.clear();
	}
}
