/**
 * `apikeys-tui status` names the engine and where the store is: an SQLite file, or a PostgreSQL
 * URL (password redacted) and the server that answered, also when a multi-host URL's first host is
 * down; a remote instance stays "(remote)". The --json fields scripts read keep their names.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { freePort } from "./support/nginx.js";
import { postgresSkipReason, startCluster } from "./support/postgres.js";
import { runCli } from "./support/run-cli.js";
import { startServer } from "./support/server-process.js";
import { tempDbPath, tempDir } from "./support/temp-store.js";

describe("status on an SQLite store", () => {
	test("names the file and SQLite, in words and in JSON", async (t) => {
		const db = tempDbPath(t);
		assert.equal((await runCli(["create", "system", "--apis=sca", `--db=${db}`])).code, 0);
		const human = await runCli(["status", `--db=${db}`]);
		assert.equal(human.code, 0, human.stderr);
		assert.equal(human.stdout, `Store:   ${db} (SQLite)\nProfile: proget\nKeys:    1 (1 enabled)\n`);
		const json = await runCli(["status", "--json", `--db=${db}`]);
		assert.deepEqual(JSON.parse(json.stdout), { location: db, kind: "local", profile: "proget", keys: 1, enabled: 1, engine: "sqlite" });
	});

	test("a remote instance is still (remote), with no engine", async (t) => {
		const db = tempDbPath(t);
		const admin = JSON.parse((await runCli(["create", "system", "--apis=full-control", "--json", `--db=${db}`])).stdout).key as string;
		const server = await startServer(db);
		t.after(() => server.stop());
		const remote = ["status", `--source=${server.url}`, `--api-key=${admin}`];
		const human = await runCli(remote);
		assert.equal(human.code, 0, human.stderr);
		assert.match(human.stdout, new RegExp(`^Store: {3}${server.url}/? \\(remote\\)\\nProfile: proget\\n`));
		const json = JSON.parse((await runCli([...remote, "--json"])).stdout) as Record<string, unknown>;
		assert.equal(json.kind, "remote");
		assert.equal(json.engine, undefined);
		assert.equal(json.server, undefined);
	});
});

describe("status on a PostgreSQL store", { skip: postgresSkipReason() }, () => {
	test("names the URL without its password, PostgreSQL, and the host of a multi-host URL that answered", async (t) => {
		const [live, down] = [await freePort(), await freePort()];
		const cluster = await startCluster(t, { port: live });
		await cluster.createDatabase("keys");
		const secret = `--secret-file=${join(tempDir(t), "keys.secret")}`;
		const url = `postgres://postgres@127.0.0.1:${down},127.0.0.1:${live}/keys`;
		const created = await runCli(["create", "system", "--apis=sca", `--db=${url}`, secret]);
		assert.equal(created.code, 0, created.stderr);

		const human = await runCli(["status", secret], { env: { APIKEYS_TUI_DB: url.replace("postgres@", "postgres:hunter2@") } });
		assert.equal(human.code, 0, human.stderr);
		const redacted = `postgres://postgres:***@127.0.0.1:${down},127.0.0.1:${live}/keys`;
		assert.equal(
			human.stdout.replace(/\(PostgreSQL \d+\.\d+\)\n/, "(PostgreSQL N)\n"),
			`Store:   ${redacted} (PostgreSQL)\nServer:  127.0.0.1:${live} (PostgreSQL N)\nProfile: proget\nKeys:    1 (1 enabled)\n`,
		);
		assert.doesNotMatch(human.stdout + human.stderr, /hunter2/);

		const json = await runCli(["status", "--json", `--db=${url}`, secret]);
		assert.equal(json.code, 0, json.stderr);
		const status = JSON.parse(json.stdout) as { server: { address: string; version: string } } & Record<string, unknown>;
		assert.match(status.server.version, /^\d+\.\d+/);
		assert.deepEqual(status, {
			location: url,
			kind: "local",
			profile: "proget",
			keys: 1,
			enabled: 1,
			engine: "postgresql",
			server: { address: `127.0.0.1:${live}`, version: status.server.version },
		});
	});

	test("over a unix socket, the server line names the socket's folder", async (t) => {
		const cluster = await startCluster(t);
		const url = await cluster.createDatabase("keys");
		const secret = `--secret-file=${join(tempDir(t), "keys.secret")}`;
		assert.equal((await runCli(["create", "personal", "--user=zoe", `--db=${url}`, secret])).code, 0);
		const human = await runCli(["status", `--db=${url}`, secret]);
		assert.equal(human.code, 0, human.stderr);
		assert.match(human.stdout, new RegExp(`^Store: {3}.+ \\(PostgreSQL\\)\\nServer: {2}unix socket ${cluster.dir} port 5432 \\(PostgreSQL [\\d.]+`));
	});
});
