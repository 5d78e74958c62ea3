/**
 * Colours by role. With NO_COLOR set every colour is dropped but bold and inverse stay, and the
 * selection always has a marker (›), so nothing is told by colour alone. Only the 16 basic colours
 * are used, which read on light and dark backgrounds alike.
 */

export interface Theme {
	accent: string | undefined;
	muted: string | undefined;
	danger: string | undefined;
	warning: string | undefined;
	ok: string | undefined;
	selectionInverse: boolean;
}

const colour: Theme = {
	accent: "cyan",
	muted: "gray",
	danger: "red",
	warning: "yellow",
	ok: "green",
	selectionInverse: true,
};

const plain: Theme = {
	accent: undefined,
	muted: undefined,
	danger: undefined,
	warning: undefined,
	ok: undefined,
	selectionInverse: true,
};

export function themeFor(env: NodeJS.ProcessEnv): Theme {
	return env.NO_COLOR !== undefined && env.NO_COLOR !== "" ? plain : colour;
}
