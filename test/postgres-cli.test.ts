/**
 * The commands on a PostgreSQL store, end to end: the built program run with
 * `--db=postgres://…` on a throw-away cluster creates, lists, updates, disables, enables and
 * deletes keys, and `serve` on the same database refuses a key disabled by another process and
 * takes it back once enabled; the access log it wrote is read by `logs`. A read on an empty
 * database, a missing --secret-file, an unreachable server, a wrong password, another store's secret
 * file and a newer schema are one line each; no password is printed, and none is needed on argv.
 * A role that may only SELECT reads; URL parameters (sslmode, a misspelt one, password) and an
 * ignored ~/.pgpass are said in one line.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { clusterPerFile, connect, type PostgresCluster, postgresSkipReason, waitFor } from "./support/postgres.js";
import { runCli } from "./support/run-cli.js";
import { startServer } from "./support/server-process.js";
import { tempDir } from "./support/temp-store.js";

const { database, cluster: clusterOf } = clusterPerFile();

/** A role that signs in with `password` over the socket (everyone else stays trusted) and owns `database`. */
async function ownerWithPassword(t: TestContext, cluster: PostgresCluster, role: string, password: string, database: string) {
	const admin = connect(t, cluster.url);
	await admin.unsafe(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
	await admin.unsafe(`ALTER DATABASE ${database} OWNER TO ${role}`);
	const hba = join(cluster.dir, "data", "pg_hba.conf");
	writeFileSync(hba, `local all ${role} scram-sha-256\n${readFileSync(hba, "utf8")}`);
	await admin`SELECT pg_reload_conf()`;
}

describe("commands on a PostgreSQL store", { skip: postgresSkipReason() }, () => {
	test("a new store takes the --profile asked for, and keeps it", async (t) => {
		const store = [`--db=${await database()}`, `--secret-file=${join(tempDir(t), "keys.secret")}`];
		const created = await runCli(["create", "system", "--apis=native-api", "--profile=otter", ...store]);
		assert.equal(created.code, 0, created.stderr);
		assert.match((await runCli(["status", ...store])).stdout, /^Profile: otter$/m);
		const changed = await runCli(["create", "system", "--apis=native-api", "--profile=proget", ...store]);
		assert.equal(changed.code, 1);
		assert.match(changed.stderr, /is an otter store; a store's profile cannot be changed \(asked for proget\)\n$/);
	});

	test("create, list, update, disable, enable, delete, logs, and serve verifying through --db=postgres://…", async (t) => {
		const url = await database();
		const secretFile = join(tempDir(t), "keys.secret");
		const store = [`--db=${url}`, `--secret-file=${secretFile}`];

		const empty = await runCli(["list", ...store]);
		assert.equal(empty.code, 1, empty.stderr);
		assert.match(empty.stderr, /^apikeys-tui: no store in postgres:\/\/postgres@\/test_\d+\?host=.*; create one with/);

		const created = await runCli(["create", "system", "--apis=full-control", "--name=admin", "--json", ...store]);
		assert.equal(created.code, 0, created.stderr);
		const admin = JSON.parse(created.stdout) as { id: number; key: string };
		const other = await runCli(["create", "personal", "--user=bob", "--name=bob's key", ...store]);
		assert.equal(other.code, 0, other.stderr);
		const listed = await runCli(["list", "--json", ...store]);
		assert.equal(listed.code, 0, listed.stderr);
		assert.deepEqual((JSON.parse(listed.stdout) as { name?: string; displayName?: string }[]).length, 2);
		const updated = await runCli(["update", `--id=${admin.id}`, "--name=administrator", ...store]);
		assert.equal(updated.code, 0, updated.stderr);
		assert.match((await runCli(["list", ...store])).stdout, /administrator/);

		const server = await startServer(url, [`--secret-file=${secretFile}`]);
		t.after(async () => {
			if (server.process.exitCode === null) await server.stop();
		});
		const listKeys = async () => (await fetch(`${server.url}/api/api-keys/list`, { headers: { "X-ApiKey": admin.key } })).status;
		assert.equal(await listKeys(), 200);
		// The paged list a remote console reads, answered by an engine without a list thread of its own.
		const read = async (path: string) => (await fetch(`${server.url}/api/api-keys/${path}`, { headers: { "X-ApiKey": admin.key } })).json();
		const page = (await read("page?sort=name&order=desc&limit=1")) as { total: number; keys: { id: number }[] };
		assert.equal(page.total, 2);
		assert.deepEqual(page.keys.map((key) => key.id), [admin.id + 1]);
		assert.deepEqual(await read("ids?sort=name&filter=admin"), { ids: [admin.id] });
		assert.equal((await runCli(["disable", `--id=${admin.id}`, ...store])).code, 0);
		await waitFor(async () => (await listKeys()) !== 200, "serve to refuse the key another process disabled");
		assert.equal((await runCli(["enable", `--id=${admin.id}`, ...store])).code, 0);
		await waitFor(async () => (await listKeys()) === 200, "serve to take the enabled key back");
		assert.equal(await server.stop(), 0, server.output().stderr);

		const logs = await runCli(["logs", "--json", ...store]);
		assert.equal(logs.code, 0, logs.stderr);
		assert.ok((JSON.parse(logs.stdout) as { entries: unknown[] }).entries.length >= 3, "serve's requests are in the access log");
		const deleted = await runCli(["delete", `--id=${admin.id}`, ...store]);
		assert.equal(deleted.code, 0, deleted.stderr);
		assert.doesNotMatch((await runCli(["list", ...store])).stdout, /administrator/);
	});

	test("a missing --secret-file, an unreachable server and a password on argv: one line each, the password never shown", async (t) => {
		const url = await database();
		const missing = await runCli(["list", `--db=${url}`]);
		assert.equal(missing.code, 2, missing.stderr);
		assert.match(missing.stderr, /--secret-file error: required with a PostgreSQL store/);

		const nowhere = `postgres://keeper:hunter2@/keys?host=${encodeURIComponent(join(tempDir(t), "no-server"))}`;
		const unreachable = await runCli(["list", `--db=${nowhere}`, `--secret-file=${join(tempDir(t), "s")}`]);
		assert.equal(unreachable.code, 1);
		assert.ok(!unreachable.stderr.includes("hunter2"), unreachable.stderr);
		assert.match(unreachable.stderr, /warning: --db holds a password/);
		const oneLine = /^apikeys-tui: postgres:\/\/keeper:\*\*\*@\/keys\?host=.*: cannot reach the PostgreSQL server \(.*\)$/m;
		assert.match(unreachable.stderr, oneLine);
		const fromEnv = await runCli(["list", `--secret-file=${join(tempDir(t), "s")}`], { env: { APIKEYS_TUI_DB: nowhere } });
		assert.equal(fromEnv.code, 1);
		assert.doesNotMatch(fromEnv.stderr, /warning/, "a password in $APIKEYS_TUI_DB is not on argv");
		assert.ok(!fromEnv.stderr.includes("hunter2"), fromEnv.stderr);
	});

	test("the password from PGPASSWORD or ~/.pgpass; a wrong one, another store's secret file and a newer schema: one line each", async (t) => {
		const cluster = await clusterOf();
		const url = await cluster.createDatabase("signed_in");
		await ownerWithPassword(t, cluster, "keeper", "right horse", "signed_in");
		const asKeeper = url.replace("postgres://postgres@", "postgres://keeper@");
		const secretFile = join(tempDir(t), "keys.secret");
		const store = [`--db=${asKeeper}`, `--secret-file=${secretFile}`];

		const wrong = await runCli(["list", ...store], { env: { PGPASSWORD: "wrong horse" } });
		assert.equal(wrong.code, 1);
		const refused = /^apikeys-tui: postgres:\/\/keeper@.*: the server refused the sign-in \(password authentication failed/;
		assert.match(wrong.stderr, refused);
		assert.match(wrong.stderr, /give the password in PGPASSWORD or ~\/\.pgpass\n$/, "one line, with what to do");
		assert.ok(!wrong.stderr.includes("horse"));
		const created = await runCli(["create", "personal", "--user=alice", ...store], { env: { PGPASSWORD: "right horse" } });
		assert.equal(created.code, 0, created.stderr);
		const home = tempDir(t);
		writeFileSync(join(home, ".pgpass"), "*:*:*:keeper:right horse\n", { mode: 0o600 });
		const fromPgpass = await runCli(["list", ...store], { env: { HOME: home } });
		assert.equal(fromPgpass.code, 0, fromPgpass.stderr);
		assert.match(fromPgpass.stdout, /alice/);

		const otherSecret = join(tempDir(t), "other.secret");
		assert.equal((await runCli(["create", "personal", "--user=bob", `--db=${await cluster.createDatabase("other")}`, `--secret-file=${otherSecret}`])).code, 0);
		const foreign = await runCli(["list", `--db=${asKeeper}`, `--secret-file=${otherSecret}`], { env: { HOME: home } });
		assert.equal(foreign.code, 1);
		assert.match(foreign.stderr, /^apikeys-tui: .*other\.secret: the secret file does not belong to this store; /);
		assert.match(foreign.stderr, /restore the right one\n$/);

		const keeper = connect(t, asKeeper, { password: "right horse" });
		await keeper`UPDATE store_meta SET value = '99' WHERE name IN ('schema_version', 'schema_compatible_from')`;
		const newer = await runCli(["list", ...store], { env: { HOME: home } });
		assert.equal(newer.code, 1);
		const written = /^apikeys-tui: postgres:\/\/keeper@.*: was written by a newer apikeys-tui \(schema 99, for programs of schema 99 /;
		assert.match(newer.stderr, written);
		assert.match(newer.stderr, /Upgrade apikeys-tui to use it; the database was left untouched\n$/, "one line");
	});

	test("a role that may only SELECT reads the store: list, status, settings and logs write nothing", async (t) => {
		const cluster = await clusterOf();
		const url = await cluster.createDatabase("selected");
		const secretFile = join(tempDir(t), "keys.secret");
		const made = await runCli(["create", "personal", "--user=alice", `--db=${url}`, `--secret-file=${secretFile}`]);
		assert.equal(made.code, 0, made.stderr);
		await connect(t, cluster.url)`CREATE ROLE looker LOGIN`;
		const owner = connect(t, url);
		await owner`GRANT SELECT ON ALL TABLES IN SCHEMA public TO looker`;
		const store = [`--db=${url.replace("postgres://postgres@", "postgres://looker@")}`, `--secret-file=${secretFile}`];
		for (const command of [["list"], ["status"], ["settings"], ["logs"]]) {
			const read = await runCli([...command, ...store]);
			assert.equal(read.code, 0, `${command[0]}: ${read.stderr}`);
		}
		assert.match((await runCli(["list", ...store])).stdout, /alice/);
		const write = await runCli(["create", "personal", "--user=bob", ...store]);
		assert.equal(write.code, 1);
		assert.match(write.stderr, /: permission denied for table \w+; the database user lacks a privilege the store needs\n/);
	});

	test("sslmode on a server without SSL and an unknown URL parameter are one line; ?password= is used; a ~/.pgpass others can read is said to be ignored", async (t) => {
		const cluster = await clusterOf();
		const url = await cluster.createDatabase("fussy");
		await ownerWithPassword(t, cluster, "fussy", "blue horse", "fussy");
		const secretFile = join(tempDir(t), "keys.secret");
		const home = tempDir(t);
		const asFussy = url.replace("postgres://postgres@", "postgres://fussy@");
		const run = (db: string, command = ["list"]) => runCli([...command, `--secret-file=${secretFile}`], { env: { HOME: home, APIKEYS_TUI_DB: db } });

		const withPassword = await run(`${asFussy}&password=blue%20horse`, ["create", "personal", "--user=alice"]);
		assert.equal(withPassword.code, 0, withPassword.stderr);
		assert.match((await run(`${asFussy}&password=blue%20horse`)).stdout, /alice/);

		const ssl = await run(`${url}&sslmode=require`);
		assert.equal(ssl.code, 1);
		assert.match(ssl.stderr, /^apikeys-tui: postgres:\/\/.*: the server does not offer SSL, and sslmode=require asks for it; /);
		assert.equal(ssl.stderr.split("\n").length, 2, "one line");

		const typo = await run(`${url}&target_session_attr=primary`);
		assert.equal(typo.code, 1);
		assert.match(typo.stderr, /^apikeys-tui: postgres:\/\/.*: the URL parameter "target_session_attr" is neither a connection /);
		assert.equal(typo.stderr.split("\n").length, 2, "one line");

		writeFileSync(join(home, ".pgpass"), "*:*:*:fussy:blue horse\n", { mode: 0o644 });
		const ignored = await run(asFussy);
		assert.equal(ignored.code, 1);
		assert.match(ignored.stderr, /: the server refused the sign-in \(.*\); .*\.pgpass was ignored: others may read it \(mode 0644\); /);
		assert.equal(ignored.stderr.split("\n").length, 2, "one line");
	});
});
