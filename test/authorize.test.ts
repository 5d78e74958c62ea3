import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, type TestContext, test } from "node:test";
import { headerText } from "../source/server/authorize.js";
import { clientAddress, TrustedProxies } from "../source/server/client-address.js";
import { type GatewayKeys, seedGatewayKeys } from "./support/gateway-keys.js";
import { waitFor } from "./support/postgres.js";
import { runCli } from "./support/run-cli.js";
import { logEntries as newestFirst } from "./support/served-api.js";
import { type ServedEngine, servedEngines, type StoreUnderTest, withStore } from "./support/served-engines.js";
import type { RunningServer } from "./support/server-process.js";
import { tempDbPath } from "./support/temp-store.js";

interface Fixture {
	store: StoreUnderTest;
	keys: GatewayKeys;
	server: RunningServer;
}

async function serve(t: TestContext, engine: ServedEngine, args: string[] = []): Promise<Fixture> {
	const store = await engine.newStore(t);
	const keys = await seedGatewayKeys(store);
	return { store, keys, server: await store.serve(args) };
}

/** Asks the authorize route, as a gateway would, with the given query and headers. */
async function ask(fixture: Fixture, query: string, headers: Record<string, string> = {}, init: RequestInit = {}) {
	const response = await fetch(`${fixture.server.url}/api/api-keys/authorize${query}`, { ...init, headers });
	return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The access log, oldest first. */
async function logEntries(store: StoreUnderTest) {
	return (await newestFirst(store)).reverse();
}

const view = "?feed=public-npm&feedPermission=view";
const add = "?feed=public-npm&feedPermission=add";

for (const engine of servedEngines()) {
	describe(`the authorize route answers a gateway with a status it acts on (${engine.name})`, { skip: engine.skip }, () => {
		test("each key passes exactly the checks its scopes allow; refused keys get 403, no key 401", async (t) => {
			const fixture = await serve(t, engine);
			const { keys } = fixture;
			const status = async (query: string, key: string) => (await ask(fixture, query, { "X-ApiKey": key })).status;
			const cases: [string, string, string, number][] = [
				["viewer", keys.viewer, view, 204],
				["viewer", keys.viewer, add, 403],
				["viewer", keys.viewer, "?feed=other-feed&feedPermission=view", 403],
				["uploader", keys.uploader, add, 204],
				["uploader", keys.uploader, "?feed=public-npm&feedPermission=delete", 403],
				["group", keys.group, "?feed=public-npm&feedGroup=npm-feeds&feedPermission=view", 204],
				["group", keys.group, view, 403],
				["system (feeds)", keys.system, "?feed=anything&feedPermission=delete", 204],
				["system (feeds)", keys.system, "?systemApi=feeds", 204],
				["system (feeds)", keys.system, "?systemApi=full-control", 403],
				["viewer", keys.viewer, "?systemApi=feeds", 403],
				["personal", keys.personal, view, 204],
				["personal", keys.personal, `${view}&allowPersonal=false`, 403],
				["viewer", keys.viewer, "", 204],
				["viewer", keys.viewer, `${view}&allowPersonal=false`, 204],
				["disabled", keys.disabled, view, 403],
				["disabled", keys.disabled, "", 403],
				["expired", keys.expired, view, 403],
				["expired", keys.expired, "", 403],
				["wrong", `${keys.viewer}x`, view, 403],
				["wrong", `${keys.viewer}x`, "", 403],
			];
			for (const [name, key, query, expected] of cases) {
				assert.equal(await status(query, key), expected, `${name} ${query || "(any key)"}`);
			}
			const none = await ask(fixture, view);
			assert.equal(none.status, 401);
			assert.match(none.headers.get("www-authenticate") ?? "", /^Basic realm="apikeys-tui"/);
		});

		test("an allowed answer names the key in headers; the names that are not ASCII are percent-encoded", async (t) => {
			const fixture = await serve(t, engine);
			const personal = await ask(fixture, view, { "X-ApiKey": fixture.keys.personal });
			assert.equal(personal.status, 204);
			assert.equal(personal.text, "");
			assert.equal(personal.headers.get("x-apikey-id"), String(fixture.keys.ids.personal));
			assert.equal(personal.headers.get("x-apikey-type"), "personal");
			assert.equal(decodeURIComponent(personal.headers.get("x-apikey-name") ?? ""), "Zoë's laptop");
			assert.equal(personal.headers.get("x-apikey-user"), "Zo%C3%AB");
			const system = await ask(fixture, "", { "X-ApiKey": fixture.keys.system });
			assert.equal(system.headers.get("x-apikey-name"), "build server");
			assert.equal(system.headers.get("x-apikey-user"), "", "always sent, so a client's own header cannot reach the upstream");
			const refused = await ask(fixture, add, { "X-ApiKey": fixture.keys.viewer });
			assert.equal(refused.headers.get("x-apikey-id"), null, "a refusal names no key");
		});

		test("the key is the forwarded request's own: header, Basic api:KEY, or ?key= in the original URI, never the route's query", async (t) => {
			const fixture = await serve(t, engine);
			const key = fixture.keys.viewer;
			const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
			assert.equal((await ask(fixture, view, { Authorization: basic("api", key) })).status, 204, "Basic api:KEY");
			assert.equal((await ask(fixture, view, { Authorization: basic("admin", key) })).status, 401, "Basic with another user");
			const uri = `/feeds/public-npm/download?x=1&key=${encodeURIComponent(key)}`;
			for (const header of ["X-Original-URI", "X-Forwarded-Uri", "X-Envoy-Original-Path"]) {
				assert.equal((await ask(fixture, view, { [header]: uri })).status, 204, header);
			}
			assert.equal((await ask(fixture, `${view}&key=${key}`)).status, 401, "the route's own query is configuration");
			assert.equal((await ask(fixture, view, { "X-ApiKey": `${key}x`, "X-Original-URI": uri })).status, 403, "the header comes first");
		});

		test("any method and any path below the route; a body is never read; Envoy's appended query configures nothing", async (t) => {
			const fixture = await serve(t, engine);
			const key = fixture.keys.viewer;
			for (const method of ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
				const init: RequestInit = method === "GET" || method === "HEAD" ? { method } : { method, body: "x".repeat(2_000_000) };
				assert.equal((await ask(fixture, view, { "X-ApiKey": key }, init)).status, 204, method);
			}
			const below = await fetch(`${fixture.server.url}/api/api-keys/authorize/feeds/public-npm/upload?systemApi=full-control`, {
				headers: { "X-ApiKey": key },
			});
			assert.equal(below.status, 204, "a query after a path below the route is the client's, not a check");
			const appended = await fetch(`${fixture.server.url}/api/api-keys/authorize/feeds/public-npm/download?key=${key}`);
			assert.equal(appended.status, 204, "the key in the original query appended to the route's path");
			const refused = await fetch(`${fixture.server.url}/api/api-keys/authorize/x`, { headers: { "X-ApiKey": fixture.keys.disabled } });
			assert.equal(refused.status, 403);
			assert.equal((await fetch(`${fixture.server.url}/api/api-keys/authorizeX`, { headers: { "X-ApiKey": key } })).status, 404);
		});

		test("a configuration the profile does not know is a 400, and a store that fails is a 503: never a 2xx", async (t) => {
		// A PostgreSQL node answers from memory while its database is away, until --max-staleness has passed.
			const fixture = await serve(t, engine, engine.seesChangesAtOnce ? [] : ["--max-staleness=2"]);
			const key = fixture.keys.system;
			for (const query of ["?feedPermission=veiw", "?systemApi=nope", "?feed=public-npm", "?allowPersonal=no", "?systemApi=feeds&feedPermission=view"]) {
				const answer = await ask(fixture, query, { "X-ApiKey": key });
				assert.equal(answer.status, 400, query);
				assert.ok(answer.text.length > 0, `${query} says why`);
			}
			await fixture.store.breakStore();
			// Reads look at the store file again a few times a second; wait past that.
			if (engine.seesChangesAtOnce) await new Promise((resolve) => setTimeout(resolve, 1_000));
			else await waitFor(async () => (await ask(fixture, "", { "X-ApiKey": key })).status !== 204, "the node to find its database gone");
			const broken = await ask(fixture, "", { "X-ApiKey": key });
			assert.equal(broken.status, 503);
		});
	});

	describe(`the access log and the throttle see the client behind the gateway (${engine.name})`, { skip: engine.skip }, () => {
		test("the gateway's request is logged as the key's use: original method and URI, key redacted; last use set", async (t) => {
			const fixture = await serve(t, engine);
			const key = fixture.keys.uploader;
			await ask(fixture, add, { "X-Original-URI": `/feeds/public-npm/upload?key=${key}`, "X-Original-Method": "PUT" });
			await ask(fixture, view, { "X-ApiKey": key, "X-Forwarded-Uri": "/feeds/public-npm/download/a.tgz", "X-Forwarded-Method": "GET" });
			await ask(fixture, add, { "X-ApiKey": fixture.keys.viewer, "X-Original-URI": "/feeds/public-npm/upload", "X-Original-Method": "POST" });
			await fetch(`${fixture.server.url}/api/api-keys/authorize/feeds/public-npm/download?key=${key}`, { method: "HEAD" });
			const second = "a-second-key-in-the-uri";
			await ask(fixture, view, { "X-ApiKey": key, "X-Original-URI": `/f?key=${second}`, "X-Original-Method": "not a method" });
			await fixture.server.stop();
			const entries = await logEntries(fixture.store);
			assert.deepEqual(
				entries.map((e) => [e.keyId, e.method, e.path, e.status, e.client]),
				[
					[fixture.keys.ids.uploader, "PUT", "/feeds/public-npm/upload?key=[redacted]", 204, "127.0.0.1"],
					[fixture.keys.ids.uploader, "GET", "/feeds/public-npm/download/a.tgz", 204, "127.0.0.1"],
					[fixture.keys.ids.viewer, "POST", "/feeds/public-npm/upload", 403, "127.0.0.1"],
					[fixture.keys.ids.uploader, "HEAD", "/feeds/public-npm/download?key=[redacted]", 204, "127.0.0.1"],
					[fixture.keys.ids.uploader, "GET", "/f?key=[redacted]", 204, "127.0.0.1"],
				],
			);
			await withStore(fixture.store, async (store) => {
				assert.ok((await store.getKey(fixture.keys.ids.uploader))?.lastUsedAt, "last use is recorded");
				assert.equal((await store.getKey(fixture.keys.ids.group))?.lastUsedAt, null);
			});
		});

		test("X-Forwarded-For and X-Real-IP name the client only from a --trust-proxy address", async (t) => {
			const trusting = await serve(t, engine, ["--trust-proxy=127.0.0.0/8,::1"]);
			const untrusting = await serve(t, engine);
			for (const fixture of [trusting, untrusting]) {
				const key = fixture.keys.viewer;
				await ask(fixture, view, { "X-ApiKey": key, "X-Forwarded-For": "203.0.113.9, 198.51.100.7, 127.0.0.2" });
				await ask(fixture, view, { "X-ApiKey": key, "X-Real-IP": "198.51.100.8" });
				await fixture.server.stop();
			}
			assert.deepEqual(
				(await logEntries(trusting.store)).map((e) => e.client),
				["198.51.100.7", "198.51.100.8"],
				"the rightmost address that is not a trusted proxy",
			);
			assert.deepEqual((await logEntries(untrusting.store)).map((e) => e.client), ["127.0.0.1", "127.0.0.1"]);
		});

		test("behind a trusted gateway, one client's bad guesses slow that client down, not the next one", async (t) => {
			const fixture = await serve(t, engine, ["--trust-proxy=127.0.0.1"]);
			const guess = async (client: string) => {
				const started = performance.now();
				const answer = await ask(fixture, view, { "X-ApiKey": "guess-guess-guess", "X-Forwarded-For": client });
				assert.ok(answer.status === 403 || answer.status === 429, `${answer.status}`);
				return { status: answer.status, ms: performance.now() - started };
			};
			const guesser = [];
			for (let i = 0; i < 9; i++) guesser.push(await guess("198.51.100.66"));
			const neighbour = await guess("198.51.100.77");
			const slowest = Math.max(...guesser.map((g) => g.ms));
			// Held back (a delay) or turned away (429): either way the guesser, not its neighbour.
			const held = guesser.some((g) => g.status === 429) || slowest > 3 * neighbour.ms;
			assert.ok(held, `guesser waited up to ${slowest.toFixed(0)} ms, its neighbour ${neighbour.ms.toFixed(0)} ms`);
			assert.equal(neighbour.status, 403, "the neighbour's first failure is an ordinary refusal");
			assert.equal((await ask(fixture, view, { "X-ApiKey": fixture.keys.viewer, "X-Forwarded-For": "198.51.100.77" })).status, 204);
		});
	});
}

test("--trust-proxy takes addresses and CIDR ranges and refuses anything else", async (t) => {
	const db = tempDbPath(t);
	for (const bad of ["10.0.0.0/33", "example.com", "10.0.0.1,", "::1/129"]) {
		const run = await runCli(["serve", `--db=${db}`, "--port=0", `--trust-proxy=${bad}`]);
		assert.equal(run.code, 2, bad);
		assert.match(run.stderr, /--trust-proxy error: .* is not an IP address or a CIDR range/, bad);
	}
});

/** A request as the server sees one: who connected and the headers sent. */
function fakeRequest(remoteAddress: string, headers: Record<string, string | string[]>): IncomingMessage {
	return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

test("the client's address: forwarded headers believed only from a trusted proxy, rightmost untrusted hop first", () => {
	const trusted = TrustedProxies.parse("10.0.0.0/8, 192.0.2.1, fd00::/8");
	const cases: [string, Record<string, string | string[]>, string][] = [
		["10.1.2.3", { "x-forwarded-for": "203.0.113.5" }, "203.0.113.5"],
		["10.1.2.3", { "x-forwarded-for": "6.6.6.6, 203.0.113.5, 10.9.9.9" }, "203.0.113.5"],
		["10.1.2.3", { "x-forwarded-for": "10.7.7.7, 10.9.9.9" }, "10.7.7.7"],
		["10.1.2.3", { "x-forwarded-for": "203.0.113.5, not-an-address" }, "10.1.2.3"],
		["10.1.2.3", { "x-forwarded-for": ["6.6.6.6", "203.0.113.5"] }, "203.0.113.5"],
		["::ffff:10.1.2.3", { "x-forwarded-for": "2001:db8::1" }, "2001:db8::1"],
		["fd12::1", { "x-real-ip": "203.0.113.6" }, "203.0.113.6"],
		["192.0.2.1", { "x-real-ip": "nonsense" }, "192.0.2.1"],
		["192.0.2.2", { "x-forwarded-for": "203.0.113.5", "x-real-ip": "203.0.113.6" }, "192.0.2.2"],
		["127.0.0.1", { "x-forwarded-for": "203.0.113.5" }, "127.0.0.1"],
	];
	for (const [remote, headers, expected] of cases) {
		assert.equal(clientAddress(fakeRequest(remote, headers), trusted), expected, `${remote} ${JSON.stringify(headers)}`);
	}
	assert.equal(clientAddress(fakeRequest("10.1.2.3", { "x-forwarded-for": "203.0.113.5" }), TrustedProxies.none()), "10.1.2.3");
});

test("header values: printable ASCII as it is, everything else (and %) percent-encoded as UTF-8", () => {
	assert.equal(headerText("build server #2"), "build server #2");
	assert.equal(headerText("Zoë"), "Zo%C3%AB");
	assert.equal(headerText("50% off\r\nX-Evil: 1"), "50%25 off%0D%0AX-Evil: 1");
	assert.equal(decodeURIComponent(headerText("日本 ✓")), "日本 ✓");
});
