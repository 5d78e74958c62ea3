/**
 * A PostgreSQL store's schema on a real throw-away cluster: migrations from empty, again, and from
 * two processes at once; a newer schema and another program's tables are refused with nothing
 * written.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { latestSchema, prepareSchema, readSchema } from "../source/store/postgres/index.js";
import { startWhileMigrationsLocked } from "./support/migrations-lock.js";
import { connect, postgresSkipReason, startCluster } from "./support/postgres.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const schemaModule = fileURLToPath(new URL("../source/store/postgres/schema.ts", import.meta.url));

/** Another process, as a second node: prepares the schema of `url` and prints the version. */
function migrateInAnotherProcess(url: string): Promise<{ code: number | null; output: string }> {
	const script = `
		import postgres from "postgres";
		import { prepareSchema } from ${JSON.stringify(schemaModule)};
		const sql = postgres(process.env.STORE_URL, { onnotice: () => {} });
		try { console.log(await prepareSchema(sql, "the store")); } finally { await sql.end(); }`;
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
			cwd: root,
			env: { ...process.env, STORE_URL: url },
			stdio: ["ignore", "pipe", "pipe"],
		});
		let output = "";
		child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
		child.on("exit", (code) => resolve({ code, output }));
	});
}

const skip = postgresSkipReason();

test("PostgreSQL store schema", { skip }, async (t) => {
	const cluster = await startCluster(t);
	let databases = 0;
	const newDatabase = () => cluster.createDatabase(`store${++databases}`);

	await t.test("an empty database gets the whole schema, and preparing it again changes nothing", async (t) => {
		const sql = connect(t, await newDatabase());
		assert.deepEqual(await readSchema(sql, "the store"), { version: 0, compatibleFrom: 0 });
		assert.equal(await prepareSchema(sql, "the store"), latestSchema);
		const tables = (await sql<{ name: string }[]>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`).map((row) => row.name);
		assert.deepEqual(tables, ["access_log", "api_keys", "audit_log", "key_changes", "settings", "store_meta"]);
		const meta = await sql`SELECT name, value FROM store_meta ORDER BY name`;
		assert.equal(await prepareSchema(sql, "the store"), latestSchema);
		assert.deepEqual(await sql`SELECT name, value FROM store_meta ORDER BY name`, meta);
		// ProGet numbers keys from 1000.
		const [key] = await sql<{ id: number }[]>`
			INSERT INTO api_keys (type, key_digest, key_hint, created_at, created_by)
			VALUES ('system', ${randomBytes(32)}, 'ab…', now(), 'test') RETURNING id`;
		assert.equal(key?.id, 1000);
	});

	await t.test("two nodes starting together on an empty database migrate it once, one after the other", async (t) => {
		const url = await newDatabase();
		const sql = connect(t, url);
		// Both processes are surely waiting for the lock at the same time.
		const nodes = await startWhileMigrationsLocked(sql, 2, () => [migrateInAnotherProcess(url), migrateInAnotherProcess(url)]);
		for (const node of await Promise.all(nodes)) {
			assert.equal(node.code, 0, node.output);
			assert.equal(node.output.trim(), String(latestSchema));
		}
		assert.deepEqual(await readSchema(sql, "the store"), { version: latestSchema, compatibleFrom: latestSchema - 1 });
	});

	await t.test("a database written by a newer program is refused and left untouched", async (t) => {
		const sql = connect(t, await newDatabase());
		await prepareSchema(sql, "the store");
		const newer = latestSchema + 1;
		await sql`UPDATE store_meta SET value = ${String(newer)} WHERE name IN ('schema_version', 'schema_compatible_from')`;
		const before = await sql`SELECT name, value FROM store_meta ORDER BY name`;
		await assert.rejects(prepareSchema(sql, "postgres://db.example/keys"), {
			message: `postgres://db.example/keys: was written by a newer apikeys-tui (schema ${newer}, for programs of schema ${newer} on; this program knows up to ${latestSchema}). Upgrade apikeys-tui to use it; the database was left untouched`,
		});
		assert.deepEqual(await sql`SELECT name, value FROM store_meta ORDER BY name`, before);
		// A newer schema that says this program still works on it is used as it is.
		await sql`UPDATE store_meta SET value = ${String(latestSchema)} WHERE name = 'schema_compatible_from'`;
		assert.equal(await prepareSchema(sql, "the store"), newer);
	});

	await t.test("a database holding another program's tables is refused and left untouched", async (t) => {
		const sql = connect(t, await newDatabase());
		await sql`CREATE TABLE orders (id integer PRIMARY KEY)`;
		await assert.rejects(prepareSchema(sql, "postgres://db.example/shop"), {
			message: "postgres://db.example/shop: holds tables of another program, not an apikeys-tui store; it was left untouched",
		});
		const tables = await sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`;
		assert.deepEqual(tables.map((row) => row.tablename), ["orders"]);
	});
});
