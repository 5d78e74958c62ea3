/**
 * The console's state and behaviour, outside React: every key goes through `press`, which reads
 * and changes the state synchronously (so keys that arrive together are never lost to a stale
 * render) and starts store operations whose results arrive later. React only renders snapshots.
 * Each screen's state and handlers are its controller's (source/ui/console/, listed in registry.ts);
 * this is the router and what the views read.
 */
import { hasKnownId, type KeyRecord } from "../core/model.js";
import { defaultSettings, type StoreSettings } from "../core/settings.js";
import type { AnyController } from "./console/controller.js";
import { Kernel } from "./console/kernel.js";
import { type Screens, screensOf } from "./console/registry.js";
import { type Binding, bindingFor, bindings, type Command, type Screen } from "./keys/bindings.js";
import type { TextField } from "./text-field.js";

export type { ConsoleOptions, Message } from "./console/kernel.js";

export class ConsoleModel extends Kernel {
	readonly screens: Screens = screensOf(this);
	settings: StoreSettings = defaultSettings;
	/** Keys pressed while the list's index was still loading at startup, replayed once it is in. */
	private keysBeforeIndex: string[] | undefined;
	private indexed: Promise<void> = Promise.resolve();

	/** The cursor of the text field being typed, in characters. */
	get textCursor(): number {
		return this.editor.cursor;
	}

	/**
	 * Why a command cannot run now, or undefined when it can: from its row in the binding table on
	 * `screen` (read-only for `mutates`, the backend's reason for `needs`, a key without an id for `byId`).
	 */
	disabledReason(command: Command, screen: Screen = this.keyScreen()): string | undefined {
		const rows = bindings.filter((b) => b.command === command);
		const row = rows.find((b) => b.screens.includes(screen)) ?? rows[0];
		return row && this.offReason(row);
	}

	/** Why the row is off now, or undefined when its key runs its handler. */
	offReason(row: Binding): string | undefined {
		if (this.readOnly && row.mutates) return "read-only (started with --readonly)";
		const capability = row.needs && this.backend.capabilities[row.needs];
		if (capability && !capability.available) return capability.reason;
		const key = this.selectedKey();
		if (row.byId && key && !hasKnownId(key)) return "the server listed this key without an id: change or delete it in ProGet's web UI";
		return undefined;
	}

	/** A command the footer leaves out for now, as its key means another thing at this moment. */
	notNow(command: Command): boolean {
		return this.controller(this.keyScreen()).notNow?.(command) ?? false;
	}

	selectedKey(): KeyRecord | undefined {
		return this.screen === "detail" ? this.screens.detail.state?.record : this.screens.list.selected();
	}

	/**
	 * Loads what the first frame shows and resolves; the list's index follows once the first frame
	 * is `drawn`. A local store answers the first page and the count from its indexes in a
	 * millisecond, while the ordered ids of 100,000 keys take tens: the frame need not wait for
	 * them; `serve` pages alike. ProGet sends the whole list either way, so there the index is
	 * loaded at once.
	 */
	start(drawn: Promise<void> = Promise.resolve()): Promise<void> {
		this.watchChanges(() => this.reloadShown());
		const settings = async () => {
			this.settings = await this.backend.getSettings().catch(() => defaultSettings);
		};
		if (this.backend.kind !== "local" && this.backend.pagesKeys !== true) {
			return this.run(async () => {
				await settings();
				await this.screens.list.reload();
			});
		}
		this.keysBeforeIndex = [];
		// Both at once: from a remote instance each is a round trip.
		const firstPage = this.run(async () => {
			await Promise.all([settings(), this.screens.list.loadFirstPage()]);
		});
		// After the turn in which the console draws its first frame: the page may come in before
		// Ink is imported, and the index's reads would then hold the first frame back.
		this.indexed = Promise.all([firstPage, drawn]).then(() => new Promise((resolve) => setImmediate(() => resolve(this.loadIndex()))));
		return firstPage;
	}

	/**
	 * Resolves once the list's index is loaded and the keys pressed meanwhile are answered: over a
	 * paging remote that is a round trip after the first frame.
	 */
	whenIndexed(): Promise<void> {
		return this.indexed;
	}

	/**
	 * Without the busy spinner: the list is already on screen and usable, and each spinner frame
	 * is a full render (two of them before a key pressed meanwhile was answered).
	 */
	private async loadIndex(): Promise<void> {
		await this.screens.list.reload().catch(this.failLater);
		const pressed = this.keysBeforeIndex ?? [];
		this.keysBeforeIndex = undefined;
		for (const name of pressed) this.press(name);
	}

	/** The list, and the key's detail when it is on screen. */
	private async reloadShown(): Promise<void> {
		await this.screens.list.reload();
		const detail = this.screens.detail.state;
		if (this.screen === "detail" && detail) await this.screens.detail.load(detail.id);
	}

	async refresh(): Promise<void> {
		await this.run(async () => {
			await this.reloadShown();
			if (this.screens.logs.state) await this.screens.logs.load(false);
		});
	}

	setListHeight(height: number): void {
		if (height === this.listHeight) return;
		this.listHeight = Math.max(1, height);
		this.screens.list.resized();
	}

	private controller(screen: Screen): AnyController {
		return this.screens[screen];
	}

	/** The screen keys are read for: an access-log entry, opened over the log, has its own, as has a field being typed. */
	keyScreen(screen: Screen = this.screen): Screen {
		if (screen === this.screen && this.typedField()) return "field";
		return screen === "logs" && this.screens.logs.state?.open ? "entry" : screen;
	}

	/** The filter or setting's value being typed on the current screen, if any. */
	typedField(): TextField | undefined {
		return this.controller(this.screen).field?.();
	}

	/** The screen the help overlay describes: the one under it. */
	helpOf(): Screen {
		return this.screen === "help" ? this.keyScreen(this.screenUnder() ?? "list") : this.keyScreen();
	}

	/**
	 * One key, by name (see keys/key-names.ts), routed through the binding table to the handler of
	 * the screen it is read for. Ctrl-C quits from anywhere, even a text field (in the wizard with
	 * values typed, it asks first).
	 */
	press(name: string): void {
		const screen = this.keyScreen();
		const controller = this.controller(screen);
		if (name === "ctrl+c") {
			(controller.run.quit ?? (() => this.quit()))();
			this.changed();
			return;
		}
		if (this.keysBeforeIndex) {
			this.keysBeforeIndex.push(name);
			return;
		}
		// A message answers the last key; the next one replaces it.
		this.message = undefined;
		if (!controller.takes?.(name)) {
			const row = bindingFor(name, screen);
			const reason = row && this.offReason(row);
			if (row === undefined) controller.other?.(name);
			else if (reason) this.error(`${row.command.replace(/-/g, " ")}: ${reason}`);
			else controller.run[row.command]?.();
		}
		this.changed();
	}
}
