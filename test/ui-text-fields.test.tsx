import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { editText } from "../source/ui/text-field.js";
import { keys, mountConsole } from "./support/console-harness.js";
import { pagedLog } from "./support/console-setups.js";

const left = "\u001b[D";
const right = "\u001b[C";
const home = "\u001b[H";
const end = "\u001b[F";
const forwardDelete = "\u001b[3~";

describe("the line editor every text field uses", () => {
	test("moves and deletes in place", () => {
		let state = { text: "", cursor: 0 };
		const press = (...names: string[]) => {
			for (const name of names) state = editText(state, name) ?? state;
		};
		press(..."world");
		press("home", ..."hello", "space", "end", "!");
		assert.deepEqual(state, { text: "hello world!", cursor: 12 });
		press("ctrl+a", "delete", "right", "backspace");
		assert.deepEqual(state, { text: "llo world!", cursor: 0 });
		press("ctrl+e", "left", "ctrl+w");
		assert.deepEqual(state, { text: "llo !", cursor: 4 });
		press("ctrl+u");
		assert.deepEqual(state, { text: "!", cursor: 0 });
		assert.equal(editText(state, "enter"), undefined, "not an editing key");
		assert.deepEqual(editText({ text: "16", cursor: 2, replace: true }, "2"), { text: "2", cursor: 1 });
	});
});

describe("text fields in the console", () => {
	test("a wizard field edits in place with the arrows, Home/End, Ctrl-A/E/U/W, Backspace and Delete", async (t) => {
		const ui = await mountConsole(t);
		await ui.press("n", keys.enter, keys.space, keys.enter);
		assert.match(ui.frame(), /: Name/);
		await ui.type("world");
		await ui.press(home);
		await ui.type("hello ");
		await ui.press(end, "!", "\u0001", forwardDelete, "\u0005", left, left, left, keys.backspace);
		assert.match(ui.frame(), /ello wold!/);
		await ui.press("\u0017");
		assert.match(ui.frame(), /ello ld!/, "Ctrl-W removed the word before the cursor");
		await ui.press("\u0015");
		assert.match(ui.frame(), /^ {2}\S*l\S*d!/m, "Ctrl-U removed everything before the cursor");
		assert.doesNotMatch(ui.frame(), /ello/);
		await ui.press(right, right, "x", end, "y");
		assert.match(ui.frame(), /^ {2}ldx!y█/m);
	});

	test("the custom key is masked, says how long it is, and Ctrl-R reveals it", async (t) => {
		const ui = await mountConsole(t);
		await ui.press("n", keys.enter, keys.space, keys.enter, keys.enter, keys.enter, keys.enter, keys.enter, "j", keys.enter);
		assert.match(ui.frame(), /Custom key/);
		await ui.type("secret-text");
		assert.match(ui.frame(), /•{11}█/);
		assert.match(ui.frame(), /11 characters · Ctrl-R shows it/);
		assert.doesNotMatch(ui.frame(), /secret-text/);
		await ui.press("\u0012");
		assert.match(ui.frame(), /secret-text█/);
		assert.match(ui.frame(), /Ctrl-R hides it/);
		await ui.press("\u0012");
		assert.doesNotMatch(ui.frame(), /secret-text/);
	});

	test("a settings number is replaced by the first digit typed; arrows keep it for editing", async (t) => {
		const ui = await mountConsole(t);
		await ui.press("o", "j", keys.enter);
		assert.match(ui.frame(), /min-custom-key-length +16█/);
		await ui.type("20");
		await ui.press(keys.enter);
		assert.equal((await ui.store.getSettings()).minCustomKeyLength, 20);
		await ui.press(keys.enter, left, "4");
		assert.match(ui.frame(), /min-custom-key-length +240█?/);
		await ui.press(keys.enter);
		assert.equal((await ui.store.getSettings()).minCustomKeyLength, 240);
	});
});

test("while a filter or a setting's value is typed, the footer says what Enter and Esc do there, not the screen's letters", async (t) => {
	const ui = await mountConsole(t, { setup: pagedLog(5) });
	const footer = () => ui.frame().split("\n").at(-1) ?? "";
	assert.match(footer(), /q quit/, "browsing: the screen's keys");
	await ui.press("/");
	assert.equal(footer().trim(), "Enter done  Esc cancel  Ctrl-C quit", "typing: q, n and d would be typed, not run");
	await ui.press(keys.escape, "L", "/");
	assert.equal(footer().trim(), "Enter done  Esc cancel  Ctrl-C quit", "the log's filter alike");
	await ui.press(keys.escape, keys.escape, "o", "j", keys.enter);
	assert.match(ui.frame(), /min-custom-key-length +16█/);
	assert.equal(footer().trim(), "Enter done  Esc cancel  Ctrl-C quit", "a setting's value alike");
	await ui.press(keys.escape);
	assert.match(footer(), /Enter change .*q quit/, "back to the screen's keys once the field is closed");
});

test("Enter on a setting's value left as it was says nothing changed, not that it 'is now' that value", async (t) => {
	const ui = await mountConsole(t);
	await ui.press("o", "j", keys.enter, keys.enter);
	assert.match(ui.frame(), /✓ min-custom-key-length stays 16: nothing changed/);
	assert.doesNotMatch(ui.frame(), /is now/);
	await ui.press(keys.enter, "20", keys.enter);
	assert.match(ui.frame(), /✓ min-custom-key-length is now 20/);
});
