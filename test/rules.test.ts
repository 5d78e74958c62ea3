import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkAccess } from "../source/core/access.js";
import { catalogFor } from "../source/core/catalog.js";
import { parseKeyType, parseLogging, splitList } from "../source/core/enums.js";
import {
	defaultExpirationPreset,
	displayExpiration,
	expirationPolicyError,
	expirationPresetChoices,
	formatIso,
	isExpirationPreset,
	normalizeExpiration,
	parseExpiration,
	wireExpiration,
} from "../source/core/expiration.js";
import { shortDate } from "../source/commands/list-format.js";
import { convertLegacyKey } from "../source/core/legacy.js";
import { emptyDraft, type KeyRecord, toApiKeyInfo } from "../source/core/model.js";
import {
	applyPatch,
	customKeyError,
	draftFromInput,
	type RuleContext,
} from "../source/core/rules.js";
import { generateKey, keyDigest, keyHint } from "../source/core/secret.js";
import { defaultSettings, parseSettingValue, settingSpec } from "../source/core/settings.js";
import { safeLine } from "../source/core/terminal-text.js";
import { parseInstant } from "../source/core/time.js";

const now = new Date("2026-11-22T12:00:00Z");
const proget: RuleContext = { catalog: catalogFor("proget"), settings: defaultSettings, now };
const otter: RuleContext = { catalog: catalogFor("otter"), settings: defaultSettings, now };

function fieldsOf(result: ReturnType<typeof draftFromInput>): string[] {
	return result.ok ? [] : result.errors.map((e) => e.field);
}

function record(overrides: Partial<KeyRecord>): KeyRecord {
	return {
		...emptyDraft("system"),
		id: 1000,
		hint: "abcd…wxyz",
		enabled: true,
		createdAt: now.toISOString(),
		createdBy: "test",
		updatedAt: null,
		lastUsedAt: null,
		...overrides,
	};
}

describe("enum values", () => {
	test("any letter case and the ordinals 0-3 are accepted, lower case comes out", () => {
		assert.equal(parseKeyType("System"), "system");
		assert.equal(parseKeyType("FEED"), "feed");
		assert.equal(parseKeyType(2), "personal");
		assert.equal(parseKeyType("3"), "other");
		assert.equal(parseLogging("Both"), "both");
		assert.equal(parseLogging(1), "request");
		assert.equal(parseLogging("RESPONSE"), "response");
	});
	test("anything else is refused", () => {
		assert.equal(parseKeyType("admin"), undefined);
		assert.equal(parseKeyType(4), undefined);
		assert.equal(parseKeyType(1.5), undefined);
		assert.equal(parseLogging("verbose"), undefined);
		assert.equal(parseLogging(null), undefined);
	});
	test("lists split on commas, trimmed, empties dropped", () => {
		assert.deepEqual(splitList(" view, add,,promote "), ["view", "add", "promote"]);
	});
});

describe("expiration", () => {
	test("the accepted forms all mean one instant in UTC", () => {
		const cases: [string, string | null][] = [
			["2027/08/01", "2027-08-01T00:00:00Z"],
			["2027-08-01", "2027-08-01T00:00:00Z"],
			["2027-8-1", "2027-08-01T00:00:00Z"],
			["2027-08-01T10:30:00", "2027-08-01T10:30:00Z"],
			["2027-08-01T10:30:00Z", "2027-08-01T10:30:00Z"],
			["2027-08-01T10:30:00+02:00", "2027-08-01T08:30:00Z"],
			["2027-08-01T10:30:00.123-07:00", "2027-08-01T17:30:00Z"],
			["30d", "2026-12-22T12:00:00Z"],
			["12w", "2027-02-14T12:00:00Z"],
			["1y", "2027-11-22T12:00:00Z"],
			["never", null],
			["NONE", null],
		];
		for (const [input, expected] of cases) {
			const parsed = parseExpiration(input, now);
			assert.deepEqual(parsed, { ok: true, value: expected }, input);
		}
	});
	test("impossible and malformed dates are refused with the forms that work", () => {
		for (const input of [
			"2027-02-30",
			"2027-13-01",
			"tomorrow",
			"0d",
			"",
			"2027-08-01T25:00",
			"1e3d",
			"99999y",
			"-1d",
		]) {
			const parsed = parseExpiration(input, now);
			assert.equal(parsed.ok, false, input);
		}
		const message = parseExpiration("soon", now);
		assert.ok(!message.ok && message.error.includes("YYYY-MM-DD"));
	});
	test("pgutil's forms are read as .NET reads them, month first; the wire keeps a zone-less date zone-less", () => {
		for (const typed of ["2027/08/01", "08/01/2027", "8/1/2027", "Aug 1, 2027", "August 1 2027", "aug 1, 2027", "1 Aug 2027", "01 August 2027"]) {
			assert.deepEqual(parseExpiration(typed, now), { ok: true, value: "2027-08-01T00:00:00Z" }, typed);
			assert.deepEqual(wireExpiration(typed, now), { ok: true, value: "2027-08-01T00:00:00" }, typed);
		}
		assert.deepEqual(wireExpiration("2027-08-01 12:30", now), { ok: true, value: "2027-08-01T12:30:00" });
		assert.deepEqual(wireExpiration("2027-08-01T12:30:00+02:00", now), { ok: true, value: "2027-08-01T10:30:00Z" });
		assert.deepEqual(wireExpiration("30d", now), { ok: true, value: "2026-12-22T12:00:00Z" });
		assert.deepEqual(wireExpiration("never", now), { ok: true, value: null });
		assert.deepEqual(wireExpiration("2026-01-01", now), { ok: false, error: '"2026-01-01" is in the past' });
		assert.equal(parseExpiration("Smarch 1, 2027", now).ok, false);
		assert.equal(parseExpiration("13/01/2027", now).ok, false);
	});
	test("a calendar day is that day in every zone; an instant is shown in local time", () => {
		const zone = process.env.TZ;
		try {
			for (const tz of ["America/Los_Angeles", "Pacific/Kiritimati", "UTC"]) {
				process.env.TZ = tz;
				assert.equal(displayExpiration("2030-08-01T00:00:00Z"), "2030-08-01", tz);
				assert.equal(shortDate("2030-08-01T00:00:00Z"), "08/01/2030", tz);
			}
			process.env.TZ = "America/Los_Angeles";
			assert.equal(displayExpiration("2030-08-01T10:30:00Z"), "2030-08-01 03:30 -07:00");
			const shown = parseExpiration(displayExpiration("2030-08-01T10:30:00Z"), new Date("2026-12-06T12:00:00Z"));
			assert.deepEqual(shown, { ok: true, value: "2030-08-01T10:30:00Z" }, "a time typed back as shown is the same instant");
			assert.equal(shortDate("2030-08-01T02:00:00Z"), "07/31/2030", "the local day of an instant, as ToShortDateString");
			assert.equal(displayExpiration("tomorrow"), "tomorrow", "not a date: shown as it came");
			assert.equal(normalizeExpiration("2030-08-01T00:00:00"), "2030-08-01T00:00:00Z", "zone-less from ProGet: a calendar day");
			assert.equal(normalizeExpiration("2030-08-01T02:00:00-07:00"), "2030-08-01T09:00:00Z");
			assert.equal(normalizeExpiration("soon"), undefined);
		} finally {
			if (zone === undefined) delete process.env.TZ;
			else process.env.TZ = zone;
		}
	});
	test("a date in the past or beyond the maximum lifetime is refused", () => {
		const policy = { nonExpiringAllowed: true, maxLifetimeDays: null };
		assert.match(expirationPolicyError("2026-01-01T00:00:00Z", policy, now) ?? "", /in the past/);
		assert.equal(expirationPolicyError("2026-01-01T00:00:00Z", policy, now, "Jan 1, 2026"), '"Jan 1, 2026" is in the past', "names what was typed");
		assert.equal(expirationPolicyError("2026-01-01T00:00:00Z", policy, now), "2026-01-01 is in the past", "a calendar day shown as the day, not an instant");
		const today = formatIso(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())));
		assert.match(expirationPolicyError(today, policy, now, "today's date") ?? "", /^"today's date" is in the past: a date expires at its start \(00:00 UTC\)/);
		const ancient = parseExpiration("0001-01-01", now);
		assert.ok(ancient.ok);
		assert.match(expirationPolicyError(ancient.value, policy, now) ?? "", /in the past/);
		assert.equal(expirationPolicyError("2027-01-01T00:00:00Z", policy, now), undefined);
		const capped = { nonExpiringAllowed: true, maxLifetimeDays: 30 };
		assert.match(
			expirationPolicyError("2027-01-01T00:00:00Z", capped, now) ?? "",
			/maximum lifetime of 30 days/,
		);
		assert.match(expirationPolicyError(null, capped, now) ?? "", /must expire within 30 days/);
		assert.match(
			expirationPolicyError(null, { nonExpiringAllowed: false, maxLifetimeDays: null }, now) ?? "",
			/non-expiring keys are not allowed/,
		);
	});

	test("the console's presets are expirations the rules read, never offered only where the policy allows it", () => {
		const now = new Date("2026-01-01T00:00:00Z");
		const open = expirationPresetChoices({ nonExpiringAllowed: true, maxLifetimeDays: null });
		assert.deepEqual(open.map((choice) => choice.label), ["30 days", "90 days", "1 year", "never"]);
		assert.deepEqual(open.map((choice) => parseExpiration(choice.value, now)), [
			{ ok: true, value: "2026-01-31T00:00:00Z" },
			{ ok: true, value: "2026-04-01T00:00:00Z" },
			{ ok: true, value: "2027-01-01T00:00:00Z" },
			{ ok: true, value: null },
		]);
		assert.ok(open.some((choice) => choice.value === defaultExpirationPreset));
		for (const capped of [{ nonExpiringAllowed: false, maxLifetimeDays: null }, { nonExpiringAllowed: true, maxLifetimeDays: 90 }]) {
			assert.ok(!expirationPresetChoices(capped).some((choice) => choice.value === "never"));
		}
		assert.ok(isExpirationPreset("never") && isExpirationPreset("1y") && !isExpirationPreset("2y"));
	});
});

describe("per-type rules (proget profile)", () => {
	test("a system key takes full-control alone, or any of feeds, sca, sbom-upload", () => {
		const full = draftFromInput({ type: "System", systemApis: ["full-control"] }, proget, "create");
		assert.ok(full.ok);
		const some = draftFromInput(
			{ type: "system", systemApis: ["SBOM-upload", "feeds", "feeds"] },
			proget,
			"create",
		);
		assert.ok(some.ok);
		assert.deepEqual(some.value.systemApis, ["feeds", "sbom-upload"]);
		for (const apis of [["full-control", "feeds"], ["admin"], []]) {
			const result = draftFromInput({ type: "system", systemApis: apis }, proget, "create");
			assert.deepEqual(fieldsOf(result), ["systemApis"], JSON.stringify(apis));
		}
		const bad = draftFromInput({ type: "system", systemApis: ["nope"] }, proget, "create");
		assert.ok(!bad.ok && bad.errors[0]?.message.includes('Expected either "full-control"'));
	});
	test("a system key may not carry feed or user fields", () => {
		const result = draftFromInput(
			{
				type: "system",
				systemApis: ["feeds"],
				packagePermissions: ["view"],
				feed: "npm",
				user: "bob",
			},
			proget,
			"create",
		);
		assert.deepEqual(fieldsOf(result).sort(), ["feed", "packagePermissions", "user"]);
	});
	test("a feed key needs permissions and at most one of feed and group", () => {
		const ok = draftFromInput(
			{ type: "feed", packagePermissions: "add,view", feed: "npm" },
			proget,
			"create",
		);
		assert.ok(ok.ok);
		assert.deepEqual(ok.value.packagePermissions, ["view", "add"]);
		const all = draftFromInput({ type: "feed", packagePermissions: ["view"] }, proget, "create");
		assert.ok(all.ok, "neither feed nor group means every feed");
		assert.deepEqual(fieldsOf(draftFromInput({ type: "feed", feed: "npm" }, proget, "create")), [
			"packagePermissions",
		]);
		assert.deepEqual(
			fieldsOf(
				draftFromInput(
					{ type: "feed", packagePermissions: ["view"], feed: "a", feedGroup: "b" },
					proget,
					"create",
				),
			),
			["feedGroup"],
		);
		assert.deepEqual(
			fieldsOf(
				draftFromInput(
					{ type: "feed", packagePermissions: ["view", "admin"], feed: "a" },
					proget,
					"create",
				),
			),
			["packagePermissions"],
		);
		assert.deepEqual(
			fieldsOf(
				draftFromInput(
					{ type: "feed", packagePermissions: ["view"], systemApis: ["feeds"] },
					proget,
					"create",
				),
			),
			["systemApis"],
		);
	});
	test("a personal key needs a user, and only when the store allows personal keys", () => {
		assert.ok(draftFromInput({ type: "personal", user: "Admin" }, proget, "create").ok);
		assert.deepEqual(fieldsOf(draftFromInput({ type: "personal" }, proget, "create")), ["user"]);
		const closed = { ...proget, settings: { ...defaultSettings, personalKeysAllowed: false } };
		assert.deepEqual(
			fieldsOf(draftFromInput({ type: "personal", user: "Admin" }, closed, "create")),
			["type"],
		);
	});
	test("legacy keys are imported, never created", () => {
		const input = { type: "other", systemApis: ["feed-api", "native-api"], user: "builder" };
		const created = draftFromInput(input, proget, "create");
		assert.ok(!created.ok && created.errors[0]?.message.includes("cannot be created"));
		const imported = draftFromInput(input, proget, "import");
		assert.ok(imported.ok);
		assert.deepEqual(imported.value.systemApis, ["native-api", "feed-api"]);
		const userWithoutFeedApi = draftFromInput(
			{ type: "other", systemApis: ["webhooks"], user: "x" },
			proget,
			"import",
		);
		assert.deepEqual(fieldsOf(userWithoutFeedApi), ["user"]);
	});
	test("type is required and must be known", () => {
		assert.deepEqual(fieldsOf(draftFromInput({}, proget, "create")), ["type"]);
		assert.deepEqual(fieldsOf(draftFromInput({ type: "admin" }, proget, "create")), ["type"]);
	});
	test("text fields: trimmed, empty means none, control characters and huge values refused", () => {
		const ok = draftFromInput(
			{ type: "personal", user: " bob ", displayName: "  ", description: "é ✓ 日本" },
			proget,
			"create",
		);
		assert.ok(ok.ok);
		assert.equal(ok.value.user, "bob");
		assert.equal(ok.value.displayName, null);
		assert.equal(ok.value.description, "é ✓ 日本");
		for (const displayName of [
			"a\u001b[31mred",
			"bell\u0007",
			"line\nbreak",
			"rtl\u202eevil",
			"x".repeat(201),
			42,
		]) {
			const result = draftFromInput(
				{ type: "personal", user: "bob", displayName },
				proget,
				"create",
			);
			assert.deepEqual(fieldsOf(result), ["displayName"], JSON.stringify(displayName));
		}
	});
	test("logging defaults to none; bad values and wrong JSON types are refused", () => {
		const ok = draftFromInput({ type: "personal", user: "bob" }, proget, "create");
		assert.ok(ok.ok && ok.value.logging === "none");
		assert.deepEqual(
			fieldsOf(draftFromInput({ type: "personal", user: "bob", logging: "all" }, proget, "create")),
			["logging"],
		);
		assert.deepEqual(
			fieldsOf(
				draftFromInput({ type: "system", systemApis: "feeds", expiration: 5 }, proget, "create"),
			),
			["expiration"],
		);
		assert.deepEqual(
			fieldsOf(draftFromInput({ type: "system", systemApis: { a: 1 } }, proget, "create")),
			["systemApis"],
		);
	});
});

describe("otter profile", () => {
	test("system keys only, with Otter's scopes", () => {
		assert.ok(draftFromInput({ type: "system", systemApis: ["native-api"] }, otter, "create").ok);
		assert.ok(
			draftFromInput({ type: "system", systemApis: ["jobs-trigger", "variables"] }, otter, "create")
				.ok,
		);
		assert.deepEqual(
			fieldsOf(draftFromInput({ type: "system", systemApis: ["feeds"] }, otter, "create")),
			["systemApis"],
		);
		for (const type of ["feed", "personal", "other"]) {
			const result = draftFromInput(
				{ type, user: "x", packagePermissions: ["view"] },
				otter,
				"import",
			);
			assert.deepEqual(fieldsOf(result), ["type"], type);
		}
	});
	test("triggering jobs implies viewing them", () => {
		const key = record({ systemApis: ["jobs-trigger"] });
		const catalog = catalogFor("otter");
		assert.equal(checkAccess(key, { kind: "system-api", api: "jobs-view" }, catalog, now), "valid");
		assert.equal(
			checkAccess(key, { kind: "system-api", api: "variables" }, catalog, now),
			"insufficient-permissions",
		);
		const native = record({ systemApis: ["native-api"] });
		assert.equal(
			checkAccess(native, { kind: "system-api", api: "configuration" }, catalog, now),
			"valid",
		);
	});
});

describe("updates", () => {
	test("a patch changes only what it names; feed and group replace each other", () => {
		const created = draftFromInput(
			{ type: "feed", packagePermissions: ["view"], feedGroup: "prod" },
			proget,
			"create",
		);
		assert.ok(created.ok);
		const moved = applyPatch(created.value, { feed: "npm", logging: "Both" }, proget);
		assert.ok(moved.ok);
		assert.equal(moved.value.feed, "npm");
		assert.equal(moved.value.feedGroup, null);
		assert.equal(moved.value.logging, "both");
		assert.deepEqual(moved.value.packagePermissions, ["view"]);
	});
	test("the type cannot change and the rules still hold", () => {
		const created = draftFromInput({ type: "system", systemApis: ["feeds"] }, proget, "create");
		assert.ok(created.ok);
		const retyped = applyPatch(created.value, { type: "feed" }, proget);
		assert.ok(!retyped.ok && retyped.errors[0]?.field === "type");
		const broken = applyPatch(created.value, { systemApis: ["full-control", "sca"] }, proget);
		assert.ok(!broken.ok);
		const past = applyPatch(created.value, { expiration: "2020-01-01" }, proget);
		assert.ok(!past.ok && past.errors[0]?.field === "expiration");
	});
});

describe("custom keys and secrets", () => {
	test("custom keys follow the settings", () => {
		assert.equal(customKeyError("a".repeat(16), defaultSettings), undefined);
		assert.match(customKeyError("short", defaultSettings) ?? "", /at least 16/);
		assert.match(customKeyError("has space in it!!", defaultSettings) ?? "", /printable ASCII/);
		assert.match(customKeyError("ключключключключключ", defaultSettings) ?? "", /printable ASCII/);
		assert.match(
			customKeyError("a".repeat(20), { ...defaultSettings, customKeysAllowed: false }) ?? "",
			/disabled/,
		);
	});
	test("generated keys are 40 lowercase hex and never repeat", () => {
		const keys = new Set(Array.from({ length: 1000 }, generateKey));
		assert.equal(keys.size, 1000);
		for (const key of keys) assert.match(key, /^[0-9a-f]{40}$/);
	});
	test("the hint shows at most a quarter of the key", () => {
		assert.equal(keyHint("70f875c2593ef93d0b21400d5f94ea1d8ed519d0"), "70f8…19d0");
		for (const key of ["abcdefghijklmnop", "abcdefgh", "abc", "x".repeat(200)]) {
			const shown = keyHint(key).replace("…", "").length;
			assert.ok(shown <= Math.floor(key.length / 4), key);
		}
	});
	test("digests depend on the store secret", () => {
		const key = generateKey();
		const a = keyDigest(Buffer.alloc(32, 1), key);
		assert.equal(a.length, 32);
		assert.notDeepEqual(a, keyDigest(Buffer.alloc(32, 2), key));
		assert.deepEqual(a, keyDigest(Buffer.alloc(32, 1), key));
	});
});

describe("access checks", () => {
	const catalog = catalogFor("proget");
	test("exists, enabled, not expired, then scope", () => {
		assert.equal(checkAccess(undefined, { kind: "any" }, catalog, now), "not-found");
		assert.equal(
			checkAccess(record({ enabled: false }), { kind: "any" }, catalog, now),
			"disabled",
		);
		assert.equal(
			checkAccess(record({ expiration: "2026-11-22T11:59:59Z" }), { kind: "any" }, catalog, now),
			"expired",
		);
		assert.equal(
			checkAccess(
				record({ expiration: "2026-11-23T00:00:00Z", systemApis: ["sca"] }),
				{ kind: "any" },
				catalog,
				now,
			),
			"valid",
		);
	});
	test("full-control reaches every API; a feed key only its feed and permissions", () => {
		const full = record({ systemApis: ["full-control"] });
		assert.equal(checkAccess(full, { kind: "system-api", api: "sca" }, catalog, now), "valid");
		assert.equal(
			checkAccess(full, { kind: "feed-permission", permission: "delete", feed: "x" }, catalog, now),
			"valid",
		);
		const feedKey = record({
			type: "feed",
			systemApis: null,
			packagePermissions: ["view"],
			feed: "NPM",
		});
		assert.equal(
			checkAccess(
				feedKey,
				{ kind: "feed-permission", permission: "view", feed: "npm" },
				catalog,
				now,
			),
			"valid",
		);
		assert.equal(
			checkAccess(
				feedKey,
				{ kind: "feed-permission", permission: "view", feed: "nuget" },
				catalog,
				now,
			),
			"insufficient-permissions",
		);
		assert.equal(
			checkAccess(
				feedKey,
				{ kind: "feed-permission", permission: "add", feed: "npm" },
				catalog,
				now,
			),
			"insufficient-permissions",
		);
		assert.equal(
			checkAccess(feedKey, { kind: "system-api", api: "feeds" }, catalog, now),
			"insufficient-permissions",
		);
	});
	test("legacy grants reach what their 2024 equivalents reach", () => {
		const native = record({ type: "other", systemApis: ["native-api"] });
		assert.equal(
			checkAccess(native, { kind: "system-api", api: "full-control" }, catalog, now),
			"valid",
		);
		const promotion = record({ type: "other", systemApis: ["package-promotion"] });
		assert.equal(
			checkAccess(promotion, { kind: "feed-permission", permission: "promote" }, catalog, now),
			"valid",
		);
		assert.equal(
			checkAccess(promotion, { kind: "feed-permission", permission: "add" }, catalog, now),
			"insufficient-permissions",
		);
	});
});

describe("legacy conversion", () => {
	const catalog = catalogFor("proget");
	const legacy = (systemApis: string[], user: string | null = null) => ({
		...emptyDraft("other"),
		systemApis,
		user,
		displayName: "old",
	});
	test("each grant becomes its 2024 equivalent", () => {
		const personal = convertLegacyKey(legacy(["feed-api"], "builder"), catalog);
		assert.ok(
			personal.ok && personal.draft.type === "personal" && personal.draft.user === "builder",
		);
		const native = convertLegacyKey(legacy(["native-api", "feed-api"]), catalog);
		assert.ok(native.ok && native.draft.type === "system");
		assert.deepEqual(native.ok && native.draft.systemApis, ["full-control"]);
		const feeds = convertLegacyKey(legacy(["feed-api"]), catalog);
		assert.deepEqual(feeds.ok && feeds.draft.systemApis, ["feeds"]);
		const promote = convertLegacyKey(legacy(["package-promotion"]), catalog);
		assert.ok(promote.ok && promote.draft.type === "feed");
		assert.deepEqual(promote.ok && promote.draft.packagePermissions, ["promote"]);
		assert.equal(promote.ok && promote.draft.displayName, "old");
	});
	test("webhooks alone has no equivalent", () => {
		const result = convertLegacyKey(legacy(["webhooks"]), catalog);
		assert.ok(!result.ok && result.reason.includes("Webhooks API"));
	});
});

describe("wire form and small parsers", () => {
	test("ApiKeyInfo keeps ProGet's property order and omits nulls", () => {
		const info = toApiKeyInfo(
			record({ systemApis: ["feeds"], displayName: "Feeds Key", logging: "both" }),
			"k",
		);
		assert.equal(
			JSON.stringify(info),
			'{"id":1000,"type":"system","key":"k","displayName":"Feeds Key","systemApis":["feeds"],"logging":"both"}',
		);
	});
	test("settings values parse with clear errors", () => {
		const spec = settingSpec("max-lifetime-days");
		assert.ok(spec);
		assert.deepEqual(parseSettingValue(spec, "none"), { ok: true, value: null });
		assert.deepEqual(parseSettingValue(spec, "365"), { ok: true, value: 365 });
		assert.ok(!parseSettingValue(spec, "-1").ok);
		assert.ok(!parseSettingValue(spec, "1.5").ok);
		const flag = settingSpec("customKeysAllowed");
		assert.ok(flag);
		assert.deepEqual(parseSettingValue(flag, "No"), { ok: true, value: false });
		assert.ok(!parseSettingValue(flag, "maybe").ok);
	});
	test("instants: spans back from now or dates", () => {
		assert.deepEqual(parseInstant("24h", now), { ok: true, value: now.getTime() - 86_400_000 });
		assert.deepEqual(parseInstant("2026-11-01", now), {
			ok: true,
			value: Date.parse("2026-11-01T00:00:00Z"),
		});
		assert.equal(parseInstant("yesterday", now).ok, false);
	});
	test("terminal text is neutralised", () => {
		assert.equal(safeLine("a\u001b]52;c;AAAA\u0007b\r\n"), "a\\x1b]52;c;AAAA\\x07b\\x0d\\x0a");
		assert.equal(safeLine("\u202eevil"), "\\u202eevil");
		assert.equal(safeLine("日本 é"), "日本 é");
	});
});
