/** The help overlay: the keys of the screen under it, scrolled when they do not fit. */
import type { ConsoleModel } from "../console-model.js";
import { type Controller, type Handlers, type MoveCommand, moveHandlers } from "./controller.js";

export class HelpScreen implements Controller<"help"> {
	/** How far the overlay is scrolled, when it does not fit. */
	scroll = 0;

	constructor(private readonly c: ConsoleModel) {}

	readonly run: Handlers<"help"> = {
		...moveHandlers((command) => this.move(command)),
		back: () => this.c.back(),
		// Opened from the wizard, it quits as the wizard does: with something typed, it asks first.
		quit: () => (this.c.screenUnder() === "create" ? this.c.screens.create.quit() : this.c.quit()),
	};

	open(): void {
		this.scroll = 0;
		this.c.goTo("help");
	}

	private move(command: MoveCommand): void {
		this.scroll = this.c.scrolled(this.scroll, command);
	}
}
