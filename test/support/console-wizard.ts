/**
 * The create wizard, walked as a user does: read the step's title, choose what is asked by its label
 * as shown, type into its field, Enter; each step taken before the next is read. Needs a terminal
 * wide enough for a step's title on one row (60 columns do).
 */
import type { Console } from "./console-driver.js";
import { screenShown } from "./console-screens.js";

export interface NewKey {
	type: "system" | "feed" | "personal";
	/** System keys: the APIs, by the labels shown; the first offered (full control) when left out. */
	apis?: string[];
	/** Feed keys: one feed, one feed group, or every feed. */
	feeds?: { feed: string } | { group: string } | "every feed";
	/** Feed keys: the permissions, by label; those offered (all) when left out. */
	permissions?: string[];
	user?: string;
	name?: string;
	description?: string;
	/** A preset as offered ("30 days", "never"), or else a date typed after choosing "a date…"; the preset offered when left out. */
	expiration?: string;
	/** As offered ("request bodies", "both"); the one offered when left out. */
	logging?: string;
	/** A custom key, typed; a generated one when left out. */
	key?: string;
}

export interface Refusal {
	/** The title of the step that refused. */
	step: string;
	/** The frame showing why (its ✗ line). */
	frame: string;
}

export interface ConsoleWizard {
	/** From the key list: walks every step with `key`'s values, creates it, and resolves to the secret shown once (still shown). */
	create: (key: NewKey) => Promise<string>;
	/** As `create`, but expects a step to refuse a value, and resolves to the refusal. */
	refusal: (key: NewKey) => Promise<Refusal>;
	/** As `create`, but stops when the step titled `step` is shown, before answering it. */
	walkTo: (step: string, key: NewKey) => Promise<void>;
	/** Moves the highlight to the choice (or review row) whose label is `label`, or starts with it. */
	select: (label: string) => Promise<void>;
	/** Esc, one step back at a time, each once the last was taken, until the wizard is left. */
	cancel: () => Promise<void>;
}

/** The step's title from the row under the header, or the edit picker's. */
function stepTitle(frame: string): string | undefined {
	const top = frame.split("\n")[1] ?? "";
	return /step \d+ of \d+: (.*\S)/.exec(top)?.[1] ?? /^Edit key \d+: (choose a field to change)/.exec(top)?.[1];
}

interface ChoiceRow {
	label: string;
	highlighted: boolean;
	/** For lists with boxes: whether it is chosen ([x]). */
	chosen: boolean | undefined;
}

/** The step's choices, or the review's rows (the cursor, a change mark, then the label); wrapped rows go further in and are left out. */
function choicesOn(frame: string): ChoiceRow[] {
	return frame
		.split("\n")
		.slice(2)
		.flatMap((row) => {
			const match = /^([› ])[ *](\[[x ]\] )?(?!\()(\S.*)$/.exec(row.trimEnd());
			if (!match) return [];
			return [{ label: match[3] as string, highlighted: match[1] === "›", chosen: match[2] === undefined ? undefined : match[2] === "[x] " }];
		});
}

/** The one row `label` names: the row that reads exactly so, else the only one starting with it (any letter case). */
function rowFor(rows: ChoiceRow[], label: string): number {
	const wanted = label.toLowerCase();
	const exact = rows.findIndex((row) => row.label.toLowerCase() === wanted);
	if (exact >= 0) return exact;
	const starting = rows.flatMap((row, i) => (row.label.toLowerCase().startsWith(wanted) ? [i] : []));
	if (starting.length === 1) return starting[0] as number;
	throw new Error(`no one choice "${label}" among: ${rows.map((row) => row.label).join(" | ")}`);
}

/** The secret on the show-once screen: the rows after the title's paragraph, up to the next blank row. */
function secretOn(frame: string): string {
	const rows = frame.split("\n").map((row) => row.trim());
	const title = rows.findIndex((row) => /created\.|New secret for key/.test(row));
	const start = rows.findIndex((row, i) => i > title && row === "") + 1;
	const end = rows.findIndex((row, i) => i > start && row === "");
	const secret = rows.slice(start, end).join("");
	if (title < 0 || start === 0 || secret === "") throw new Error(`no key found on the show-once screen:\n${frame}`);
	return secret;
}

/** What the field shows at its end once `text` is in it: a few plain characters or mask dots, then the cursor. */
function fieldEnd(text: string, masked: boolean): string | undefined {
	const characters = [...text];
	if (masked) return characters.length === 0 ? undefined : `${"•".repeat(Math.min(8, characters.length))}█`;
	const plain = /[\x20-\x7e]{1,8}$/.exec(text)?.[0];
	return plain === undefined ? undefined : `${plain}█`;
}

export function wizardOf(driver: Omit<Console, "wizard">): ConsoleWizard {
	const select = async (label: string) => {
		const rows = choicesOn(await driver.frame());
		const target = rowFor(rows, label);
		const from = rows.findIndex((row) => row.highlighted);
		if (from !== target) await driver.press(target > from ? "down" : "up", Math.abs(target - from));
		const wanted = rows[target]?.label;
		await driver.expectText((frame) => choicesOn(frame).find((row) => row.highlighted)?.label === wanted);
	};

	/** Chooses exactly the boxes `labels` name, one Space at a time. */
	const chooseOnly = async (labels: string[]) => {
		const rows = choicesOn(await driver.frame());
		const wanted = new Set(labels.map((label) => rowFor(rows, label)));
		for (const [i, row] of rows.entries()) {
			if (row.chosen === wanted.has(i)) continue;
			await select(row.label);
			await driver.press("choose");
			await driver.expectText((frame) => choicesOn(frame)[i]?.chosen === wanted.has(i));
		}
	};

	const fill = async (text: string, masked = false) => {
		await driver.type(text);
		const end = fieldEnd(text, masked);
		// Its checks as typed are of the whole text only once the field shows it.
		if (end) await driver.expectText((frame) => frame.split("\n").some((row) => row.trimEnd().endsWith(end)));
	};

	/** The answer to one step, by its title. */
	const answer = async (title: string, key: NewKey) => {
		const feeds = key.feeds ?? { feed: "" };
		const named: { feed?: string; group?: string } = typeof feeds === "string" ? {} : feeds;
		const typed: Record<string, string | undefined> = {
			"Feed name": named.feed,
			"Feed group name": named.group,
			"User the key acts as": key.user,
			Name: key.name,
			Description: key.description,
			"Expiration date": key.expiration,
		};
		if (title === "Key type") await select(key.type);
		else if (title === "APIs") await chooseOnly(key.apis ?? [choicesOn(await driver.frame())[0]?.label ?? ""]);
		else if (title === "Which feeds") await select(typeof feeds === "string" ? feeds : "feed" in feeds ? "one feed" : "one feed group");
		else if (title === "Package permissions" && key.permissions) await chooseOnly(key.permissions);
		else if (title === "Expires" && key.expiration !== undefined) {
			const offered = choicesOn(await driver.frame()).some((row) => row.label.toLowerCase() === key.expiration?.toLowerCase());
			await select(offered ? key.expiration : "a date…");
		} else if (title === "Body logging" && key.logging !== undefined) await select(key.logging);
		else if (title === "Key text") await select(key.key === undefined ? "generate one" : "type one");
		else if (title === "Custom key") await fill(key.key ?? "", true);
		else if (title in typed) await fill(typed[title] ?? "");
		else if (!["Package permissions", "Expires", "Body logging", "Review"].includes(title)) throw new Error(`the wizard has a step "${title}" it does not know`);
		await driver.press("next");
	};

	/** Every step with `key`'s values until the key is shown, a step refuses, or the step `stop` is reached. */
	const walk = async (key: NewKey, stop?: string): Promise<{ secret: string } | { refusal: Refusal } | { reached: string }> => {
		await driver.press("create");
		await driver.expectScreen("create");
		for (let steps = 0; steps < 20; steps++) {
			const title = stepTitle(await driver.frame());
			if (title === undefined) throw new Error(`no wizard step's title on:\n${await driver.frame()}`);
			if (title === stop) return { reached: title };
			await answer(title, key);
			// The next step, the key shown, or this step saying why not (in between, a remote instance's
			// answer may be awaited on a frame with no step at all).
			const next = await driver.expectText((frame) => {
				const shown = stepTitle(frame);
				return screenShown(frame) === "secret" || (shown !== undefined && shown !== title) || (shown === title && /^✗ /m.test(frame));
			});
			if (screenShown(next) === "secret") return { secret: secretOn(next) };
			if (stepTitle(next) === title) return { refusal: { step: title, frame: next } };
		}
		throw new Error(`the wizard went on for 20 steps:\n${await driver.frame()}`);
	};

	const refused = (refusal: Refusal) => new Error(`the wizard refused at "${refusal.step}":\n${refusal.frame}`);
	return {
		create: async (key) => {
			const outcome = await walk(key);
			if ("refusal" in outcome) throw refused(outcome.refusal);
			if (!("secret" in outcome)) throw new Error("the wizard stopped before the key was shown");
			return outcome.secret;
		},
		refusal: async (key) => {
			const outcome = await walk(key);
			if (!("refusal" in outcome)) throw new Error(`a key was created with ${JSON.stringify(key).slice(0, 200)}`);
			return outcome.refusal;
		},
		walkTo: async (step, key) => {
			const outcome = await walk(key, step);
			if ("refusal" in outcome) throw refused(outcome.refusal);
			if ("secret" in outcome) throw new Error(`the key was created without a step "${step}"`);
		},
		select,
		cancel: async () => {
			for (let steps = 0; steps < 20; steps++) {
				const frame = await driver.frame();
				if (screenShown(frame) !== "create") return;
				const title = stepTitle(frame);
				await driver.press("back");
				// Taken: the step went back or the wizard was left. Any other change may be the rest of a
				// frame drawn before the Esc, and an Esc more would reach the screen under the wizard.
				await driver.expectText((shown) => screenShown(shown) !== "create" || stepTitle(shown) !== title);
			}
			throw new Error(`still in the wizard after 20 steps back:\n${await driver.frame()}`);
		},
	};
}
