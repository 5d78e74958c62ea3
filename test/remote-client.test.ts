/**
 * The remote client against real servers on loopback: a console's requests share one kept
 * connection; a GET whose kept connection the server closed just then is sent again, a POST never
 * (it may have been carried out); compressed answers are read decoded, within the size cap; a
 * server that says nothing is a timeout, and an untrusted certificate a TLS error, each said as such.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { Socket } from "node:net";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { gzipSync } from "node:zlib";
import { mayHaveTakenEffect, RemoteClient } from "../source/remote/http-client.js";
import { tempDir } from "./support/temp-store.js";

interface Seen {
	method: string;
	path: string;
	userAgent: string | undefined;
	/** Which connection carried it (1 for the first) and its place on that connection (1 for the first). */
	connection: number;
	onConnection: number;
}

type Handler = (request: IncomingMessage, response: ServerResponse, seen: Seen) => void;

async function listen(t: TestContext, server: Server, handle: Handler, scheme = "http"): Promise<{ url: string; seen: Seen[] }> {
	const seen: Seen[] = [];
	const sockets = new Map<Socket, { connection: number; requests: number }>();
	server.on("request", (request: IncomingMessage, response: ServerResponse) => {
		let state = sockets.get(request.socket);
		if (!state) sockets.set(request.socket, (state = { connection: sockets.size + 1, requests: 0 }));
		state.requests++;
		const entry = { method: request.method ?? "", path: request.url ?? "", userAgent: request.headers["user-agent"], connection: state.connection, onConnection: state.requests };
		seen.push(entry);
		handle(request, response, entry);
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	t.after(() => {
		server.closeAllConnections();
		server.close();
	});
	return { url: `${scheme}://127.0.0.1:${(server.address() as { port: number }).port}/`, seen };
}

const answerJson: Handler = (_request, response) => {
	response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
};

test("a console's requests to one instance go over one kept connection, with the User-Agent sent before", async (t) => {
	const { url, seen } = await listen(t, createServer(), answerJson);
	const client = new RemoteClient(url, { apiKey: "k" });
	t.after(() => client.close());
	for (const path of ["health", "api/api-keys/capabilities", "api/api-keys/page", "api/api-keys/settings"]) {
		assert.deepEqual(await client.json(path), { ok: true });
	}
	assert.deepEqual(seen.map((s) => s.connection), [1, 1, 1, 1]);
	assert.ok(seen.every((s) => s.userAgent === "node"), "the same User-Agent as fetch sent");
});

test("a GET on a kept connection the server closed just then is sent again; a POST is not, and may have been carried out", async (t) => {
	// The second request on each connection finds it closed, as when a server's idle timeout ends it as the request leaves.
	const { url, seen } = await listen(t, createServer(), (request, response, entry) => {
		if (entry.onConnection === 2) request.socket.destroy();
		else answerJson(request, response, entry);
	});
	const client = new RemoteClient(url, { apiKey: "k" });
	t.after(() => client.close());
	await client.json("health");
	assert.deepEqual(await client.json("api/api-keys/page"), { ok: true });
	assert.deepEqual(
		seen.map((s) => `${s.path} on ${s.connection}`),
		["/health on 1", "/api/api-keys/page on 1", "/api/api-keys/page on 2"],
		"sent again on a new connection",
	);

	seen.length = 0;
	await assert.rejects(client.json("api/api-keys/disable", { method: "POST", query: { id: 1 } }), (error: Error) => {
		assert.match(error.message, /cannot reach the server/);
		assert.equal(mayHaveTakenEffect(error), true, "said as possibly done, never done twice");
		return true;
	});
	assert.deepEqual(seen.map((s) => s.method), ["POST"], "sent once");
});

test("a compressed answer is read decoded; one that inflates past APIKEYS_TUI_MAX_RESPONSE_MB is stopped at the cap", async (t) => {
	const small = gzipSync('{"keys":[]}');
	const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, " "));
	const { url } = await listen(t, createServer(), (request, response) => {
		response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" }).end(request.url === "/small" ? small : bomb);
	});
	const client = new RemoteClient(url, { apiKey: "k" }, 15_000, { APIKEYS_TUI_MAX_RESPONSE_MB: "1" });
	t.after(() => client.close());
	assert.deepEqual(await client.json("small"), { keys: [] });
	await assert.rejects(client.json("bomb"), { message: `${url}: the answer to bomb is larger than 1 MiB; not read (APIKEYS_TUI_MAX_RESPONSE_MB raises the cap)` });
});

test("a server that accepts the request and never answers is a timeout, said as such", async (t) => {
	const { url } = await listen(t, createServer(), () => undefined);
	const client = new RemoteClient(url, { apiKey: "k" }, 300);
	t.after(() => client.close());
	await assert.rejects(client.json("health"), (error: Error) => {
		assert.equal(error.message, `${url}: no complete answer within the timeout; is the server up and reachable?`);
		assert.equal(mayHaveTakenEffect(error), true);
		return true;
	});
});

test("an https server whose certificate is not trusted is a TLS error that says what to check; nothing was delivered", async (t) => {
	const dir = tempDir(t);
	const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
	const selfSigned = ["-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"];
	execFileSync("openssl", ["req", ...selfSigned, "-keyout", key, "-out", cert], { stdio: "ignore" });
	const server = createTlsServer({ key: readFileSync(key), cert: readFileSync(cert) });
	const { url, seen } = await listen(t, server as unknown as Server, answerJson, "https");
	const client = new RemoteClient(url, { apiKey: "k" });
	t.after(() => client.close());
	await assert.rejects(client.json("health"), (error: Error) => {
		assert.ok(error.message.startsWith(`${url}: TLS error (`), error.message);
		assert.ok(error.message.endsWith("); check the certificate (a company CA: NODE_EXTRA_CA_CERTS) or use the right URL"), error.message);
		assert.equal(mayHaveTakenEffect(error), false);
		return true;
	});
	assert.equal(seen.length, 0);
});
