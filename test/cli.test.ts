import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { pathScanWindow } from "../source/store/access-log.js";
import { LocalStore } from "../source/store/local-store.js";
import { accessEntry } from "./support/access-entry.js";
import { runCli } from "./support/run-cli.js";
import { tempDbPath, tempDir } from "./support/temp-store.js";

describe("create, list, delete: pgutil's output", () => {
	test("create prints only the key and a newline", async (t) => {
		const db = tempDbPath(t);
		const system = await runCli([
			"create",
			"system",
			`--db=${db}`,
			"--apis=feeds,sca",
			"--expiration=2030/08/01",
		]);
		assert.equal(system.code, 0, system.stderr);
		assert.match(system.stdout, /^[0-9a-f]{40}\n$/);
		assert.equal(system.stderr, "");
		const spaced = await runCli([
			"create",
			"feed",
			"--db",
			db,
			"--feed",
			"public-npm",
			"--permissions",
			"view,add",
		]);
		assert.equal(spaced.code, 0, spaced.stderr);
		assert.match(spaced.stdout, /^[0-9a-f]{40}\n$/, "--opt value works as well as --opt=value");
		const store = LocalStore.open(db);
		t.after(() => store.close());
		assert.equal(
			store.verifyNow(system.stdout.trim(), { kind: "system-api", api: "sca" }).outcome,
			"valid",
		);
	});

	test("list matches pgutil byte for byte", async (t) => {
		const db = tempDbPath(t);
		await LocalStore.open(db).close();
		assert.equal((await runCli(["list", `--db=${db}`])).stdout, "No API keys are defined.\n");
		const create = async (...args: string[]) => {
			const result = await runCli(["create", ...args, `--db=${db}`]);
			assert.equal(result.code, 0, result.stderr);
		};
		await create("personal", "--user=Admin");
		await create(
			"system",
			"--apis=feeds",
			"--logging=both",
			"--name=Feeds Key",
			"--expiration=2030-08-01",
		);
		await create("feed", "--group=production-feeds", "--logging=Response");
		await create("feed", "--feed=mycompany-nuget", "--permissions=view,add", "--name=Build Server");
		await create("system");
		const list = await runCli(["list", `--db=${db}`]);
		assert.equal(list.code, 0);
		assert.equal(
			list.stdout,
			[
				"(unnamed key)",
				"  Id:          1000",
				"  Expiration:  None",
				"  Logging:     None",
				"  Type:        Personal",
				"  User:        Admin",
				"",
				"Feeds Key",
				"  Id:          1001",
				"  Expiration:  08/01/2030",
				"  Logging:     Both",
				"  Type:        System",
				"  APIs:        feeds",
				"",
				"(unnamed key)",
				"  Id:           1002",
				"  Expiration:   None",
				"  Logging:      Response",
				"  Type:         Feed",
				"  Feed group:   production-feeds",
				"  Permissions:  view, add, promote, delete",
				"",
				"Build Server",
				"  Id:           1003",
				"  Expiration:   None",
				"  Logging:      None",
				"  Type:         Feed",
				"  Feed:         mycompany-nuget",
				"  Permissions:  view, add",
				"",
				"(unnamed key)",
				"  Id:          1004",
				"  Expiration:  None",
				"  Logging:     None",
				"  Type:        System",
				"  APIs:        full-control",
				"",
				"",
			].join("\n"),
		);
		const json = await runCli(["list", `--db=${db}`, "--json"]);
		const items = JSON.parse(json.stdout) as Record<string, unknown>[];
		assert.equal(items.length, 5);
		assert.deepEqual(Object.keys(items[1] ?? {}).slice(0, 7), [
			"id",
			"type",
			"displayName",
			"systemApis",
			"expiration",
			"logging",
			"enabled",
		]);
		assert.equal(items[1]?.type, "system");
		assert.equal(items[1]?.expiration, "2030-08-01T00:00:00Z");
		assert.ok(!json.stdout.includes('"key"'), "never the secret");
	});

	test("delete prints pgutil's two lines; an unknown id fails with exit 1", async (t) => {
		const db = tempDbPath(t);
		await runCli(["create", "personal", "--user=bob", `--db=${db}`]);
		const deleted = await runCli(["delete", "--id=1000", `--db=${db}`]);
		assert.equal(deleted.code, 0);
		assert.equal(deleted.stdout, "Deleting API key (id=1000)...\nAPI key deleted.\n");
		const again = await runCli(["delete", "--id=1000", `--db=${db}`]);
		assert.equal(again.code, 1);
		assert.equal(again.stdout, "Deleting API key (id=1000)...\n");
		assert.equal(again.stderr, "apikeys-tui: no API key has id 1000\n");
	});
});

describe("bad input: one line, exit 2, nothing stored", () => {
	const cases: [string, string[], RegExp][] = [
		["no type", ["create"], /missing key type/],
		["unknown type", ["create", "admin"], /key type must be one of system, feed, personal, other/],
		["legacy type", ["create", "other"], /legacy \(type other\) keys cannot be created/],
		[
			"bad apis",
			["create", "system", "--apis=root"],
			/^--apis error: an invalid value for API was specified/,
		],
		["mixed apis", ["create", "system", "--apis=full-control,sca"], /^--apis error/],
		[
			"bad permission",
			["create", "feed", "--feed=a", "--permissions=view,fly"],
			/^--permissions error/,
		],
		[
			"feed and group",
			["create", "feed", "--feed=a", "--group=b"],
			/either --feed, --group or --all-feeds/,
		],
		["no feed", ["create", "feed"], /either --feed, --group or --all-feeds/],
		["no user", ["create", "personal"], /^--user error: required/],
		[
			"bad logging",
			["create", "system", "--logging=loud"],
			/^--logging error: must be one of none, request, response, both/,
		],
		[
			"bad date",
			["create", "system", "--expiration=31/12/2030"],
			/^--expiration error: "31\/12\/2030" is not a valid date \(read month first, MM\/DD\/YYYY/,
		],
		[
			"past date",
			["create", "system", "--expiration=Jan 1, 2001"],
			/^--expiration error: "Jan 1, 2001" is in the past\n/,
		],
		["unknown option", ["create", "system", "--colour=red"], /^unexpected argument: --colour/],
		[
			"repeated option",
			["create", "system", "--name=a", "--name=b"],
			/^option specified more than once: --name/,
		],
		[
			"short custom key",
			["create", "system", "--key=abc"],
			/^--key error: a custom key must be at least 16/,
		],
		[
			"control characters",
			["create", "personal", "--user=bob", "--name=a\u001b[2Jb"],
			/^--name error: must not contain control/,
		],
		[
			"huge name",
			["create", "personal", "--user=bob", `--name=${"n".repeat(500)}`],
			/^--name error: must be at most 200/,
		],
		["missing id", ["delete"], /^missing required argument: --id/],
		["bad id", ["delete", "--id=-4"], /--id error|unexpected argument/],
		["nothing to update", ["update", "--id=1000"], /nothing to change/],
		["unknown command", ["frobnicate"], /unknown command "frobnicate"/],
		// Without --source the local store is used: a key or user given means a remote was meant (pgutil's Default source).
		["api key on a local store", ["create", "system", "--api-key=abc"], /^--api-key error: applies to a remote instance \(--source\)/],
		["user on a local store", ["list", "--username=jr", "--password=pw"], /^--username error: applies to a remote instance \(--source\)/],
		["bad profile", ["list", "--profile=jenkins"], /^--profile error/],
		["bad status filter", ["logs", "--status=teapot"], /^--status error/],
		["bad since", ["logs", "--since=yesterday"], /^--since error/],
		[
			"bad setting",
			["settings", "--set=min-custom-key-length=3"],
			/min-custom-key-length must be between 8 and 1000/,
		],
	];
	for (const [name, args, expected] of cases) {
		test(name, async (t) => {
			const db = tempDbPath(t);
			const result = await runCli([...args, `--db=${db}`]);
			assert.equal(result.code, 2, `${result.stdout}${result.stderr}`);
			assert.match(result.stderr, expected);
			assert.ok(!result.stderr.includes("    at "), "no stack trace");
			assert.equal(result.stdout, "");
			const list = await runCli(["list", `--db=${db}`]);
			assert.ok(list.stdout === "No API keys are defined.\n" || /no store at/.test(list.stderr), "nothing stored");
		});
	}

	test("a store that is not SQLite: one line, exit 1, file untouched", async (t) => {
		const db = join(tempDir(t), "notes.txt");
		writeFileSync(db, "my notes");
		const result = await runCli(["list", `--db=${db}`]);
		assert.equal(result.code, 1);
		assert.match(result.stderr, /^apikeys-tui: .*notes\.txt: is not an apikeys-tui store/);
		assert.equal(result.stderr.split("\n").length, 2);
	});
});

describe("the other commands", () => {
	test("--key=- reads the custom key from stdin, never argv", async (t) => {
		const db = tempDbPath(t);
		const key = "piped-custom-key-0123456789";
		const result = await runCli(
			["create", "feed", "--all-feeds", "--permissions=view", "--key=-", `--db=${db}`],
			{
				stdin: `${key}\n`,
			},
		);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stdout, `${key}\n`);
		const empty = await runCli(["create", "system", "--key=-", `--db=${db}`], { stdin: "" });
		assert.equal(empty.code, 2);
		assert.match(empty.stderr, /standard input held no key/);
	});

	test("update, disable, enable and roll", async (t) => {
		const db = tempDbPath(t);
		const key = (await runCli(["create", "feed", "--feed=npm", `--db=${db}`])).stdout.trim();
		const updated = await runCli([
			"update",
			"--id=1000",
			"--logging=both",
			"--group=prod",
			"--json",
			`--db=${db}`,
		]);
		assert.equal(updated.code, 0, updated.stderr);
		assert.deepEqual(JSON.parse(updated.stdout), {
			id: 1000,
			type: "feed",
			packagePermissions: ["view", "add", "promote", "delete"],
			feedGroup: "prod",
			logging: "both",
		});
		assert.equal(
			(await runCli(["disable", "--id=1000", `--db=${db}`])).stdout,
			"API key disabled (id=1000).\n",
		);
		const store = LocalStore.open(db);
		t.after(() => store.close());
		assert.equal(store.verifyNow(key, { kind: "any" }).outcome, "disabled");
		assert.equal(
			(await runCli(["enable", "--id=1000", `--db=${db}`])).stdout,
			"API key enabled (id=1000).\n",
		);
		const rolled = await runCli(["roll", "--id=1000", `--db=${db}`]);
		assert.match(rolled.stdout, /^[0-9a-f]{40}\n$/);
		assert.equal(store.verifyNow(key, { kind: "any" }).outcome, "not-found");
		assert.equal(store.verifyNow(rolled.stdout.trim(), { kind: "any" }).outcome, "valid");
		const missing = await runCli(["update", "--id=4242", "--name=x", `--db=${db}`]);
		assert.equal(missing.code, 1);
		assert.equal(missing.stderr, "apikeys-tui: no API key has id 4242\n");
	});

	test("import from JSON and CSV: all or nothing, with a report", async (t) => {
		const dir = tempDir(t);
		const db = join(dir, "keys.db");
		const json = join(dir, "keys.json");
		writeFileSync(
			json,
			JSON.stringify([
				{
					type: "System",
					systemApis: ["feeds"],
					key: "AKCp8-artifactory-0001",
					displayName: "Artifactory CI",
				},
				{
					type: "feed",
					packagePermissions: ["view"],
					feed: "npm",
					key: "too-short",
					displayName: "Short",
				},
			]),
		);
		const refused = await runCli(["import", json, `--db=${db}`]);
		assert.equal(refused.code, 1);
		assert.equal(
			refused.stdout,
			"Refused 1 of the keys:\n  item 2 (Short): key: a custom key must be at least 16 characters\nNothing was imported. Fix these, or use --partial to import the others.\n",
		);
		assert.equal((await runCli(["list", `--db=${db}`])).stdout, "No API keys are defined.\n");
		const partial = await runCli(["import", json, "--partial", `--db=${db}`]);
		assert.equal(partial.code, 1);
		assert.match(
			partial.stdout,
			/Imported 1 API key\.\n {2}item 1 \(Artifactory CI\) → id 1000\n$/,
		);

		const csv = join(dir, "keys.csv");
		writeFileSync(
			csv,
			'type,key,displayName,packagePermissions,feed,systemApis,user\r\nfeed,legacy-npm-key-000000001,"npm, publish","view;add",npm,,\r\nother,legacy-native-key-0000001,Old native,,,"native-api,feed-api",builder\r\n',
		);
		const fromCsv = await runCli(["import", csv, `--db=${db}`]);
		assert.equal(fromCsv.code, 0, fromCsv.stdout + fromCsv.stderr);
		assert.match(fromCsv.stdout, /Imported 2 API keys\./);
		const store = LocalStore.open(db);
		t.after(() => store.close());
		const legacy = store.verifyNow("legacy-native-key-0000001", {
			kind: "system-api",
			api: "sca",
		});
		assert.equal(legacy.outcome, "valid");
		assert.equal(legacy.record?.type, "other");
		const bad = await runCli(["import", join(dir, "missing.json"), `--db=${db}`]);
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /cannot read .*missing\.json: ENOENT/);
		writeFileSync(json, "{not json");
		assert.match((await runCli(["import", json, `--db=${db}`])).stderr, /the JSON cannot be read/);
	});

	test("convert turns a legacy key into its 2024 equivalent", async (t) => {
		const db = tempDbPath(t);
		await runCli(["import", "-", `--db=${db}`], {
			stdin: JSON.stringify([
				{ type: "other", systemApis: ["webhooks"], key: "webhook-only-key-0001" },
				{ type: "other", systemApis: ["native-api"], key: "native-legacy-key-0001" },
			]),
		});
		const refused = await runCli(["convert", "--id=1000", `--db=${db}`]);
		assert.equal(refused.code, 2);
		assert.match(refused.stderr, /Webhooks API has no equivalent/);
		const converted = await runCli(["convert", "--id=1001", `--db=${db}`]);
		assert.equal(converted.stdout, "API key converted (id=1001): now a system key.\n");
	});

	test("logs and settings", async (t) => {
		const db = tempDbPath(t);
		const store = LocalStore.open(db);
		await store.createKey(
			{ type: "system", systemApis: ["feeds"], displayName: "CI" },
			{ actor: "t" },
		);
		for (let i = 0; i < 3; i++) {
			store.logAccess(
				accessEntry({
					at: Date.parse("2026-11-20T10:00:00Z") + i * 1000,
					keyId: 1000,
					path: `/api/x\u001b[31m${i}`,
					status: i === 2 ? 404 : 200,
					durationMs: 2.25,
					client: "127.0.0.1",
					userAgent: "curl/8",
				}),
			);
		}
		await store.close();
		const logs = await runCli(["logs", "--status=4xx", `--db=${db}`]);
		assert.equal(logs.code, 0, logs.stderr);
		assert.equal(
			logs.stdout,
			"2026-11-20 10:00:02  #1000   GET     404     2.3 ms  127.0.0.1        /api/x\\x1b[31m2\n",
		);
		const json = JSON.parse(
			(await runCli(["logs", "--key=1000", "--limit=2", "--json", `--db=${db}`])).stdout,
		);
		assert.equal(json.entries.length, 2);
		assert.equal(json.entries[0].keyName, "CI");
		assert.equal(typeof json.nextBefore, "number");
		assert.equal(
			(await runCli(["logs", "--method=POST", `--db=${db}`])).stdout,
			"No access-log entries match.\n",
		);

		const set = await runCli([
			"settings",
			"--set=max-lifetime-days=365",
			"--set",
			"personal-keys-allowed=no",
			`--db=${db}`,
		]);
		assert.equal(set.code, 0, set.stderr);
		assert.match(set.stdout, /^max-lifetime-days {6}365$/m);
		assert.match(set.stdout, /^personal-keys-allowed {2}false$/m);
		const personal = await runCli(["create", "personal", "--user=bob", `--db=${db}`]);
		assert.equal(personal.code, 2);
		assert.match(personal.stderr, /personal keys are disabled/);
	});

	test("logs: a method or path filter reads on past the newest entries until the page is full", async (t) => {
		const db = tempDbPath(t);
		const store = LocalStore.open(db);
		const start = Date.parse("2026-11-20T10:00:00Z");
		// Three older DELETEs, then more than one scan window of GETs.
		for (let i = 0; i < 3; i++) store.logAccess(accessEntry({ at: start + i * 1000, method: "DELETE", path: `/old/${i}` }));
		for (let i = 0; i < pathScanWindow + 500; i++) store.logAccess(accessEntry({ at: start + 10_000 + i, path: "/new" }));
		await store.close();
		const text = await runCli(["logs", "--method=delete", `--db=${db}`]);
		assert.equal(text.code, 0, text.stderr);
		assert.deepEqual(text.stdout.trim().split("\n").map((line) => line.split(/\s+/).at(-1)), ["/old/2", "/old/1", "/old/0"]);
		assert.equal(text.stderr, "", "nothing more to read");
		const json = JSON.parse((await runCli(["logs", "--path=/old/", "--limit=2", "--json", `--db=${db}`])).stdout);
		assert.deepEqual(json.entries.map((e: { path: string }) => e.path), ["/old/2", "/old/1"]);
		assert.equal(typeof json.nextBefore, "number", "a full page says where the next one starts");
	});

	test("an otter store offers Otter's scopes only", async (t) => {
		const db = tempDbPath(t);
		const created = await runCli([
			"create",
			"system",
			"--apis=jobs-trigger,variables",
			"--profile=otter",
			`--db=${db}`,
		]);
		assert.equal(created.code, 0, created.stderr);
		const native = await runCli(["create", "system", `--db=${db}`]);
		assert.equal(native.code, 0);
		const list = await runCli(["list", `--db=${db}`]);
		assert.match(list.stdout, /APIs: {8}jobs-view, jobs-trigger|APIs: {8}jobs-trigger, variables/);
		assert.match(list.stdout, /APIs: {8}native-api/);
		const feed = await runCli(["create", "feed", "--feed=x", `--db=${db}`]);
		assert.equal(feed.code, 2);
		assert.match(feed.stderr, /^an otter store has no feed keys/);
		const proget = await runCli(["list", "--profile=proget", `--db=${db}`]);
		assert.equal(proget.code, 1);
		assert.match(proget.stderr, /profile cannot be changed/);
		const status = await runCli(["status", "--json", `--db=${db}`]);
		assert.equal(JSON.parse(status.stdout).profile, "otter");
	});

	test("--help and --version", async () => {
		const help = await runCli(["--help"]);
		assert.equal(help.code, 0);
		for (const name of ["create", "list", "delete", "update", "import", "logs", "settings"]) {
			assert.match(help.stdout, new RegExp(`^ {2}${name} `, "m"));
		}
		const createHelp = await runCli(["create", "--help"]);
		assert.match(createHelp.stdout, /--apis=APIS/);
		assert.match(createHelp.stdout, /--key=- reads it from/);
		assert.match((await runCli(["--version"])).stdout, /^\d+\.\d+\.\d+\n$/);
		// pgutil's `apikeys -?` lists its three commands; so does ours, exit 0.
		for (const args of [["apikeys", "-?"], ["apikeys", "--help"]]) {
			const apikeys = await runCli(args);
			assert.equal(apikeys.code, 0, apikeys.stderr);
			assert.equal(apikeys.stderr, "");
			for (const name of ["create", "list", "delete"]) assert.match(apikeys.stdout, new RegExp(`^ {2}${name} `, "m"), args.join(" "));
			assert.doesNotMatch(apikeys.stdout, /^ {2}update /m, "only what pgutil apikeys has");
		}
		assert.equal((await runCli(["apikeys"])).code, 2, "no command is still a usage error");
	});
});
