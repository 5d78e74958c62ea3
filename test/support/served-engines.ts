/**
 * The two engines `serve` runs on, for the HTTP API's tests: an SQLite file in a temp folder, and a
 * new database of a throw-away PostgreSQL cluster (one cluster per test file) with its secret file.
 * Each test file calls servedEngines() once and runs its tests for each engine it returns.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import Database from "better-sqlite3";
import type { ProfileName } from "../../source/core/catalog.js";
import { demoKey } from "../../source/store/demo-data.js";
import { LocalStore } from "../../source/store/local-store.js";
import { secretPathFor } from "../../source/store/paths.js";
import { PostgresStore } from "../../source/store/postgres/postgres-store.js";
import { clusterPerFile, connect, postgresSkipReason, waitFor } from "./postgres.js";
import { type CliResult, runCli } from "./run-cli.js";
import { type RunningServer, startServer } from "./server-process.js";
import { tempDbPath, tempDir } from "./temp-store.js";

export interface ServedEngine {
	name: "SQLite" | "PostgreSQL";
	/** Why this engine's tests cannot run here (the describe's skip), or undefined. */
	skip: string | undefined;
	/**
	 * Whether `serve` sees a change made past it (by another process, or in the database itself)
	 * on the very next request: SQLite looks at the file's version on each one; a PostgreSQL node
	 * hears of it through the change feed, milliseconds after the commit.
	 */
	seesChangesAtOnce: boolean;
	/** A new, empty store, removed after the test. */
	newStore: (t: TestContext) => Promise<StoreUnderTest>;
}

/** A store opened in the test's own process. */
export type Store = LocalStore | PostgresStore;

export interface StoreUnderTest {
	engine: ServedEngine;
	/** What --db takes: the file path, or the database's URL. */
	db: string;
	/** What every command and `serve` needs besides --db: PostgreSQL's --secret-file. */
	args: string[];
	/** Opens the store as another process would (creating it on first use); the caller closes it. */
	open: (options?: { profile?: ProfileName }) => Promise<Store>;
	/** Changes a key's row straight in the database, as a tampering or a rule-free writer would. */
	alterKey: (id: number, change: { expiration?: string | null; enabled?: boolean }) => Promise<void>;
	/** Adds `count` keys at once, as fast as the engine takes them: the keys' text is not kept. */
	addKeysInBulk: (count: number) => Promise<void>;
	/** Everything the store keeps at rest: its files, or every table's rows and the secret file. */
	storedBytes: () => Promise<{ where: string; bytes: Buffer }[]>;
	/** Makes the store fail under a running server: the SQLite file removed, the PostgreSQL database dropped. */
	breakStore: () => Promise<void>;
	/** The environment for a process that isOpenBy must recognise: PostgreSQL names its sessions by PGAPPNAME. */
	childEnv: Record<string, string>;
	/** Whether the process `pid`, started with childEnv, has the store open (a file descriptor, or a session on the database). */
	isOpenBy: (pid: number) => Promise<boolean>;
	/** `apikeys-tui serve` on it, on an ephemeral loopback port, stopped after the test. */
	serve: (extraArgs?: string[]) => Promise<RunningServer>;
	/** The program's command on this store. */
	cli: (args: string[]) => Promise<CliResult>;
}

function serveFor(t: TestContext, db: string, args: string[]): (extraArgs?: string[]) => Promise<RunningServer> {
	return async (extraArgs = []) => {
		const server = await startServer(db, [...args, ...extraArgs]);
		t.after(async () => {
			if (server.process.exitCode === null && server.process.signalCode === null) await server.stop();
		});
		return server;
	};
}

function sqliteStore(t: TestContext, engine: ServedEngine): StoreUnderTest {
	const db = tempDbPath(t);
	return {
		engine,
		db,
		args: [],
		open: async (options = {}) => LocalStore.open(db, options),
		alterKey: async (id, change) => {
			const sql = new Database(db);
			try {
				if (change.expiration !== undefined) sql.prepare("UPDATE api_keys SET expiration = ? WHERE id = ?").run(change.expiration, id);
				if (change.enabled !== undefined) sql.prepare("UPDATE api_keys SET enabled = ? WHERE id = ?").run(change.enabled ? 1 : 0, id);
			} finally {
				sql.close();
			}
		},
		addKeysInBulk: async (count) => {
			const store = LocalStore.open(db);
			try {
				await store.importKeys(Array.from({ length: count }, (_, i) => demoKey(i, "proget")), { actor: "test", partial: true });
			} finally {
				await store.close();
			}
		},
		storedBytes: async () =>
			[db, `${db}-wal`, secretPathFor(db)].filter(existsSync).map((file) => ({ where: file, bytes: readFileSync(file) })),
		breakStore: async () => rmSync(db),
		childEnv: {},
		isOpenBy: async (pid) =>
			readdirSync(`/proc/${pid}/fd`).some((fd) => {
				try {
					return readlinkSync(`/proc/${pid}/fd/${fd}`) === db;
				} catch {
					return false;
				}
			}),
		serve: serveFor(t, db, []),
		cli: (args) => runCli([...args, `--db=${db}`]),
	};
}

const childSessionName = "apikeys-tui under test";

async function postgresStore(t: TestContext, engine: ServedEngine, cluster: ReturnType<typeof clusterPerFile>): Promise<StoreUnderTest> {
	const db = await cluster.database();
	const secretFile = join(tempDir(t), "keys.secret");
	const args = [`--secret-file=${secretFile}`];
	const sql = connect(t, db, { max: 1 });
	return {
		engine,
		db,
		args,
		open: (options = {}) => PostgresStore.open(db, { secretFile, ...options }),
		alterKey: async (id, change) => {
			if (change.expiration !== undefined) await sql`UPDATE api_keys SET expiration = ${change.expiration} WHERE id = ${id}`;
			if (change.enabled !== undefined) await sql`UPDATE api_keys SET enabled = ${change.enabled} WHERE id = ${id}`;
		},
		// One statement: the store's import takes about 10 s for 20,000 keys here (2 busy cores), SQLite's 3 s.
		addKeysInBulk: async (count) => {
			await (await PostgresStore.open(db, { secretFile })).close();
			await sql`
				INSERT INTO api_keys (type, key_digest, key_hint, display_name, system_apis, created_at, created_by)
				SELECT 'system', sha256(convert_to(n::text, 'UTF8')), 'bulk', 'bulk ' || n, '["sca"]', now(), 'test'
				FROM generate_series(1, ${count}) AS n`;
		},
		storedBytes: async () => {
			const tables = await sql<{ name: string }[]>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`;
			const rows = [];
			for (const { name } of tables) {
				const text = await sql<{ row: string }[]>`SELECT t::text AS row FROM ${sql(name)} t`;
				rows.push({ where: `table ${name}`, bytes: Buffer.from(text.map((each) => each.row).join("\n")) });
			}
			return [...rows, { where: secretFile, bytes: readFileSync(secretFile) }];
		},
		breakStore: async () => {
			const admin = connect(t, (await cluster.cluster()).url, { max: 1 });
			await admin`DROP DATABASE ${admin(db.split("?")[0]?.split("/").pop() ?? "")} WITH (FORCE)`;
		},
		// A unix-socket session does not name its client's PID, so the child names its sessions.
		childEnv: { PGAPPNAME: childSessionName },
		isOpenBy: async () => {
			const [found] = await sql<{ count: number }[]>`
				SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${childSessionName}`;
			return (found?.count ?? 0) > 0;
		},
		serve: serveFor(t, db, args),
		cli: (command) => runCli([...command, `--db=${db}`, ...args]),
	};
}

/** The engines, each test file's own: the PostgreSQL cluster is started by the first test that needs it. */
export function servedEngines(): ServedEngine[] {
	const cluster = clusterPerFile();
	const sqlite: ServedEngine = {
		name: "SQLite",
		skip: undefined,
		seesChangesAtOnce: true,
		newStore: async (t) => sqliteStore(t, sqlite),
	};
	const postgresql: ServedEngine = {
		name: "PostgreSQL",
		skip: postgresSkipReason(),
		seesChangesAtOnce: false,
		newStore: (t) => postgresStore(t, postgresql, cluster),
	};
	return [sqlite, postgresql];
}

/**
 * Asserts what `ask` answers once a change made past the server has reached it: the next answer
 * on SQLite; on PostgreSQL the first that differs from the old one, which the node gives until its
 * change feed brings the change (the time is bounded only against a hang).
 */
export async function answerAfterChange<T>(engine: ServedEngine, ask: () => Promise<T>, expected: T, message: string): Promise<void> {
	if (engine.seesChangesAtOnce) {
		assert.deepEqual(await ask(), expected, message);
		return;
	}
	let last: T | undefined;
	try {
		await waitFor(async () => {
			last = await ask();
			return JSON.stringify(last) === JSON.stringify(expected);
		}, message);
	} catch {
		assert.deepEqual(last, expected, message);
	}
}

/** Opens the store, runs `work` on it and closes it. */
export async function withStore<T>(
	store: StoreUnderTest,
	work: (opened: Store) => Promise<T>,
	options: { profile?: ProfileName } = {},
): Promise<T> {
	const opened = await store.open(options);
	try {
		return await work(opened);
	} finally {
		await opened.close();
	}
}
