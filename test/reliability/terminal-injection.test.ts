/**
 * Text from outside must never drive the terminal: key names, descriptions, users, feeds and groups,
 * access-log paths, clients, user agents and bodies carrying escape sequences (CSI, OSC 52 clipboard
 * writes, OSC 0 titles), BEL, CR, backspace, C1 controls and bidi overrides are shown escaped, in the
 * console in a real terminal and on the command line; wide, combining and zero-width characters keep
 * the columns aligned. The rules refuse control characters on the way in, so the hostile keys are
 * written straight into the SQLite file, as another program, an older version or a tampered copy
 * could have left them, and the hostile log entries go in through the store's log writer, as a
 * proxy's or a remote instance's would; what the server itself lets through (C1 bytes in headers,
 * raw bytes in bodies) goes through the real server.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import Database from "better-sqlite3";
import { LocalStore } from "../../source/store/local-store.js";
import { accessEntry } from "../support/access-entry.js";
import { type Console, openConsole } from "../support/console-driver.js";
import { runCli } from "../support/run-cli.js";
import { startServer } from "../support/server-process.js";

/** Every kind of sequence at once; each is followed by a marker so a leak is found wherever it lands. */
const payload =
	"\u001b[6n\u001b[38;5;201mPINK\u001b]52;c;SU5KRUNURUQ=\u0007\u001b]0;PWNED\u0007\u0007\rOVR\bBKS\u009b5iC1\u202eRTL\u2066ISO\u2069";

/** Bidi controls up front, where a screen shows them before the line is cut. */
const bidi = "\u202eRTL\u2066ISO\u2069";

/** What the payload must never produce in the raw output of a program that draws its own screen. */
const leakedSequences: Array<[string, string]> = [
	["OSC (clipboard or title)", "\u001b]"],
	["BEL", "\u0007"],
	["device status request", "\u001b[6n"],
	["256-colour SGR (the console uses only the 16 basic colours)", "\u001b[38;5;201m"],
	["carriage return from the data", "\rOVR"],
	["backspace from the data", "\bBKS"],
	["bidi override", "\u202e"],
	["bidi isolate", "\u2066"],
];

/** Every leak in output a program drew on a terminal (its own CSI sequences are expected). */
function leaksInScreenOutput(raw: string): string[] {
	const found = leakedSequences.filter(([, bytes]) => raw.includes(bytes)).map(([name]) => name);
	if (/[\u0080-\u009f]/.test(raw)) found.push("C1 control");
	return found;
}

/** Every control character in output meant for a pipe, where the program writes none of its own. */
function leaksInPlainOutput(text: string): string[] {
	return [...new Set(text.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g) ?? [])].map(
		(c) => `U+${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`,
	);
}

/** How the payload looks escaped, as far as a 100-column screen shows it. */
const escapedStart = "\\x1b[6n\\x1b[38;5;201mPINK\\x1b]52;c;";

/** Text the rules accept that is hard to measure: wide, fullwidth, combining and zero-width. */
const awkwardNames = ["漢字のキー名前", "ＦＵＬＬ ｗｉｄｔｈ", "e\u0301e\u0301 combining", "zero\u200bwidth\u200djoin", "mixed 日本 e\u0301"];

interface HostileStore {
	db: string;
	dir: string;
	adminKey: string;
	hostileIds: number[];
}

async function hostileStore(t: TestContext): Promise<HostileStore> {
	// The store's own folder name carries the payload too: the header and `status` show it.
	const root = mkdtempSync(join(tmpdir(), "apikeys-tui-injection-"));
	t.after(() => rmSync(root, { recursive: true, force: true }));
	const dir = join(root, `store${payload}`);
	mkdirSync(dir);
	const db = join(dir, "keys.db");
	const store = LocalStore.open(db);
	const admin = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin", logging: "both" }, { actor: "test" });
	for (const name of awkwardNames) {
		await store.createKey({ type: "personal", user: name, displayName: name, description: name }, { actor: "test" });
	}
	const hostileIds: number[] = [];
	for (const type of ["system", "feed", "feed", "personal"] as const) {
		const input =
			type === "system"
				? { type, systemApis: ["sca"] }
				: type === "personal"
					? { type, user: "placeholder" }
					: { type, feed: "placeholder", packagePermissions: ["view"] };
		hostileIds.push((await store.createKey({ ...input, displayName: "placeholder" }, { actor: "test" })).record.id);
	}
	await store.close();

	const sql = new Database(db);
	const tamper = sql.prepare("UPDATE api_keys SET display_name = ?, description = ? WHERE id = ?");
	for (const [i, id] of hostileIds.entries()) tamper.run(`name${i}:${payload}`, `description:${bidi}${payload}\nsecond line`, id);
	sql.prepare("UPDATE api_keys SET feed = ? WHERE id = ?").run(`feed:${payload}`, hostileIds[1]);
	sql.prepare("UPDATE api_keys SET feed = NULL, feed_group = ? WHERE id = ?").run(`group:${payload}`, hostileIds[2]);
	sql.prepare("UPDATE api_keys SET user_name = ? WHERE id = ?").run(`user:${payload}`, hostileIds[3]);
	// Fields no front end lets anyone type, which only a tampered file or a remote answer can hold.
	sql.prepare("UPDATE api_keys SET key_hint = ?, expiration = ?, created_at = ? WHERE id = ?").run(`hint:${payload}`, `expires:${payload}`, `created:${payload}`, hostileIds[0]);
	// Scopes, the audit trail and a logged status: each column holds whatever a tampered file puts in it.
	sql.prepare("UPDATE api_keys SET system_apis = ? WHERE id = ?").run(JSON.stringify(["sca", `scope:${payload}`]), hostileIds[0]);
	sql.prepare("UPDATE audit_log SET at = ?, action = ? WHERE key_id = ?").run(`at:${payload}`, `act:${payload}`, hostileIds[0]);
	sql
		.prepare("INSERT INTO access_log (at, key_id, method, path, status, duration_ms, client) VALUES (?, ?, 'GET', '/tampered', ?, 1, '::1')")
		.run(Date.now() - 60_000, hostileIds[0], `st:${payload}`);
	sql.close();

	// Through the real server: a C1 byte in a header (Node reads headers as latin1) and raw control
	// bytes in logged bodies, made with the admin key, whose logging is "both".
	const server = await startServer(db);
	const rawRequest = (head: string, body: Buffer) =>
		new Promise<void>((resolve) => {
			const socket = connect(server.port, "127.0.0.1", () => socket.end(Buffer.concat([Buffer.from(head, "latin1"), body])));
			socket.resume();
			socket.on("close", () => resolve());
			socket.on("error", () => resolve());
		});
	const body = Buffer.from(`{"displayName":"body:${payload}"`, "utf8");
	await rawRequest(
		`POST /api/api-keys/create HTTP/1.1\r\nHost: x\r\nX-ApiKey: ${admin.key}\r\nUser-Agent: agent\u009b5i\u0080end\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
		body,
	);
	assert.equal(await server.stop(), 0);

	// Through the store's log writer, what a proxy or a remote instance could report.
	const writer = LocalStore.open(db);
	writer.logAccess(
		accessEntry({
			keyId: hostileIds[0],
			method: `GET${payload}`,
			path: `/path/${payload}`,
			client: `client${payload}`,
			userAgent: `agent:${payload}`,
			requestBody: `request:${payload}`,
			responseBody: JSON.stringify({ response: payload, nested: { deeper: [payload] } }),
			status: 418,
		}),
	);
	writer.flushAccessLog();
	await writer.close();
	return { db, dir, adminKey: admin.key, hostileIds };
}

/** The screen column where `word` starts on row `y`, counting cells as the terminal laid them out. */
function columnOf(row: string[], word: string): number {
	for (let x = 0; x + word.length <= row.length; x++) {
		if (row.slice(x, x + word.length).join("") === word) return x;
	}
	return -1;
}

async function assertListAligned(con: Console): Promise<void> {
	const rows = await con.terminal.cells();
	const header = rows.find((row) => columnOf(row, "NAME") >= 0 && columnOf(row, "STATUS") >= 0);
	assert.ok(header, `no header row on:\n${await con.frame()}`);
	const statusColumn = columnOf(header, "STATUS");
	const typeColumn = columnOf(header, "TYPE");
	const keyRows = rows.filter((row) => /enabled|disabled/.test(row.join("")));
	assert.ok(keyRows.length >= awkwardNames.length + 4, `only ${keyRows.length} key rows on:\n${await con.frame()}`);
	for (const row of keyRows) {
		const text = row.join("");
		assert.equal(columnOf(row, "enabled"), statusColumn, `STATUS out of line in: ${text}`);
		const type = ["system", "feed", "personal"].map((word) => columnOf(row, ` ${word} `) + 1).find((x) => x > 0);
		assert.equal(type, typeColumn, `TYPE out of line in: ${text}`);
	}
}

/** Every access-log row's path starts under PATH, however long its method and client were. */
async function assertLogRowsAligned(con: Console): Promise<void> {
	const rows = await con.terminal.cells();
	const header = rows.find((row) => columnOf(row, "PATH") >= 0 && columnOf(row, "METHOD") >= 0);
	assert.ok(header, `no header row on:\n${await con.frame()}`);
	const pathColumn = columnOf(header, "PATH");
	const entryRows = rows.filter((row) => /\d ms /.test(row.join("")));
	assert.ok(entryRows.length >= 2, `only ${entryRows.length} entries on:\n${await con.frame()}`);
	for (const row of entryRows) assert.equal(row[pathColumn], "/", `PATH out of line in: ${row.join("")}`);
}

/**
 * The console on the hostile store, opened as a local store or through the server as a remote
 * instance (whose answers the console trusts no more than the file).
 */
async function consoleOn(t: TestContext, store: HostileStore, where: "local" | "remote"): Promise<Console> {
	if (where === "local") return openConsole(t, [`--db=${store.db}`], { columns: 110, rows: 30 });
	const server = await startServer(store.db);
	t.after(() => server.stop());
	return openConsole(t, [`--source=${server.url}/`], { columns: 110, rows: 30, env: { APIKEYS_TUI_API_KEY: store.adminKey } });
}

for (const where of ["local", "remote"] as const) {
	test(`the console (${where}) shows hostile text escaped on every screen, never sends it to the terminal, and keeps columns aligned`, async (t) => {
		const store = await hostileStore(t);
		const con = await consoleOn(t, store, where);
		const total = awkwardNames.length + 1 + store.hostileIds.length;
		await con.expectText((s) => s.includes(`1 of ${total}`) && s.includes("name3"), 30_000);
		if (where === "local") {
			assert.ok((await con.frame()).includes("store\\x1b[6n"), `the header does not show the store's folder escaped:\n${await con.frame()}`);
		}
		await assertListAligned(con);
		assert.ok((await con.frame()).includes("name0:\\x1b"), "a hostile name is shown escaped in the list");

		// The first hostile key's detail: every field, escaped.
		await con.press("down", awkwardNames.length + 1);
		await con.expectText(`${awkwardNames.length + 2} of ${total}`);
		await con.press("open");
		await con.expectText((s) => s.includes("Description:") && s.includes("name0:") && s.includes("/path/"));
		let screen = await con.frame();
		// The detail wraps a long line under itself: the path may go on the next line.
		assert.ok(screen.replace(/\s+/g, " ").includes("418 /path/\\x1b[6n"), `the recent request's path is not shown escaped:\n${screen}`);
		assert.ok(screen.includes("at:\\x1b[6n\\x1b[38;5;") && screen.includes("act:\\x1b"), `the audit trail is not shown escaped:\n${screen}`);
		for (const field of [
			"Name:         name0:",
			"Description:  description:\\u202eRTL\\u2066ISO\\u2069",
			"Key:          hint:",
			"Expires:      expires:",
			"Created:      created:",
		]) {
			assert.ok(screen.includes(`${field}${escapedStart}`), `${field} is not shown escaped:\n${screen}`);
		}
		// A remote instance's scopes come back in lower case.
		const apis = "APIs:         Manage SCA (Projects & Builds), scope:";
		assert.ok(screen.toLowerCase().includes(`${apis}${escapedStart}`.toLowerCase()), `${apis} is not shown escaped:\n${screen}`);
		// A remote client may leave out an entry whose status is not a number: then it is not drawn at all.
		// The detail's end, where the wrapped lines above have pushed it.
		if (where === "local") {
			await con.press("bottom");
			await con.expectText("st:\\x1b[6n");
		}
		await con.press("back");
		await con.expectText("STATUS");

		// Each scope field on its own key's detail.
		for (const [offset, field] of [
			[1, "Feeds:        feed feed:"],
			[2, "Feeds:        group group:"],
			[3, "User:         user:"],
		] as const) {
			await con.press("down");
			await con.expectText(`${awkwardNames.length + 2 + offset} of ${total}`);
			await con.press("open");
			await con.expectText((s) => s.includes(`name${offset}:`) && s.includes("Description:"));
			screen = await con.frame();
			assert.ok(screen.includes(`${field}${escapedStart}`), `${field} is not shown escaped:\n${screen}`);
			await con.press("back");
			await con.expectText("STATUS");
		}

		// The delete confirmation names the key.
		await con.press("delete");
		await con.expectText("Delete key");
		assert.ok((await con.frame()).includes(`(name3:${escapedStart.slice(0, 20)}`), "the delete prompt shows the name escaped");
		await con.press("confirm-no");
		await con.expectText("STATUS");

		// Every access-log entry, and the one with hostile bodies.
		await con.press("logs-all");
		await con.expectText((s) => s.includes("All requests") && s.includes("/path/"));
		screen = await con.frame();
		assert.ok(screen.includes("/path/\\x1b[6n"), `the path is not shown escaped:\n${screen}`);
		await assertLogRowsAligned(con);
		// Only the refused requests: through a remote instance the console's own requests are logged too.
		await con.press("filter");
		await con.expectText("(status:4xx");
		await con.type("status:4xx");
		await con.press("next");
		await con.expectText((s) => s.includes("filter: status:4xx") && !/ 200 {4}/.test(s));
		await con.press("open");
		await con.expectText("Request body:");
		screen = await con.frame();
		for (const text of ["request:\\x1b[6n", "\"response\": \"\\u001b[6n", "agent:\\x1b[6n", "client\\x1b[6n", "GET\\x1b[6n"]) {
			assert.ok(screen.includes(text), `"${text}" is not on the entry's screen:\n${screen}`);
		}
		await con.press("back");
		await con.expectText("All requests");
		await con.press("down");
		await con.press("open");
		await con.expectText((s) => s.includes("Request body:") && s.includes("body:"));
		screen = await con.frame();
		assert.ok(screen.includes("agent\\x9b5i\\x80end"), `the server-logged agent is not shown escaped:\n${screen}`);
		assert.ok(screen.includes(`body:${escapedStart}`), `the raw body is not shown escaped:\n${screen}`);
		await con.press("back");
		await con.expectText("All requests");
		await con.press("quit");
		assert.equal(await con.expectExit(), 0);

		const leaks = leaksInScreenOutput(con.terminal.output());
		assert.deepEqual(leaks, [], "the hostile text reached the terminal");
		assert.equal(con.terminal.bells(), 0, "the terminal rang");
		assert.deepEqual(con.terminal.titles, [], "the terminal's title was set");
	});
}

test("list, logs and status print hostile text escaped, with no control character at all", async (t) => {
	const store = await hostileStore(t);
	for (const args of [["list"], ["logs"], ["logs", "--limit=1000"], ["status"]]) {
		const result = await runCli([...args, `--db=${store.db}`]);
		assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
		assert.deepEqual(leaksInPlainOutput(result.stdout + result.stderr), [], `${args.join(" ")} printed control characters`);
	}
	const list = (await runCli(["list", `--db=${store.db}`])).stdout;
	for (const text of [`name0:${escapedStart}`, `Feed:         feed:${escapedStart}`, `Feed group:   group:${escapedStart}`, `User:        user:${escapedStart}`]) {
		assert.ok(list.includes(text), `list does not show "${text}":\n${list}`);
	}
	const logs = (await runCli(["logs", `--db=${store.db}`])).stdout;
	for (const text of ["/path/\\x1b[6n", "GET\\x1b[6n", "client\\x1b[6n", "st:\\x1b[6n"]) assert.ok(logs.includes(text), `logs does not show "${text}":\n${logs}`);
	const status = (await runCli(["status", `--db=${store.db}`])).stdout;
	assert.ok(status.includes("\\x1b]0;PWNED"), `status does not show the folder escaped:\n${status}`);

	// The same values as a remote instance's answers, through the real server.
	const server = await startServer(store.db);
	t.after(() => server.stop());
	for (const args of [["list"], ["logs", "--limit=1000"], ["settings"], ["status"]]) {
		const result = await runCli([...args, `--source=${server.url}/`], { env: { APIKEYS_TUI_API_KEY: store.adminKey } });
		assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
		assert.deepEqual(leaksInPlainOutput(result.stdout + result.stderr), [], `${args.join(" ")} --source printed control characters`);
	}

	// JSON keeps every value exactly, with the controls a terminal would obey written as escapes.
	for (const args of [["list", "--json"], ["logs", "--json"], ["status", "--json"]]) {
		const result = await runCli([...args, `--db=${store.db}`]);
		assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
		assert.deepEqual(leaksInPlainOutput(result.stdout), [], `${args.join(" ")} printed control characters`);
	}
	const keys = JSON.parse((await runCli(["list", "--json", `--db=${store.db}`])).stdout) as Array<{ displayName: string }>;
	assert.ok(keys.some((k) => k.displayName === `name0:${payload}`), "list --json does not give the name exactly");
	const entries = (JSON.parse((await runCli(["logs", "--json", `--db=${store.db}`])).stdout) as { entries: Array<{ path: string }> }).entries;
	assert.ok(entries.some((e) => e.path === `/path/${payload}`), "logs --json does not give the path exactly");
});

/**
 * A hostile or intercepted remote instance, standing in for ProGet: it answers every request with
 * `answer(path)`. What it says reaches stderr (errors) and stdout (values) only escaped.
 */
interface HostileAnswer {
	status: number;
	body: string;
	headers?: Record<string, string>;
}

function hostileRemote(t: TestContext, answer: (path: string) => HostileAnswer): Promise<string> {
	const server = createServer((request, response) => {
		request.resume();
		request.on("end", () => {
			const { status, body, headers } = answer(new URL(request.url ?? "/", "http://x").pathname);
			response.writeHead(status, { "Content-Type": "application/json", ...headers }).end(body);
		});
	});
	return new Promise((resolve) => {
		server.listen(0, "127.0.0.1", () => {
			t.after(() => server.close());
			const address = server.address();
			resolve(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`);
		});
	});
}

test("a hostile remote's error bodies, bad JSON, versions and key text reach the command line escaped", async (t) => {
	const hostileKey = { id: 7, type: "System", key: `key:${payload}`, systemApis: ["sca"], logging: "None", displayName: "k" };
	const remotes: Record<string, (path: string) => HostileAnswer> = {
		"a 500 whose body's first line is hostile": () => ({ status: 500, body: `${payload}\nsecond line` }),
		"a 403 with a hostile reason": () => ({ status: 403, body: payload }),
		"a 404 with a hostile body": () => ({ status: 404, body: payload }),
		"an answer that is not JSON": () => ({ status: 200, body: `${payload}{not json` }),
		"JSON of the wrong shape": () => ({ status: 200, body: JSON.stringify({ message: payload }) }),
		"a created key's text": (path) =>
			path.endsWith("/create") || path.endsWith("/regenerate")
				? { status: 200, body: JSON.stringify(hostileKey) }
				: { status: 200, body: JSON.stringify(path.endsWith("/list") ? [hostileKey] : { releaseNumber: payload }) },
	};
	const config = mkdtempSync(join(tmpdir(), "apikeys-tui-injection-config-"));
	t.after(() => rmSync(config, { recursive: true, force: true }));
	for (const [name, answer] of Object.entries(remotes)) {
		const url = await hostileRemote(t, answer);
		const env = { APIKEYS_TUI_API_KEY: "k".repeat(40), XDG_CONFIG_HOME: config, HOME: config };
		for (const args of [["list"], ["list", "--json"], ["create", "system", "--apis=sca"], ["status"], ["settings"], ["logs"]]) {
			const result = await runCli([...args, `--source=${url}`], { env });
			assert.deepEqual(leaksInPlainOutput(result.stdout + result.stderr), [], `${name}, ${args.join(" ")} printed control characters:\n${result.stdout}${result.stderr}`);
			assert.doesNotMatch(result.stderr, /\n\s+at /, `${name}, ${args.join(" ")}: a stack trace`);
		}
		// A source named in pgutil's own config file (which anyone may have written) and tested.
		mkdirSync(join(config, "pgutil"), { recursive: true });
		writeFileSync(join(config, "pgutil", "pgutil.config"), JSON.stringify({ sources: [{ name: `src:${payload}`, url }] }));
		for (const args of [["sources", "list"], ["sources", "test"]]) {
			const result = await runCli(args, { env });
			assert.deepEqual(leaksInPlainOutput(result.stdout + result.stderr), [], `${name}, ${args.join(" ")} printed control characters:\n${result.stdout}${result.stderr}`);
		}
	}
	const version = await runCli(["sources", "test"], { env: { XDG_CONFIG_HOME: config, HOME: config } });
	assert.ok(version.stdout.includes("Successfully contacted ProGet \\x1b[6n"), `sources test does not show the version escaped:\n${version.stdout}`);
});

test("an import file's hostile values are shown escaped in the import report", async (t) => {
	const dir = mkdtempSync(join(tmpdir(), "apikeys-tui-injection-import-"));
	t.after(() => rmSync(dir, { recursive: true, force: true }));
	const file = join(dir, "keys.json");
	writeFileSync(
		file,
		JSON.stringify([
			{ type: "system", systemApis: ["sca"], displayName: `ok:${payload}`, key: "a-custom-key-long-enough-1" },
			{ type: `type:${payload}`, displayName: `bad:${payload}`, key: "a-custom-key-long-enough-2" },
			{ type: "system", systemApis: [`api:${payload}`], displayName: "bad api", key: "a-custom-key-long-enough-3" },
			{ type: "feed", feed: `feed:${payload}`, packagePermissions: [`perm:${payload}`], key: "a-custom-key-long-enough-4" },
		]),
	);
	for (const partial of [[], ["--partial"]]) {
		const result = await runCli(["import", file, ...partial, `--db=${join(dir, "keys.db")}`]);
		assert.deepEqual(leaksInPlainOutput(result.stdout + result.stderr), [], `import ${partial.join(" ")} printed control characters:\n${result.stdout}${result.stderr}`);
		assert.ok(result.stdout.includes("bad:\\x1b[6n"), `the report does not name the item escaped:\n${result.stdout}`);
	}
});

test("the console over a hostile remote: capability reasons and key values are drawn escaped", async (t) => {
	const off = { available: false, reason: `off:${payload}` };
	const hostileKey = { id: 7, type: "System", systemApis: [`scope:${payload}`], logging: "None", displayName: `k:${payload}` };
	const url = await hostileRemote(t, (path) => {
		if (path.endsWith("/capabilities")) {
			const capabilities = Object.fromEntries(["update", "enable", "roll", "accessLogs", "settings", "audit", "lastUsed", "convert"].map((name) => [name, off]));
			return { status: 200, body: JSON.stringify({ product: "apikeys-tui", profile: "proget", capabilities }) };
		}
		if (path.endsWith("/list")) return { status: 200, body: JSON.stringify([hostileKey]) };
		if (path.endsWith("/get")) return { status: 200, body: JSON.stringify(hostileKey) };
		// It says it is apikeys-tui, so that the console asks for its capabilities and shows their reasons.
		if (path.endsWith("/health")) {
			const health = { applicationName: "apikeys-tui", releaseNumber: payload, serviceStatus: "OK" };
			return { status: 200, body: JSON.stringify(health), headers: { "X-ApiKeys-Tui-Version": "0.1.0" } };
		}
		return { status: 404, body: payload };
	});
	const con = openConsole(t, [`--source=${url}`], { columns: 110, rows: 30, env: { APIKEYS_TUI_API_KEY: "k".repeat(40) } });
	await con.expectText("1 of 1", 30_000);
	await con.press("help");
	await con.expectScreen("help");
	await con.expectText("(off: off:\\x1b[6n");
	await con.press("back");
	await con.expectText("1 of 1");
	await con.press("open");
	await con.expectText("Key 7 · k:\\x1b[6n");
	// The audit trail and the requests are not there, for the instance's reason.
	await con.expectText("(off:\\x1b[6n");
	await con.press("back");
	await con.expectScreen("list");
	for (const command of ["logs-all", "roll", "edit"] as const) {
		await con.press(command);
		await con.expectText(`✗ ${command.replace("-", " ")}: off:\\x1b[6n`);
	}
	await con.press("quit");
	await con.expectExit();
	assert.deepEqual(leaksInScreenOutput(con.terminal.output()), [], "the hostile text reached the terminal");
	assert.deepEqual(con.terminal.titles, [], "the terminal's title was set");
});
