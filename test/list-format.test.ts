import assert from "node:assert/strict";
import { test } from "node:test";
import { formatKeyList, shortDate } from "../source/commands/list-format.js";
import { emptyDraft, type KeyRecord } from "../source/core/model.js";

const base: KeyRecord = {
	...emptyDraft("personal"),
	id: 7,
	hint: "ab…yz",
	enabled: true,
	createdAt: "2026-01-01T00:00:00Z",
	createdBy: "remote",
	updatedAt: null,
	lastUsedAt: null,
};

test("dates print as pgutil's invariant short date, in UTC", () => {
	assert.equal(shortDate("2024-08-01T00:00:00Z"), "08/01/2024");
	assert.equal(shortDate("2024-12-31T23:59:59Z"), "12/31/2024");
});

test("names and values from a remote instance cannot drive the terminal", () => {
	const hostile = { ...base, displayName: "evil\u001b]52;c;aGk=\u0007", user: "x\u001b[2Jy" };
	const text = formatKeyList([hostile]);
	assert.ok(!text.includes("\u001b"), "no raw escape reaches stdout");
	assert.match(text, /^evil\\x1b\]52;c;aGk=\\x07\n/);
	assert.match(text, /User: {8}x\\x1b\[2Jy\n/);
});

test("missing values print as pgutil prints them", () => {
	const feedKey: KeyRecord = { ...base, type: "feed", user: null, packagePermissions: ["view"] };
	assert.equal(
		formatKeyList([feedKey, { ...base, user: null }]),
		"(unnamed key)\n  Id:           7\n  Expiration:   None\n  Logging:      None\n  Type:         Feed\n  Feed:         (unknown)\n  Permissions:  view\n\n" +
		"(unnamed key)\n  Id:          7\n  Expiration:  None\n  Logging:     None\n  Type:        Personal\n  User:        (unknown)\n\n",
	);
});
