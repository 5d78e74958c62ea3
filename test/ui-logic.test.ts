import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { Key } from "ink";
import { emptyDraft, type KeyRecord } from "../source/core/model.js";
import { cell, fitColumns, keyColumns } from "../source/ui/format/key-columns.js";
import { logColumnIds, logsHeader, logsRow } from "../source/ui/format/log-columns.js";
import { agoText, expiresText } from "../source/ui/format/relative-time.js";
import { bindings, commandFor, keyLabel, keysMarkdown } from "../source/ui/keys/bindings.js";
import { keyNames } from "../source/ui/keys/key-names.js";
import { windowStart } from "../source/ui/list/window.js";
import { copyToClipboard, osc52, tmuxRoute } from "../source/ui/terminal/clipboard.js";

const noKey = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
} as Key;

describe("the binding table", () => {
	test("docs/KEYS.md is generated from it and current (npm run docs rewrites it)", () => {
		assert.equal(readFileSync(new URL("../docs/KEYS.md", import.meta.url), "utf8"), keysMarkdown());
	});
	test("no key means two things on one screen", () => {
		const seen = new Map<string, string>();
		for (const b of bindings) {
			for (const screen of b.screens) {
				for (const key of b.keys) {
					const where = `${screen}:${key}`;
					assert.ok(!seen.has(where), `${where} is bound to ${seen.get(where)} and ${b.command}`);
					seen.set(where, b.command);
				}
			}
		}
	});
	test("keys route to commands by screen", () => {
		assert.equal(commandFor("j", "list"), "down");
		assert.equal(commandFor("y", "confirm"), "confirm-yes");
		assert.equal(commandFor("enter", "confirm"), "confirm-no", "Enter takes the default: No");
		assert.equal(commandFor("d", "help"), undefined);
	});
});

describe("key names", () => {
	test("coalesced input is split into single keys", () => {
		assert.deepEqual(keyNames("jjj", noKey), ["j", "j", "j"]);
		assert.deepEqual(keyNames("abc\r", noKey), ["a", "b", "c", "enter"]);
		assert.deepEqual(keyNames("a b", noKey), ["a", "space", "b"]);
	});
	test("special keys have names", () => {
		assert.deepEqual(keyNames("", { ...noKey, downArrow: true }), ["down"]);
		assert.deepEqual(keyNames("", { ...noKey, escape: true }), ["esc"]);
		assert.deepEqual(keyNames("c", { ...noKey, ctrl: true }), ["ctrl+c"]);
		assert.deepEqual(keyNames("\r", { ...noKey, return: true }), ["enter"]);
	});
});

describe("windowing and layout", () => {
	test("the window follows the selection with a margin, within bounds", () => {
		assert.equal(windowStart(0, 100, 10, 0), 0);
		assert.equal(windowStart(7, 100, 10, 0), 0);
		assert.equal(windowStart(8, 100, 10, 0), 1);
		assert.equal(windowStart(99, 100, 10, 0), 90);
		assert.equal(windowStart(50, 100, 10, 90), 48);
		assert.equal(windowStart(3, 5, 10, 0), 0);
	});
	test("columns drop by priority and the spare width goes to the name and scope", () => {
		assert.deepEqual(fitColumns(120, keyColumns).map((c) => c.id), ["id", "name", "type", "scope", "expires", "status", "lastUsed", "logging"]);
		assert.deepEqual(fitColumns(60, keyColumns).map((c) => c.id), ["id", "name", "type", "scope", "status"]);
		assert.deepEqual(fitColumns(38, keyColumns).map((c) => c.id), ["id", "name", "status"]);
		assert.deepEqual(fitColumns(20, keyColumns).map((c) => c.id), ["name"], "the id is dropped last but one");
		for (const width of [38, 60, 80, 120, 200]) {
			const columns = fitColumns(width, keyColumns);
			const used = columns.reduce((sum, c) => sum + c.fitted, 0) + columns.length - 1;
			assert.ok(used <= width, `${width}: ${used}`);
		}
	});
	test("cells are cut and padded by terminal width, wide characters counted twice", () => {
		assert.equal(cell("abc", 5), "abc  ");
		assert.equal(cell("abcdef", 4), "abc…");
		assert.equal(cell("日本語キー", 6), "日本… ");
	});
	test("times are words, not colours", () => {
		const now = Date.parse("2026-11-22T12:00:00Z");
		assert.equal(expiresText(null, now), "never");
		assert.equal(expiresText("2026-11-22T11:00:00Z", now), "expired");
		assert.equal(expiresText("2026-11-25T12:00:00Z", now), "in 3d");
		assert.equal(agoText("2026-11-22T10:00:00Z", now), "2h ago");
		assert.equal(expiresText(new Date(now + 30 * 86_400_000 - 5000).toISOString(), now), "in 30d", "a fresh 30-day key");
		assert.equal(agoText(new Date(now - 90 * 60_000 - 1000).toISOString(), now), "2h ago", "rounded, not cut");
		assert.equal(agoText(null, now), "never");
	});
	test("OSC 52 is wrapped for tmux", () => {
		assert.equal(osc52("hi", {}), "\u001b]52;c;aGk=\u0007");
		assert.equal(osc52("hi", { TMUX: "/tmp/x" }), "\u001bPtmux;\u001b\u001b]52;c;aGk=\u0007\u001b\\");
	});
	test("inside tmux, copying says what was done and what tmux needs; it never claims the clipboard got it", () => {
		assert.equal(tmuxRoute({ TMUX: "x" }, () => "0|external\n"), "dropped");
		assert.equal(tmuxRoute({ TMUX: "x" }, () => "1|external\n"), "passthrough");
		assert.equal(tmuxRoute({ TMUX: "x" }, () => "0|on\n"), "set-clipboard");
		assert.equal(tmuxRoute({ TMUX: "x" }, () => "|external\n"), "passthrough", "tmux before 3.3 passed everything");
		assert.equal(tmuxRoute({ TMUX: "x" }, () => undefined), undefined);
		const written: string[] = [];
		const tmux = { TMUX: "/tmp/x", SSH_CONNECTION: "a" };
		const dropped = copyToClipboard("secret", tmux, (d) => written.push(d), () => "dropped");
		assert.equal(written.length, 0, "nothing sent that tmux would drop");
		assert.match(dropped, /^not copied: .*set -g allow-passthrough on/);
		const passed = copyToClipboard("secret", tmux, (d) => written.push(d), () => "passthrough");
		assert.equal(written[0], osc52("secret", tmux));
		assert.match(passed, /^sent through tmux as OSC 52; whether the terminal let it into the clipboard cannot be checked$/);
		const taken = copyToClipboard("secret", tmux, (d) => written.push(d), () => "set-clipboard");
		assert.equal(written[1], osc52("secret", {}), "unwrapped, for tmux itself");
		assert.match(taken, /paste buffer/);
		for (const text of [passed, taken, copyToClipboard("secret", { SSH_TTY: "/dev/pts/1" }, () => undefined)]) assert.doesNotMatch(text, /^copied/);
	});
});

export const sampleKey: KeyRecord = {
	...emptyDraft("system"),
	systemApis: ["sca"],
	id: 1,
	hint: "ab…cd",
	enabled: true,
	createdAt: "2026-01-01T00:00:00Z",
	createdBy: "t",
	updatedAt: null,
	lastUsedAt: null,
};

describe("access-log columns", () => {
	const entry = {
		id: 1,
		at: Date.UTC(2026, 10, 20, 10, 0, 2),
		keyId: 1001,
		keyName: "CI",
		method: "GET",
		path: "/nuget/internal/v3/registration/newtonsoft.json/index.json",
		status: 404,
		durationMs: 2.3,
		client: "192.168.100.200",
		userAgent: null,
		requestBody: null,
		responseBody: null,
	};
	test("at 80 columns the client gives way so the path keeps 25 cells, under its title", () => {
		const header = logsHeader(80);
		const row = logsRow(entry, false, 80);
		assert.equal([...header].length, 80);
		assert.equal([...row].length, 80);
		assert.ok(!header.includes("CLIENT"));
		assert.equal(row.indexOf("/nuget/"), header.indexOf("PATH"));
		assert.ok(80 - row.indexOf("/nuget/") >= 25, row);
		assert.ok(row.endsWith("…"), row);
	});
	test("at 40 columns the columns drop by priority and the path is kept", () => {
		assert.deepEqual(logColumnIds(40), ["time", "status", "path"]);
		const header = logsHeader(40);
		const row = logsRow(entry, false, 40);
		assert.equal(row.indexOf("/nuget/"), header.indexOf("PATH"));
		assert.equal(row.indexOf("404"), header.indexOf("STATUS"));
		assert.equal([...row].length, 40);
	});
	test("from 100 columns the client is shown, every title over its column", () => {
		const header = logsHeader(120);
		const row = logsRow(entry, true, 120);
		assert.equal(row.indexOf("192.168.100.200"), header.indexOf("CLIENT"));
		assert.equal(row.indexOf("/nuget/"), header.indexOf("PATH"));
		assert.equal(row.indexOf("404"), header.indexOf("STATUS"));
		assert.ok(row.startsWith("›"));
	});
});

test("every key in the binding table is written for people: no internal name such as shift+tab reaches help or docs/KEYS.md", () => {
	for (const binding of bindings) {
		for (const key of binding.keys) assert.doesNotMatch(keyLabel(key), /^[a-z]+\+/, `${key} is shown as ${keyLabel(key)}`);
	}
	assert.equal(keyLabel("shift+tab"), "Shift-Tab");
});
