/**
 * Opening a PostgreSQL store, on a throw-away cluster: a read finds no store in an empty database
 * and changes nothing; the first write makes the schema and the secret file (0600, never into a
 * file or link already there); another secret file, a missing one, another profile, and a server
 * that cannot be reached are refused with one line that names no password.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { AppError } from "../source/core/errors.js";
import { PostgresStore } from "../source/store/postgres/postgres-store.js";
import { clusterPerFile, connect, postgresSkipReason } from "./support/postgres.js";
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
});
