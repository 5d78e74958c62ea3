/** The help overlay: the keys of the screen under it, scrolled when they do not fit. */
import type { ConsoleModel } from "../console-model.js";
import type { Command } from "../keys/bindings.js";
import type { Controller, Handlers } from "./controller.js";

export class HelpScreen implements Controller<"help"> {
	/** How far the overlay is scrolled, when it does not fit. */
	scroll = 0;

	constructor(private readonly c: ConsoleModel) {}

	readonly run: Handlers<"help"> = {
		down: () => this.move("down"),
		up: () => this.move("up"),
		"page-down": () => this.move("page-down"),
		"page-up": () => this.move("page-up"),
		top: () => this.move("top"),
		bottom: () => this.move("bottom"),
		back: () => this.c.back(),
		// Opened from the wizard, it quits as the wizard does: with something typed, it asks first.
		quit: () => (this.c.screenUnder() === "create" ? this.c.screens.create.quit() : this.c.quit()),
	};

	open(): void {
		this.scroll = 0;
		this.c.goTo("help");
	}

	private move(command: Command): void {
		this.scroll = this.c.scrolled(this.scroll, command);
	}
}
