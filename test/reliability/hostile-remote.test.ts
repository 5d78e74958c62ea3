/**
 * The remote client against a hostile server on loopback: an endless answer is cut at the size
 * cap, an answer that stops half-way is a timeout (never an empty body), access-log paging that
 * does not move back ends, and log entries with an impossible time are left out instead of ending
 * the program.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { test, type TestContext } from "node:test";
import { RemoteBackend } from "../../source/remote/remote-backend.js";
import { runCli } from "../support/run-cli.js";

async function hostile(t: TestContext, handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
	const server = createServer(handle);
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	t.after(() => {
		server.closeAllConnections();
		server.close();
	});
	return `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

/** Answers `GET /health` as apikeys-tui serve does, so the commands ProGet lacks reach the log route. */
function asOurServer(request: IncomingMessage, response: ServerResponse): boolean {
	if (request.url === "/health") {
		response.writeHead(200, { "x-apikeys-tui-version": "0.1.0", "content-type": "application/json" }).end('{"applicationName":"apikeys-tui"}');
		return true;
	}
	if (request.url?.startsWith("/api/api-keys/capabilities")) {
		const everything = Object.fromEntries(
			["update", "enable", "roll", "accessLogs", "settings", "audit", "lastUsed", "convert"].map((name) => [name, { available: true }]),
		);
		response.writeHead(200).end(JSON.stringify({ product: "apikeys-tui", profile: "proget", capabilities: everything }));
		return true;
	}
	return false;
}

test("an endless answer is read only up to APIKEYS_TUI_MAX_RESPONSE_MB, then the command fails with the reason", async (t) => {
	let sent = 0;
	const url = await hostile(t, (_request, response) => {
		response.writeHead(200, { "content-type": "application/json" });
		const chunk = Buffer.alloc(256 * 1024, "[");
		const pump = () => {
			while (!response.destroyed && response.write(chunk)) sent += chunk.length;
			if (!response.destroyed) response.once("drain", pump);
		};
		pump();
	});
	const listed = await runCli(["list", `--source=${url}`], { env: { APIKEYS_TUI_API_KEY: "k", APIKEYS_TUI_MAX_RESPONSE_MB: "4" } });
	assert.equal(listed.code, 1);
	assert.equal(listed.stderr, `apikeys-tui: ${url}: the answer to api/api-keys/list is larger than 4 MiB; not read (APIKEYS_TUI_MAX_RESPONSE_MB raises the cap)\n`);
	assert.ok(sent < 64 * 1024 * 1024, `stopped reading soon after the cap (${sent} bytes sent)`);
	const declared = await hostile(t, (_request, response) => {
		response.writeHead(200, { "content-length": String(8 * 1024 * 1024) }).end();
	});
	const big = await runCli(["list", `--source=${declared}`], { env: { APIKEYS_TUI_API_KEY: "k", APIKEYS_TUI_MAX_RESPONSE_MB: "4" } });
	assert.match(big.stderr, /is larger than 4 MiB; not read/, "a declared length beyond the cap is refused before reading");
});

test("an answer that stops half-way is reported as a timeout, never read as an empty body", async (t) => {
	const url = await hostile(t, (_request, response) => {
		response.writeHead(200, { "content-type": "application/json" });
		response.write('[{"id":1,"type":"System"');
	});
	const backend = await RemoteBackend.connect(url, { credentials: { apiKey: "k" }, timeoutMs: 300 });
	await assert.rejects(backend.listKeys(), /no complete answer within the timeout/);
});

test("logs --source stops when the server's next page does not move back", async (t) => {
	const asked: string[] = [];
	const url = await hostile(t, (request, response) => {
		if (asOurServer(request, response)) return;
		asked.push(request.url ?? "");
		response.writeHead(200).end(JSON.stringify({ entries: [], nextBefore: 5 }));
	});
	const logs = await runCli(["logs", "--path=/x", "--limit=10", `--source=${url}`], { env: { APIKEYS_TUI_API_KEY: "k" } });
	assert.equal(logs.code, 0, logs.stderr);
	assert.equal(logs.stdout, "No access-log entries match.\n");
	assert.equal(asked.length, 2, "the first page, then the page before 5, which pointed at 5 again");
});

test("log entries with an impossible time or id are left out; the others are shown", async (t) => {
	const good = { id: 1, at: Date.UTC(2030, 0, 2), keyId: null, method: "GET", path: "/ok", status: 200, durationMs: 1, client: "::1" };
	const url = await hostile(t, (request, response) => {
		if (asOurServer(request, response)) return;
		const entries = [{ ...good, id: 4, at: "yesterday" }, { ...good, id: 3, at: 9e99 }, { ...good, id: "2" }, null, good];
		response.writeHead(200).end(JSON.stringify({ entries }));
	});
	const logs = await runCli(["logs", `--source=${url}`], { env: { APIKEYS_TUI_API_KEY: "k" } });
	assert.equal(logs.code, 0, logs.stderr);
	assert.equal(logs.stdout.trim().split("\n").length, 1);
	assert.match(logs.stdout, /GET +200 .*\/ok\n$/);
});

test("a create whose answer cannot be read says the key may have been created; a refusal or an unreachable host does not", async (t) => {
	const env = { APIKEYS_TUI_API_KEY: "k", APIKEYS_TUI_MAX_RESPONSE_MB: "1" };
	const mayExist = /The key may have been created all the same: check apikeys-tui list before creating it again\.\n$/;
	const notJson = await hostile(t, (_request, response) => response.writeHead(200, { "content-type": "text/html" }).end("<html>Welcome</html>"));
	const garbled = await runCli(["create", "system", `--source=${notJson}`], { env });
	assert.equal(garbled.code, 1);
	assert.match(garbled.stderr, /^apikeys-tui: .*the answer to api\/api-keys\/create is not JSON/);
	assert.match(garbled.stderr, mayExist);
	const huge = await hostile(t, (_request, response) => response.writeHead(200, { "content-length": String(4 * 1024 * 1024) }).end());
	assert.match((await runCli(["create", "system", `--source=${huge}`], { env })).stderr, mayExist);
	const refused = await hostile(t, (_request, response) => response.writeHead(403).end("The specified API key does not have the proper permissions."));
	assert.doesNotMatch((await runCli(["create", "system", `--source=${refused}`], { env })).stderr, /may have been created/);
	const gone = createServer();
	await new Promise<void>((resolve) => gone.listen(0, "127.0.0.1", resolve));
	const port = (gone.address() as { port: number }).port;
	await new Promise((resolve) => gone.close(resolve));
	const unreachable = await runCli(["create", "system", `--source=http://127.0.0.1:${port}/`], { env });
	assert.match(unreachable.stderr, /connection refused/);
	assert.doesNotMatch(unreachable.stderr, /may have been created/);
});

test("an APIKEYS_TUI_MAX_RESPONSE_MB that is not a size is refused in one line, nothing sent", async (t) => {
	let asked = 0;
	const url = await hostile(t, (_request, response) => {
		asked++;
		response.writeHead(200, { "content-type": "application/json" }).end("[]");
	});
	for (const value of ["1g", "0", "-4", "lots"]) {
		const listed = await runCli(["list", `--source=${url}`], { env: { APIKEYS_TUI_API_KEY: "k", APIKEYS_TUI_MAX_RESPONSE_MB: value } });
		assert.equal(listed.code, 2, value);
		assert.equal(listed.stderr, `apikeys-tui: APIKEYS_TUI_MAX_RESPONSE_MB is "${value}": give a whole number of MiB, 1 or more (default 256)\n`);
	}
	assert.equal(asked, 0);
	assert.equal((await runCli(["list", `--source=${url}`], { env: { APIKEYS_TUI_API_KEY: "k", APIKEYS_TUI_MAX_RESPONSE_MB: " " } })).code, 0, "blank is the default");
});
