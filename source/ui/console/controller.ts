/**
 * A screen's controller: a handler for every command the binding table binds on that screen.
 * `Handlers<S>` is keyed by the table's own commands for `S`, so a binding without a handler (or a
 * handler for a key the screen does not have) fails to compile.
 */
import type { Command, CommandsOf, Screen } from "../keys/bindings.js";
import type { TextField } from "../text-field.js";

export type Handlers<S extends Screen> = { readonly [C in CommandsOf<S>]: () => void };

export interface Controller<S extends Screen> {
	readonly run: Handlers<S>;
	/** Takes a key before the table does (a text being typed, a question pending); true when it did. */
	takes?(key: string): boolean;
	/** A key the table does not bind on this screen. */
	other?(key: string): void;
	/** The field being typed on this screen, if any: its keys are then read as the "field" screen's. */
	field?(): TextField | undefined;
	/** A bound command the footer leaves out for now, as its key means another thing at this moment. */
	notNow?(command: Command): boolean;
}

/** One controller per screen. */
export type Controllers = { readonly [S in Screen]: Controller<S> };

/** A controller read through the router, which looks handlers up by any command. */
export type AnyController = Omit<Controller<Screen>, "run"> & { readonly run: Partial<Record<Command, () => void>> };

export type MoveCommand = "down" | "up" | "page-down" | "page-up" | "top" | "bottom";

/** The handlers of the move keys of a list or a scrolling page, each calling `move` with its command. */
export function moveHandlers(move: (command: MoveCommand) => void): Record<MoveCommand, () => void> {
	return {
		down: () => move("down"),
		up: () => move("up"),
		"page-down": () => move("page-down"),
		"page-up": () => move("page-up"),
		top: () => move("top"),
		bottom: () => move("bottom"),
	};
}
