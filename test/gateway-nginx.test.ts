/**
 * A real nginx with `auth_request` to `serve` in front of an upstream: exactly the requests each
 * key's scopes allow get through, every other is refused, and each is in the access log as the
 * key's use. Needs nginx (`.ci/run` installs nginx-light); without it the test fails and says so.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { describe, test } from "node:test";
import { seedGatewayKeys } from "./support/gateway-keys.js";
import { freePort, nginxBinary, startNginx } from "./support/nginx.js";
import { logEntries } from "./support/served-api.js";
import { servedEngines, withStore } from "./support/served-engines.js";
import { tempDir } from "./support/temp-store.js";

/** The protected upstream: says what it was asked and which key the gateway said passed. */
function startUpstream(): Promise<Server> {
	const server = createServer((request, response) => {
		request.resume();
		request.on("end", () => {
			response.writeHead(200, { "Content-Type": "application/json" });
			response.end(
				JSON.stringify({
					method: request.method,
					url: request.url,
					keyId: request.headers["x-apikey-id"] ?? "",
					user: request.headers["x-apikey-user"] ?? "",
				}),
			);
		});
	});
	return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

for (const engine of servedEngines()) {
	describe(`nginx in front of serve (${engine.name})`, { skip: engine.skip }, () => {
		test("nginx auth_request: each key gets through exactly where its scopes allow, and every use is logged", async (t) => {
			nginxBinary();
			const dir = tempDir(t, "apikeys-tui-nginx-");
			const store = await engine.newStore(t);
			const keys = await seedGatewayKeys(store);
			const serve = await store.serve(["--trust-proxy=127.0.0.1"]);
			const upstream = await startUpstream();
			t.after(() => upstream.close());
			const upstreamAddress = upstream.address();
			const upstreamPort = typeof upstreamAddress === "object" && upstreamAddress ? upstreamAddress.port : 0;
			const nginx = await startNginx({
				dir,
				port: await freePort(),
				authorize: `127.0.0.1:${serve.port}`,
				upstream: `127.0.0.1:${upstreamPort}`,
				auth: true,
			});
			t.after(() => nginx.stop());

			const download = "/feeds/public-npm/download/left-pad-1.0.0.tgz";
			const upload = "/feeds/public-npm/upload/left-pad-1.0.1.tgz";
			const asked = async (path: string, key: string | null, how: "header" | "query" | "basic" = "header") => {
				const headers: Record<string, string> = {};
				let url = `${nginx.url}${path}`;
				if (key !== null && how === "header") headers["X-ApiKey"] = key;
				if (key !== null && how === "basic") headers.Authorization = `Basic ${Buffer.from(`api:${key}`).toString("base64")}`;
				if (key !== null && how === "query") url += `?key=${encodeURIComponent(key)}`;
				const init: RequestInit = path === upload ? { method: "PUT", headers, body: "package bytes" } : { headers };
				const response = await fetch(url, init);
				const text = await response.text();
				const seen = response.status === 200 ? (JSON.parse(text) as Record<string, string>) : undefined;
				return { status: response.status, seen };
			};

			const expected: [string, string | null, number, number][] = [
				["viewer", keys.viewer, 200, 403],
				["uploader", keys.uploader, 200, 200],
				["group", keys.group, 200, 403],
				["system (feeds)", keys.system, 200, 200],
				["personal", keys.personal, 200, 200],
				["disabled", keys.disabled, 403, 403],
				["expired", keys.expired, 403, 403],
				["wrong", `${keys.viewer}x`, 403, 403],
				["none", null, 401, 401],
			];
			for (const [name, key, downloadStatus, uploadStatus] of expected) {
				assert.equal((await asked(download, key)).status, downloadStatus, `${name}: download`);
				assert.equal((await asked(upload, key)).status, uploadStatus, `${name}: upload`);
			}
			for (const how of ["query", "basic"] as const) {
				assert.equal((await asked(download, keys.viewer, how)).status, 200, `viewer's key as ${how}: download`);
				assert.equal((await asked(upload, keys.viewer, how)).status, 403, `viewer's key as ${how}: upload`);
			}

			const personal = await asked(upload, keys.personal);
			assert.deepEqual(personal.seen, { method: "PUT", url: upload, keyId: String(keys.ids.personal), user: "Zo%C3%AB" });
			const spoofed = await fetch(`${nginx.url}${download}`, { headers: { "X-ApiKey": keys.viewer, "X-ApiKey-User": "admin" } });
			assert.equal(((await spoofed.json()) as Record<string, string>).user, "", "a client's own X-ApiKey-User never reaches the upstream");

			await nginx.stop();
			assert.equal(await serve.stop(), 0);
			const entries = (await logEntries(store)).reverse();
			const uses = entries.map((e) => `${e.keyId ?? "-"} ${e.method} ${e.path} ${e.status} ${e.client}`);
			const use = (id: number, method: string, path: string, status: number) => `${id} ${method} ${path} ${status} 127.0.0.1`;
			for (const line of [
				use(keys.ids.viewer, "GET", download, 204),
				use(keys.ids.viewer, "PUT", upload, 403),
				use(keys.ids.uploader, "PUT", upload, 204),
				use(keys.ids.disabled, "GET", download, 403),
				use(keys.ids.expired, "PUT", upload, 403),
				use(keys.ids.viewer, "GET", `${download}?key=[redacted]`, 204),
				use(keys.ids.personal, "PUT", upload, 204),
			]) {
				assert.ok(uses.includes(line), `the access log has "${line}":\n${uses.join("\n")}`);
			}
			assert.ok(uses.includes(`- GET ${download} 403 127.0.0.1`), "a wrong key's attempt is logged without a key");
			assert.ok(!uses.some((line) => line.includes(keys.viewer)), "no key in the clear");
			await withStore(store, async (opened) => {
				for (const name of ["viewer", "uploader", "group", "system", "personal"] as const) {
					assert.ok((await opened.getKey(keys.ids[name]))?.lastUsedAt, `${name}: last use recorded`);
				}
			});
		});
	});
}
