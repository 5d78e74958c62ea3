/**
 * An outside attacker against `serve` (issue 19, items 1-6): keys in failed requests and in every
 * legitimate encoding never reach the access log, a presented key chooses nothing else that is
 * redacted, guessing is bounded per client however the guesses are sent, and requests without a
 * valid key can neither fill the server's memory nor the store's disk.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import Database from "better-sqlite3";
import { clientIdentity } from "../../source/server/client-identity.js";
import { loggedFailuresPerMinute } from "../../source/server/api-server.js";
import { unknownKeyTextBytes } from "../../source/server/exchange.js";
import { FailureLogLimit } from "../../source/server/client-limits.js";
import { LocalStore } from "../../source/store/local-store.js";
import { entryBytesSql } from "../../source/store/access-log.js";
import { runCli } from "../support/run-cli.js";
import { residentMb, servedStore } from "./support/fixture.js";
import { findSecrets, storeFiles, tally } from "./support/secrets.js";
import { sized } from "./support/size.js";

interface RawAnswer {
	status: number;
	headers: string;
	body: string;
}

/** Sends bytes on one connection and reads every answer until the server closes it or `count` came. */
function exchange(port: number, bytes: string | Buffer, count: number): Promise<{ answers: RawAnswer[]; closed: boolean }> {
	return new Promise((resolve) => {
		const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
		let text = "";
		const answers: RawAnswer[] = [];
		let done = false;
		const end = (closed: boolean) => {
			if (done) return;
			done = true;
			socket.destroy();
			resolve({ answers, closed });
		};
		socket.setEncoding("latin1").on("data", (chunk: string) => {
			text += chunk;
			for (;;) {
				const head = text.indexOf("\r\n\r\n");
				if (head < 0) break;
				const headers = text.slice(0, head);
				const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0);
				if (text.length < head + 4 + length) break;
				answers.push({ status: Number(headers.slice(9, 12)), headers, body: text.slice(head + 4, head + 4 + length) });
				text = text.slice(head + 4 + length);
			}
			if (answers.length >= count) end(false);
		});
		socket.on("close", () => end(true));
		socket.on("error", () => end(true));
	});
}

function request(method: string, path: string, headers: Record<string, string>, body = ""): string {
	const lines = Object.entries({ Host: "x", ...headers, ...(body ? { "Content-Length": String(Buffer.byteLength(body)) } : {}) });
	return `${method} ${path} HTTP/1.1\r\n${lines.map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n${body}`;
}

/** Every character percent-encoded, in lower case: what some clients send, and the server decodes. */
function overEncoded(text: string): string {
	return [...Buffer.from(text, "utf8")].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
}

/** A key's text with its `/` and `+` JSON-escaped the way PHP and .NET write them. */
function escapedJson(text: string): string {
	return text.replace(/\//g, "\\/").replace(/\+/g, "\\u002B");
}

test("no key in any request, failed or not, in any encoding, reaches the access log; an unknown key blanks nothing else", async (t) => {
	const served = await servedStore(t, "both");
	const { port } = served.server;
	const store = LocalStore.open(served.db);
	const victim = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "victim", logging: "both" }, { actor: "test" });
	const slashy = "migrated/key+with/slashes+0001";
	await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "migrated", logging: "both" }, { actor: "test", key: slashy });
	await store.close();
	const refusedCustom = "about-to-be-live-custom-key-0042";
	const admin = { "X-ApiKey": served.admin, "User-Agent": "attacker/1.0" };
	const json = { ...admin, "Content-Type": "application/json" };
	const form = { ...admin, "Content-Type": "application/x-www-form-urlencoded" };
	const sends: Array<[string, number]> = [
		// A custom key refused by a rule (the retry would make it live), and a 409 duplicate of a live key.
		[request("POST", "/api/api-keys/settings", json, JSON.stringify({ "min-custom-key-length": 40 })), 200],
		[request("POST", "/api/api-keys/create", json, JSON.stringify({ type: "system", systemApis: ["sca"], key: refusedCustom })), 400],
		[request("POST", "/api/api-keys/settings", json, JSON.stringify({ "min-custom-key-length": 16 })), 200],
		[request("POST", "/api/api-keys/create", json, JSON.stringify({ type: "system", systemApis: ["sca"], key: victim.key })), 409],
		// verify with a form content type, and with the key of the wrong type.
		[request("POST", "/api/api-keys/verify", form, `key=${victim.key}`), 400],
		[request("POST", "/api/api-keys/verify", json, JSON.stringify({ key: [victim.key] })), 400],
		[request("POST", "/api/api-keys/verify", json, JSON.stringify({ key: { nested: slashy } })), 400],
		// JSON escapes (\/ and \u002B), in the verified key and in API_Key.
		[request("POST", "/api/api-keys/verify", json, `{"key":"${escapedJson(slashy)}"}`), 200],
		[request("POST", "/api/api-keys/verify", { "Content-Type": "application/json" }, `{"API_Key":"${escapedJson(slashy)}","key":"${escapedJson(victim.key)}"}`), 200],
		// Lower-case and needless percent-encoding in the query and in a form, a form key's name encoded.
		[request("GET", `/api/api-keys/list?key=${overEncoded(slashy)}`, {}), 200],
		[request("GET", `/api/api-keys/list?details=true&key=${slashy.replace(/\//g, "%2f").replace(/\+/g, "%2b")}`, {}), 200],
		[request("POST", "/api/api-keys/verify", { "Content-Type": "application/x-www-form-urlencoded" }, `k%65y=${overEncoded(victim.key)}`), 400],
		// A second key: the header's plus ?key=, and API_Key twice.
		[request("GET", `/api/api-keys/list?key=${victim.key}`, admin), 200],
		[request("POST", "/api/api-keys/verify", { "Content-Type": "application/json" }, `{"API_Key":"${victim.key}","API_Key":"${served.admin}","key":"x"}`), 200],
		// Names in another case or nested, a name escaped in valid JSON, Basic auth.
		[request("GET", `/api/api-keys/list?KEY=${victim.key}&Api-Key=${overEncoded(slashy)}`, admin), 200],
		[request("POST", "/api/api-keys/verify", json, JSON.stringify({ outer: { Api_Key: victim.key, list: [{ password: slashy }] } })), 400],
		[request("POST", "/api/api-keys/verify", json, `{"k\\u0065y":"${escapedJson(slashy)}"}`), 200],
		[request("GET", "/api/api-keys/list", { Authorization: `Basic ${Buffer.from(`api:${victim.key}`).toString("base64")}` }), 200],
		// A real key also put in the path of an unknown route.
		[request("GET", `/api/api-keys/nothing/${victim.key}`, { "X-ApiKey": victim.key }), 404],
		// A body that is neither JSON nor a form, naming a key in an escaped way.
		[request("POST", "/api/api-keys/verify", { ...admin, "Content-Type": "text/plain" }, `{"k\\u0065y":"${escapedJson(slashy)}"`), 400],
		// Unknown keys chosen to match the path and the user agent.
		[request("GET", "/api/api-keys/list", { "X-ApiKey": "/", "User-Agent": "attacker/1.0" }), 403],
		[request("GET", "/api/api-keys/list?key=api", { "User-Agent": "api-client" }), 403],
	];
	for (const [bytes, status] of sends) {
		const { answers } = await exchange(port, bytes, 1);
		assert.equal(answers[0]?.status, status, `${bytes.split("\r\n")[0]}: ${answers[0]?.body}`);
	}
	assert.equal(await served.server.stop(), 0);
	const logs = await runCli(["logs", "--json", "--limit=1000", `--db=${served.db}`]);
	assert.equal(logs.code, 0, logs.stderr);
	type Entry = { path: string; userAgent: string | null; requestBody: string | null; status: number };
	const { entries } = JSON.parse(logs.stdout) as { entries: Entry[] };
	assert.ok(entries.length >= sends.length - 1, `only ${entries.length} entries were logged`);
	assert.ok(entries.some((e) => e.requestBody?.includes("[redacted]")), "no logged body was redacted");
	const scan = findSecrets([served.admin, victim.key, slashy, refusedCustom], [...storeFiles(served.db), ["logs --json", logs.stdout]]);
	assert.deepEqual(scan.leaks, [], "a key was logged in a form the scan can read");
	// The unknown key "/" was presented in a header: its entry keeps its path and user agent whole.
	const slash = entries.find((e) => e.status === 403 && e.userAgent === "attacker/1.0");
	assert.equal(slash?.path, "/api/api-keys/list", "an unknown key blanked the path of its own entry");
	const api = entries.find((e) => e.status === 403 && e.userAgent === "api-client");
	assert.equal(api?.path, "/api/api-keys/list?key=[redacted]", "an unknown key is redacted only where it was presented");
	tally("redaction_requests", sends.length);
});

test("the scan reads what it scans decoded: JSON escapes, percent-encoding in any case, base64", () => {
	const key = "migrated/key+with/slashes+0001";
	for (const text of [`"${escapedJson(key)}"`, overEncoded(key), encodeURIComponent(encodeURIComponent(key)), Buffer.from(`x:${key}`).toString("base64url")]) {
		assert.equal(findSecrets([key], [["sample", text]]).leaks.length, 1, text);
	}
	assert.deepEqual(findSecrets([key], [["clean", `"key":"[redacted]" ${overEncoded("other")}`]]).leaks, []);
});

test("a client address is an IPv4 address or an IPv6 /64", () => {
	assert.equal(clientIdentity("192.0.2.7"), "192.0.2.7");
	assert.equal(clientIdentity("::ffff:192.0.2.7"), "192.0.2.7");
	assert.equal(clientIdentity("2001:db8:1:2:aaaa::1"), clientIdentity("2001:db8:1:2:ffff:ffff:ffff:ffff"));
	assert.notEqual(clientIdentity("2001:db8:1:2::1"), clientIdentity("2001:db8:1:3::1"));
	assert.equal(clientIdentity("2001:0db8:0001:0002:0:0:0:1"), "2001:db8:1:2::/64");
});

test("guesses pipelined on one connection or spread over many get no more keys checked than guesses sent one by one", async (t) => {
	const served = await servedStore(t, "none");
	const { port } = served.server;
	const guesses = sized(2000, 300);
	const pipelined = Array.from({ length: guesses }, (_, i) => request("GET", "/api/api-keys/list", { "X-ApiKey": `guess-${i}`.padEnd(40, "0") })).join("");
	const burst = await exchange(port, pipelined, guesses);
	const checked = burst.answers.filter((a) => a.status === 403).length;
	const refused = burst.answers.filter((a) => a.status === 429);
	t.diagnostic(`${guesses} pipelined guesses: ${checked} checked (403), ${refused.length} refused (429) before the server closed the connection`);
	tally("pipelined_guesses_sent", guesses);
	// Four failures are free, the fifth's answer is held; until it is out no guess is checked.
	assert.equal(checked, 5, "guesses checked from one pipelined burst");
	assert.ok(burst.closed, "the connection was closed after the refusal");
	assert.match(refused[0]?.headers ?? "", /\r\nRetry-After: \d+/i);
	assert.equal(burst.answers.length, checked + refused.length);
	// Other connections of the same client are held to the same schedule.
	const parallel = await Promise.all(
		Array.from({ length: 20 }, (_, i) => exchange(port, request("GET", "/api/api-keys/list", { "X-ApiKey": `other-${i}` }), 1)),
	);
	const parallelChecked = parallel.filter((p) => p.answers[0]?.status === 403).length;
	assert.ok(parallelChecked <= 1, `${parallelChecked} of 20 parallel guesses were checked`);
	// A guesser that waits as told gets the same schedule: its next guess is held longer still.
	const retryAfter = Number(/Retry-After: (\d+)/i.exec(parallel.find((p) => p.answers[0]?.status === 429)?.answers[0]?.headers ?? "")?.[1] ?? 0);
	await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
	const next = await exchange(port, request("GET", "/api/api-keys/list", { "X-ApiKey": "sequential" }), 1);
	assert.equal(next.answers[0]?.status, 403);
	assert.ok(Number(/X-ApiKeys-Tui-Held-Ms: (\d+)/i.exec(next.answers[0]?.headers ?? "")?.[1]) >= 200, "the next guess was not held longer");
	// Once that answer is out, the admin's key works and clears the count.
	const good = await exchange(port, request("GET", "/api/api-keys/list", { "X-ApiKey": served.admin }), 1);
	assert.equal(good.answers[0]?.status, 200);
});

/** Opens `count` connections that each send headers for a 1 MiB body and most of it, without a key. */
async function keylessBodies(port: number, count: number): Promise<Socket[]> {
	const size = 1_048_576;
	const head = request("POST", "/api/api-keys/create", { "Content-Type": "application/json", "Content-Length": String(size) });
	const chunk = Buffer.alloc(size - 1, 0x20);
	const sockets: Socket[] = [];
	await Promise.all(
		Array.from(
			{ length: count },
			() =>
				new Promise<void>((resolve) => {
					const socket = connect(port, "127.0.0.1", () => socket.write(head, () => socket.write(chunk, () => resolve())));
					socket.on("error", () => resolve());
					socket.on("close", () => resolve());
					socket.resume();
					sockets.push(socket);
				}),
		),
	);
	return sockets;
}

test("keyless bodies cannot fill the server's memory, and a second flood reuses what the first took", async (t) => {
	const served = await servedStore(t, "none");
	const { port } = served.server;
	const pid = served.server.process.pid as number;
	const before = residentMb(pid);
	const count = sized(2000, 400);
	const flood = async () => {
		const sockets = await keylessBodies(port, count);
		await new Promise((resolve) => setTimeout(resolve, 500));
		const during = residentMb(pid);
		// A client with its key in the header is answered meanwhile: its body is not held back.
		const verify = request("POST", "/api/api-keys/verify", { "X-ApiKey": served.admin, "Content-Type": "application/json" }, JSON.stringify({ key: "x" }));
		const good = await exchange(port, verify, 1);
		assert.equal(good.answers[0]?.status, 200);
		for (const socket of sockets) socket.destroy();
		await new Promise((resolve) => setTimeout(resolve, 1000));
		return { during, after: residentMb(pid) };
	};
	const first = await flood();
	const second = await flood();
	t.diagnostic(
		`${count} keyless connections with 1 MiB bodies, twice: RSS ${before.toFixed(0)} MB before, ` +
		`${first.during.toFixed(0)} / ${second.during.toFixed(0)} MB during, ${first.after.toFixed(0)} / ${second.after.toFixed(0)} MB after`,
	);
	tally("keyless_body_connections", 2 * count);
	// Buffered, the bodies would add `count` MB (1,716 MB for 2,000 before the fix, and kept). The
	// shared budget (32 MiB), bodies refused before they are read and 256 connections per address keep
	// the growth to a fraction of that, and a second flood does not add as much again.
	assert.ok(first.during - before < count * 0.4, `RSS grew from ${before.toFixed(0)} to ${first.during.toFixed(0)} MB for ${count} MB of bodies`);
	assert.ok(second.after - first.after < count * 0.25, `the second flood grew RSS from ${first.after.toFixed(0)} to ${second.after.toFixed(0)} MB`);
});

test("a wrong key in the header is refused before its body is sent", async (t) => {
	const served = await servedStore(t, "none");
	const head = request("POST", "/api/api-keys/create", { "X-ApiKey": "wrong".padEnd(40, "0"), "Content-Type": "application/json", "Content-Length": "1000000" });
	const { answers, closed } = await exchange(served.server.port, head, 1);
	assert.equal(answers[0]?.status, 403, "no answer until the body came");
	assert.match(answers[0]?.headers ?? "", /\r\nConnection: close/i);
	assert.equal(closed, false);
});

test("failures with unknown keys cannot fill the disk: short entries, a few a minute per client, the rest counted; log-max-bytes prunes oldest first", async (t) => {
	const served = await servedStore(t, "both");
	const { port } = served.server;
	const requests = sized(2000, 400);
	// Node's header limit is 16 KB: a path and an agent of 7 KB each fill it.
	const long = "x".repeat(7_000);
	const flood = Array.from({ length: requests }, (_, i) => request("GET", `/api/api-keys/nothing/${i}/${long}`, { "X-ApiKey": `unknown-${i}`, "User-Agent": long })).join("");
	// Unknown routes are not throttled, so every one of them is answered.
	const { answers } = await exchange(port, flood, requests);
	assert.equal(answers.length, requests);
	assert.equal(await served.server.stop(), 0);
	const store = LocalStore.open(served.db);
	t.after(() => store.close());
	const sql = new Database(served.db, { readonly: true });
	t.after(() => sql.close());
	const page = await store.queryAccessLog({}, { limit: 1000 });
	const written = sql.prepare(`SELECT count(*) AS rows, sum(${entryBytesSql}) AS bytes FROM access_log`).get() as { rows: number; bytes: number };
	t.diagnostic(`${requests} requests with 7 KB paths and agents and unknown keys: ${written.rows} entries, ${written.bytes} bytes logged`);
	tally("disk_fill_requests", requests);
	assert.equal(written.rows, loggedFailuresPerMinute + 1, "failures logged in the minute, and the count of the rest");
	assert.match(page.entries[0]?.path ?? "", new RegExp(`^\\(${requests - loggedFailuresPerMinute} more failed requests`));
	for (const entry of page.entries) {
		assert.ok(Buffer.byteLength(entry.path) <= unknownKeyTextBytes + 40, `a path of ${entry.path.length} characters`);
		assert.ok(Buffer.byteLength(entry.userAgent ?? "") <= unknownKeyTextBytes + 40);
	}

	// The byte cap: entries past it are pruned oldest first.
	await store.updateSettings({ "log-max-bytes": String(1_048_576) }, "test");
	const body = "y".repeat(60_000);
	for (let i = 0; i < 40; i++) {
		store.logAccess({ at: Date.now(), keyId: served.adminId, method: "POST", path: `/big/${i}`, status: 200, durationMs: 1, client: "127.0.0.1", userAgent: null, requestBody: body, responseBody: null });
	}
	store.flushAccessLog();
	await store.pruneAccessLog();
	const left = sql.prepare("SELECT count(*) FROM access_log WHERE path LIKE '/big/%'").pluck().get() as number;
	const total = sql.prepare(`SELECT sum(${entryBytesSql}) FROM access_log`).pluck().get() as number;
	assert.ok(total <= 1_048_576, `${total} bytes left`);
	assert.ok(left >= 15 && left < 40, `${left} large entries left`);
	const newest = (await store.queryAccessLog({}, { limit: 1 })).entries[0];
	assert.equal(newest?.path, "/big/39", "the newest entry was pruned");
});

test("failures over the per-client rate, or over the rate of all clients, are counted, and the count is logged when the minute is over", () => {
	let now = 0;
	const reports: Array<[string | undefined, number]> = [];
	const limit = new FailureLogLimit(3, 5, (client, skipped) => reports.push([client, skipped]), () => now);
	const admitted = Array.from({ length: 10 }, () => limit.admit("192.0.2.1"));
	assert.deepEqual(admitted, [true, true, true, false, false, false, false, false, false, false]);
	assert.equal(limit.admit("192.0.2.2"), true, "another client has its own count");
	assert.equal(limit.admit("192.0.2.3"), true);
	assert.equal(limit.admit("192.0.2.4"), false, "all clients together are over their limit");
	now = 60_000;
	limit.sweep();
	assert.deepEqual(reports, [["192.0.2.1", 7], [undefined, 1]]);
	assert.equal(limit.admit("192.0.2.1"), true, "a new minute");
});
