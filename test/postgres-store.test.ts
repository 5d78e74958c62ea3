/**
 * Opening a PostgreSQL store, on a throw-away cluster: a read finds no store in an empty database
 * and changes nothing; the first write makes the schema and the secret file (0600, never into a
 * file or link already there); another secret file, a missing one, another profile, and a server
 * that cannot be reached are refused with one line that names no password. A secret file that
 * cannot be made leaves no schema; writers starting together end with one store; a read never
 * migrates; a serving node that finds the schema moved past it refuses every key and says why.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { AppError } from "../source/core/errors.js";
import { checkValue } from "../source/store/secret-file.js";
import { latestSchema, prepareSchema, readSchema } from "../source/store/postgres/index.js";
import { migrations } from "../source/store/postgres/migrations/index.js";
import { PostgresStore } from "../source/store/postgres/postgres-store.js";
import { startWhileMigrationsLocked } from "./support/migrations-lock.js";
import { clusterPerFile, connect, postgresSkipReason, waitFor } from "./support/postgres.js";
import { tempDir } from "./support/temp-store.js";

const actor = "tester (test)";
const cluster = clusterPerFile();

async function refusal(opening: Promise<PostgresStore>): Promise<AppError> {
	try {
		const store = await opening;
		await store.close();
	} catch (error) {
		assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
		assert.ok(!error.message.includes("\n"), "one line");
		return error;
	}
	assert.fail("expected the store to be refused");
}

/** A store as a program of schema `version` made it, with its secret in `secretFile`. */
async function storeOfSchema(t: TestContext, url: string, secretFile: string, version: number): Promise<void> {
	const sql = connect(t, url);
	for (const migration of migrations.filter((each) => each.version <= version)) await sql.unsafe(migration.sql).simple();
	const compatibleFrom = Math.max(...migrations.filter((each) => each.version <= version).map((each) => each.compatibleFrom));
	const secret = randomBytes(32);
	writeFileSync(secretFile, `${secret.toString("hex")}\n`, { mode: 0o600 });
	await sql`
		INSERT INTO store_meta (name, value) VALUES ('schema_version', ${String(version)}), ('schema_compatible_from', ${String(compatibleFrom)}),
			('profile', 'proget'), ('secret_check', ${checkValue(secret)})`;
}

/** Opens three times at the same moment, as three nodes started together on an empty database. */
async function threeTogether<T>(t: TestContext, url: string, open: (node: number) => Promise<T>): Promise<PromiseSettledResult<T>[]> {
	return await startWhileMigrationsLocked(connect(t, url), 3, () => Promise.allSettled([1, 2, 3].map(open)));
}

async function tableCount(t: TestContext, url: string): Promise<number> {
	const [tables] = await connect(t, url)<{ count: number }[]>`SELECT count(*)::int AS count FROM pg_tables WHERE schemaname = 'public'`;
	return tables?.count ?? -1;
}

describe("opening a PostgreSQL store", { skip: postgresSkipReason() }, () => {
	test("a read finds no store in an empty database and creates nothing; the first write makes the schema and a 0600 secret file", async (t) => {
		const url = await cluster.database();
		const secretFile = join(tempDir(t), "keys.secret");
		const error = await refusal(PostgresStore.open(url, { secretFile, existing: true }));
		assert.match(error.message, /^no store in postgres:\/\//);
		assert.equal(error.kind, "not-found");
		const sql = connect(t, url);
		const [tables] = await sql<{ count: number }[]>`SELECT count(*)::int AS count FROM pg_tables WHERE schemaname = 'public'`;
		assert.equal(tables?.count, 0, "the database was left empty");
		assert.equal(existsSync(secretFile), false, "no secret file made");

		const store = await PostgresStore.open(url, { secretFile });
		const { key } = await store.createKey({ type: "system", systemApis: ["sca"] }, { actor });
		await store.close();
		assert.equal(statSync(secretFile).mode & 0o777, 0o600);
		const secret = readFileSync(secretFile, "utf8").trim();
		const [leaked] = await sql<{ count: number }[]>`
			SELECT count(*)::int AS count FROM store_meta WHERE value LIKE ${`%${secret}%`} OR value LIKE ${`%${key.slice(0, 12)}%`}`;
		assert.equal(leaked?.count, 0, "neither the secret nor the key in the database");

		const again = await PostgresStore.open(url, { secretFile, existing: true });
		t.after(() => again.close());
		await again.startServing();
		assert.equal(again.verifyNow(key, { kind: "any" }).outcome, "valid", "a reopened store verifies with the same secret file");
	});

	test("another secret file, a missing one, a file or link already there, and another profile are refused", async (t) => {
		const url = await cluster.database();
		const dir = tempDir(t);
		const secretFile = join(dir, "keys.secret");
		await (await PostgresStore.open(url, { secretFile })).close();

		const otherUrl = await cluster.database();
		const otherSecret = join(dir, "other.secret");
		await (await PostgresStore.open(otherUrl, { secretFile: otherSecret })).close();
		assert.match((await refusal(PostgresStore.open(url, { secretFile: otherSecret }))).message, /does not belong to this store/);
		assert.match((await refusal(PostgresStore.open(url, { secretFile: join(dir, "missing.secret") }))).message, /secret file is missing/);

		const emptyUrl = await cluster.database();
		const present = join(dir, "present.secret");
		writeFileSync(present, "someone else's file\n", { mode: 0o600 });
		assert.match((await refusal(PostgresStore.open(emptyUrl, { secretFile: present }))).message, /already there/);
		assert.equal(readFileSync(present, "utf8"), "someone else's file\n", "left untouched");
		const link = join(dir, "link.secret");
		symlinkSync(join(dir, "nowhere"), link);
		await refusal(PostgresStore.open(emptyUrl, { secretFile: link }));
		assert.equal(existsSync(join(dir, "nowhere")), false, "nothing made through the link");

		assert.match((await refusal(PostgresStore.open(url, { secretFile, profile: "otter" }))).message, /profile cannot be changed/);
	});

	test("a server that cannot be reached is one line, its password never shown", async (t) => {
		const secretFile = join(tempDir(t), "keys.secret");
		const url = `postgres://keeper:hunter2@/keys?host=${encodeURIComponent(join(tempDir(t), "no-server-here"))}`;
		const error = await refusal(PostgresStore.open(url, { secretFile }));
		assert.match(error.message, /cannot reach the PostgreSQL server/);
		assert.ok(!error.message.includes("hunter2"), error.message);
		assert.match(error.message, /keeper:\*\*\*@/);
	});

	test("a secret file that cannot be made is one line naming it and why, and leaves no schema; a read after it makes no file", async (t) => {
		const url = await cluster.database();
		for (const secretFile of ["/proc/apikeys-tui-test.secret", "/sys/apikeys-tui-test.secret"]) {
			const error = await refusal(PostgresStore.open(url, { secretFile }));
			assert.match(error.message, new RegExp(`^${secretFile.replaceAll(".", "\\.")}: cannot make the store's secret file \\((permission denied|its folder does not take new files)\\); nothing was written to the database$`));
			assert.equal(await tableCount(t, url), 0, "no schema without its secret check");
		}
		const secretFile = join(tempDir(t), "keys.secret");
		assert.match((await refusal(PostgresStore.open(url, { secretFile, existing: true }))).message, /^no store in /);
		assert.equal(existsSync(secretFile), false, "a read makes no secret file");
	});

	test("a schema an older version left without its secret check: a read says there is no store and makes no file; the next write completes it", async (t) => {
		const url = await cluster.database();
		await prepareSchema(connect(t, url), "the store");
		const secretFile = join(tempDir(t), "keys.secret");
		const read = await refusal(PostgresStore.open(url, { secretFile, existing: true }));
		assert.match(read.message, /^no store in .* \(its making never finished\); create one with/);
		assert.equal(read.kind, "not-found");
		assert.equal(existsSync(secretFile), false, "a read makes no secret file");
		const store = await PostgresStore.open(url, { secretFile });
		const { key } = await store.createKey({ type: "system", systemApis: ["sca"] }, { actor });
		await store.close();
		const again = await PostgresStore.open(url, { secretFile, existing: true });
		t.after(() => again.close());
		await again.startServing();
		assert.equal(again.verifyNow(key, { kind: "any" }).outcome, "valid");
	});

	test("writers starting together on an empty database end with one store: with one secret file path all open it, with their own paths the others are refused and make no file", async (t) => {
		const dir = tempDir(t);
		const shared = join(dir, "shared.secret");
		const sharedUrl = await cluster.database();
		const together = await threeTogether(t, sharedUrl, () => PostgresStore.open(sharedUrl, { secretFile: shared }));
		const keys = [];
		for (const outcome of together) {
			assert.equal(outcome.status, "fulfilled", outcome.status === "rejected" ? String(outcome.reason) : "");
			if (outcome.status !== "fulfilled") continue;
			keys.push((await outcome.value.createKey({ type: "system", systemApis: ["sca"] }, { actor })).key);
			await outcome.value.close();
		}
		const reader = await PostgresStore.open(sharedUrl, { secretFile: shared, existing: true });
		t.after(() => reader.close());
		await reader.startServing();
		for (const key of keys) assert.equal(reader.verifyNow(key, { kind: "any" }).outcome, "valid", "every writer used the one secret");

		const url = await cluster.database();
		const paths = [1, 2, 3].map((node) => join(dir, `node${node}.secret`));
		const outcomes = await threeTogether(t, url, (node) => PostgresStore.open(url, { secretFile: paths[node - 1] as string }));
		const opened = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
		for (const store of opened) await store.close();
		assert.equal(opened.length, 1, "one writer made the store");
		outcomes.forEach((outcome, at) => {
			if (outcome.status === "fulfilled") return assert.equal(existsSync(paths[at] as string), true);
			const refused = /secret file is missing, so no key in the store can be verified; copy it from another node/;
			assert.match((outcome.reason as Error).message, refused);
			assert.equal(existsSync(paths[at] as string), false, "a refused writer leaves no secret file");
		});
	});

	test("a read never migrates: an older schema it reads is left as it is, an older one it cannot read says what to run, a newer one usable by it is read", async (t) => {
		const dir = tempDir(t);
		const url = await cluster.database();
		const secretFile = join(dir, "three.secret");
		await storeOfSchema(t, url, secretFile, 3);
		const sql = connect(t, url);
		const reader = await PostgresStore.open(url, { secretFile, existing: true });
		assert.deepEqual(await reader.listKeys(), []);
		assert.equal((await reader.queryAccessLog({}, { limit: 10 })).entries.length, 0);
		assert.equal((await readSchema(sql, "the store")).version, 3, "the read left the schema as it was");
		await reader.createKey({ type: "system", systemApis: ["sca"] }, { actor });
		await reader.close();
		assert.equal((await readSchema(sql, "the store")).version, latestSchema, "the first write migrated it");

		const oldUrl = await cluster.database();
		const oldSecret = join(dir, "two.secret");
		await storeOfSchema(t, oldUrl, oldSecret, 2);
		const old = await PostgresStore.open(oldUrl, { secretFile: oldSecret, existing: true });
		t.after(() => old.close());
		await assert.rejects(old.listKeys(), {
			message: /: holds a store of schema 2, older than this program reads \(schema 3 on\), and a read does not migrate it; /,
		});
		assert.equal((await readSchema(connect(t, oldUrl), "the store")).version, 2);

		const newer = latestSchema + 1;
		await sql`UPDATE store_meta SET value = ${String(newer)} WHERE name = 'schema_version'`;
		await sql`UPDATE store_meta SET value = ${String(latestSchema)} WHERE name = 'schema_compatible_from'`;
		const later = await PostgresStore.open(url, { secretFile, existing: true });
		assert.equal((await later.listKeys()).length, 1);
		await later.close();
		await sql`UPDATE store_meta SET value = ${String(newer)} WHERE name = 'schema_compatible_from'`;
		const refused = await refusal(PostgresStore.open(url, { secretFile, existing: true }));
		assert.match(refused.message, new RegExp(`was written by a newer apikeys-tui \\(schema ${newer}, for programs of schema ${newer} on; this program knows up to ${latestSchema}\\)`));
	});

	test("a serving node that finds the schema migrated past what it can work on refuses every key at once and says why, until the schema is one it can", async (t) => {
		const url = await cluster.database();
		const secretFile = join(tempDir(t), "keys.secret");
		const store = await PostgresStore.open(url, { secretFile });
		t.after(() => store.close());
		const { key } = await store.createKey({ type: "system", systemApis: ["sca"] }, { actor });
		// Far above the test's length: only the schema can make this node refuse.
		await store.startServing({ maxStalenessMs: 600_000 });
		assert.equal(store.verifyNow(key, { kind: "any" }).outcome, "valid");
		const sql = connect(t, url);
		const newer = String(latestSchema + 1);
		await sql`UPDATE store_meta SET value = ${newer} WHERE name IN ('schema_version', 'schema_compatible_from')`;
		await waitFor(() => store.servingHealth().status === "stale", "the node to stop trusting its keys");
		const health = store.servingHealth();
		assert.equal(health.status, "stale");
		assert.match(health.status === "stale" ? health.reason : "", new RegExp(`cannot work on the database, so it checks no key: the database was migrated by a newer apikeys-tui \\(schema ${newer}, for programs of schema ${newer} on; this program knows up to ${latestSchema}\\); upgrade this node$`));
		assert.throws(() => store.verifyNow(key, { kind: "any" }), (error: unknown) => error instanceof AppError && error.kind === "unavailable" && /upgrade this node/.test(error.message));
		await sql`UPDATE store_meta SET value = ${String(latestSchema)} WHERE name = 'schema_version'`;
		await sql`UPDATE store_meta SET value = ${String(latestSchema - 1)} WHERE name = 'schema_compatible_from'`;
		await waitFor(() => store.servingHealth().status === "ok", "the node to trust its keys again");
		assert.equal(store.verifyNow(key, { kind: "any" }).outcome, "valid");
	});
});
