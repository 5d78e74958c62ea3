/**
 * Throw-away PostgreSQL clusters for tests: each in its own temp folder, reached through a unix
 * socket in that folder (and a loopback port only when asked), stopped by its PID and removed after
 * the test; a streaming standby of one, a crash (SIGKILL) and a promotion for failover. PostgreSQL
 * refuses to run as root, so under root (CI) every server program runs as the `postgres` user;
 * under any other user the tests are skipped with the reason. A missing PostgreSQL fails the test
 * and says how to install it (`.ci/run` does).
 */
import { execFile } from "node:child_process";
import { accessSync, chownSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, type TestContext } from "node:test";
import { promisify } from "node:util";
import postgres from "postgres";

const run = promisify(execFile);

/** Why the PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresSkipReason(): string | undefined {
	if (process.getuid?.() !== 0) {
		return "the PostgreSQL tests start throw-away clusters as the postgres user through runuser, which needs root (CI runs as root)";
	}
	return undefined;
}

/** The folder of PostgreSQL's server programs: by PATH first, then Debian's versioned folders, newest first. */
function postgresBinaries(): string {
	const versioned = existsSync("/usr/lib/postgresql")
		? readdirSync("/usr/lib/postgresql")
				.filter((name) => /^\d+$/.test(name))
				.sort((a, b) => Number(b) - Number(a))
				.map((version) => `/usr/lib/postgresql/${version}/bin`)
		: [];
	for (const dir of [...(process.env.PATH ?? "").split(":"), ...versioned]) {
		try {
			accessSync(join(dir, "initdb"), constants.X_OK);
			// PATH may hold only links to some of them (initdb, pg_ctl): the folder they point into has all.
			return dirname(realpathSync(join(dir, "initdb")));
		} catch {
			// Not here; look on.
		}
	}
	throw new Error("PostgreSQL is not installed: install it (Debian: apt-get install postgresql-15) to run the PostgreSQL tests");
}

async function postgresOwner(): Promise<{ uid: number; gid: number }> {
	const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
	const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
	return { uid, gid };
}

/** Runs one of PostgreSQL's programs as the postgres user. */
async function asPostgres(program: string, args: string[]): Promise<string> {
	const { stdout } = await run("runuser", ["-u", "postgres", "--", join(postgresBinaries(), program), ...args]);
	return stdout;
}

function processGone(pid: number): boolean {
	try {
		// A zombie (exited, not yet reaped by whoever adopted it) is gone for our purposes.
		return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").startsWith("Z");
	} catch {
		return true;
	}
}

/** The direct children of a process (the postmaster's backends and helpers), from /proc. */
export function childrenOf(pid: number): number[] {
	const children: number[] = [];
	for (const entry of readdirSync("/proc")) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const fields = readFileSync(`/proc/${entry}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
			if (Number(fields[1]) === pid) children.push(Number(entry));
		} catch {
			// It exited meanwhile.
		}
	}
	return children;
}

/**
 * Resolves once `condition` holds, looking every 20 ms; gives up (and fails the test) after about
 * half a minute, a bound for a hang, not a measure of speed.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
	for (let attempt = 0; attempt < 1500; attempt++) {
		if (await condition()) return;
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	throw new Error(`timed out waiting for ${what}`);
}

/** What a cluster is stopped by: a test's context, or the file's (clusterPerFile). */
type Cleanup = Pick<TestContext, "after">;

/**
 * One cluster for a whole test file, started by the first test that asks and stopped after the
 * last; `database(t)` gives each test a new, empty database of it.
 */
export function clusterPerFile(): { database: (ctype?: string) => Promise<string>; cluster: () => Promise<PostgresCluster> } {
	let started: Promise<PostgresCluster> | undefined;
	const cleanups: (() => unknown)[] = [];
	after(async () => {
		for (const cleanup of cleanups.reverse()) await cleanup();
	});
	let count = 0;
	const cluster = () => {
		started ??= startCluster({ after: (cleanup: () => unknown) => cleanups.push(cleanup) } as Cleanup);
		return started;
	};
	return {
		database: async (ctype) => (await cluster()).createDatabase(`test_${++count}`, ctype),
		cluster,
	};
}

/** A postgres.js client for a test, ended after it; notices (CREATE … IF NOT EXISTS chatter) are dropped. */
export function connect(t: TestContext, url: string, options: postgres.Options<Record<string, postgres.PostgresType>> = {}): postgres.Sql {
	const sql = postgres(url, { onnotice: () => {}, ...options });
	t.after(() => sql.end({ timeout: 5 }));
	return sql;
}

export interface PostgresCluster {
	/** The temp folder: the socket, the log and `data/`. */
	dir: string;
	/** A postgres.js URL of the `postgres` database, as the superuser `postgres`, over the private socket. */
	url: string;
	/** The URL of another database of this cluster. */
	urlOf: (database: string) => string;
	/** Creates a database (with this character classification, e.g. C.utf8, where given) and returns its URL. */
	createDatabase: (name: string, ctype?: string) => Promise<string>;
	/** The postmaster's PID, from postmaster.pid. */
	pid: number;
	/** A fast shutdown by PID; resolves when every process has exited and the folder is removed. */
	stop: () => Promise<void>;
	/** SIGKILL to the postmaster and all its processes at once, as when its host dies; the folder stays until stop(). */
	kill: () => Promise<void>;
	/** A streaming standby of this cluster (pg_basebackup -R), in its own folder; stopped by the test too. */
	startStandby: (options?: ClusterOptions) => Promise<PostgresCluster>;
	/** Makes a standby the primary; resolves once it accepts writes. */
	promote: () => Promise<void>;
}

export interface ClusterOptions {
	/**
	 * Also listen on this loopback port, and make the URLs TCP ones: postgres.js 4.2 takes a
	 * multi-host URL's unix socket from its first host only, so failover between clusters needs TCP.
	 */
	port?: number;
}

function clusterUrl(dir: string, options: ClusterOptions, database: string): string {
	return options.port === undefined
		? `postgres://postgres@/${database}?host=${encodeURIComponent(dir)}`
		: `postgres://postgres@127.0.0.1:${options.port}/${database}`;
}

function logOf(dir: string): string {
	try {
		return readFileSync(join(dir, "log"), "utf8");
	} catch {
		return "";
	}
}

async function makeFolder(prefix: string): Promise<string> {
	const { uid, gid } = await postgresOwner();
	const dir = mkdtempSync(join(tmpdir(), prefix));
	chownSync(dir, uid, gid);
	return dir;
}

/** The postmaster's PID, the first line of postmaster.pid in its data folder. */
function postmasterPid(data: string): number {
	return Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
}

/** Starts the server of a prepared data folder on the folder's private socket; returns the cluster. */
async function startServer(t: Cleanup, dir: string, options: ClusterOptions): Promise<PostgresCluster> {
	const data = join(dir, "data");
	try {
		await asPostgres("pg_ctl", [
			"-D", data, "-l", join(dir, "log"), "-w", "-t", "60",
			"-o", `-k ${dir} -c fsync=off ${options.port === undefined ? "-c listen_addresses=''" : `-c listen_addresses=127.0.0.1 -p ${options.port}`}`,
			"start",
		]);
	} catch (error) {
		const log = logOf(dir);
		// pg_ctl gave up waiting, but the server may be up: never leave one running.
		try {
			process.kill(postmasterPid(data), "SIGKILL");
		} catch {
			// It never started.
		}
		rmSync(dir, { recursive: true, force: true });
		throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
	}
	const pid = postmasterPid(data);
	let stopped = false;
	const kill = async () => {
		const all = [pid, ...childrenOf(pid)];
		for (const each of all) {
			try {
				process.kill(each, "SIGKILL");
			} catch {
				// Already gone.
			}
		}
		await waitFor(() => all.every(processGone), `the processes of the cluster in ${dir} to die`);
	};
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		if (!processGone(pid)) {
			const all = [pid, ...childrenOf(pid)];
			process.kill(pid, "SIGINT");
			await waitFor(() => all.every(processGone), `the cluster in ${dir} to stop`);
		}
		rmSync(dir, { recursive: true, force: true });
	};
	t.after(stop);
	const cluster: PostgresCluster = {
		dir,
		url: clusterUrl(dir, options, "postgres"),
		urlOf: (database) => clusterUrl(dir, options, database),
		createDatabase: async (name, ctype) => {
			const admin = postgres(clusterUrl(dir, options, "postgres"), { max: 1, onnotice: () => {} });
			try {
				if (ctype === undefined) await admin`CREATE DATABASE ${admin(name)}`;
				else await admin`CREATE DATABASE ${admin(name)} TEMPLATE template0 LC_CTYPE ${admin.unsafe(`'${ctype}'`)}`;
			} finally {
				await admin.end();
			}
			return clusterUrl(dir, options, name);
		},
		pid,
		stop,
		kill,
		startStandby: async (standbyOptions = {}) => {
			const standbyDir = await makeFolder("apikeys-tui-pg-standby-");
			mkdirSync(join(standbyDir, "data"), { mode: 0o700 });
			const { uid, gid } = await postgresOwner();
			chownSync(join(standbyDir, "data"), uid, gid);
			try {
				await asPostgres("pg_basebackup", ["-D", join(standbyDir, "data"), "-R", "-X", "stream", "-c", "fast", "-h", dir, "-p", String(options.port ?? 5432), "-U", "postgres"]);
			} catch (error) {
				rmSync(standbyDir, { recursive: true, force: true });
				throw error;
			}
			return startServer(t, standbyDir, standbyOptions);
		},
		promote: async () => {
			await asPostgres("pg_ctl", ["-D", data, "-w", "-t", "60", "promote"]);
		},
	};
	return cluster;
}

/** A new cluster (initdb, then started), stopped and removed after the test. */
export async function startCluster(t: Cleanup, options: ClusterOptions = {}): Promise<PostgresCluster> {
	const dir = await makeFolder("apikeys-tui-pg-");
	try {
		await asPostgres("initdb", ["-D", join(dir, "data"), "--no-sync", "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"]);
	} catch (error) {
		rmSync(dir, { recursive: true, force: true });
		throw new Error(`initdb failed: ${(error as Error).message}`);
	}
	return startServer(t, dir, options);
}
