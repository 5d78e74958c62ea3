/**
 * `apikeys-tui serve`: the store over HTTP with ProGet's API-key API. Loopback unless --public;
 * SIGTERM or SIGINT stops accepting, finishes what is in flight, writes the access log, exits 0.
 */
import type { Server } from "node:http";
import { isIP } from "node:net";
import { AppError } from "../core/errors.js";
import { defaultMaxStalenessMs } from "../core/served-store.js";
import { safeLine } from "../core/terminal-text.js";
import { createApiServer } from "../server/api-server.js";
import { TrustedProxies } from "../server/client-address.js";
import { closedWithin, exitIfLingering, lingerLimitMs, storeCloseLimitMs } from "../process/bounded-stop.js";
import { keepHeapSmall } from "../process/heap-tuning.js";
import { type CommandSpec, optionError, stringFlag, UsageError } from "./command.js";
import { openOwnStore, warnOnStderr } from "./open-backend.js";
import { version } from "./version.js";

function isLoopback(host: string): boolean {
	return host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
}

/** --max-staleness in milliseconds: a positive number of seconds, at most a day. */
function maxStalenessFlag(value: unknown): number {
	if (value === undefined) return defaultMaxStalenessMs;
	const seconds = typeof value === "string" && /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
	if (!(seconds > 0 && seconds <= 86_400)) throw optionError("max-staleness", "must be a number of seconds above 0 (at most 86400), e.g. 30");
	return seconds * 1000;
}

/** Why listening failed, in words a person acts on; an errno we have no words for as it is. */
function listenFailure(error: NodeJS.ErrnoException): string {
	if (error.code === "EADDRINUSE") return "the port is in use (another serve node?); choose another --port";
	if (error.code === "EADDRNOTAVAIL") return "no network interface of this machine has that address; give one of its own in --host";
	if (error.code === "EACCES") return "permission denied (a port below 1024 needs privileges); choose another --port";
	return error.code ?? error.message;
}

export const serveCommand: CommandSpec = {
	name: "serve",
	summary: "Serves the store over HTTP with ProGet's API-key API (and extensions).",
	usage: "apikeys-tui serve [--host=127.0.0.1] [--port=8624] [--public] [--trust-proxy=ADDR|CIDR[,...]] [--max-staleness=SECONDS]",
	details: `
The first line on stdout is "listening on http://HOST:PORT". --port=0 picks a free port.
Every route except /health and /api/api-keys/authorize needs a system key with full control
(in the proget profile, full-control), passed as X-ApiKey, ?key=, a key form field, an API_Key
JSON property or Basic auth api:KEY. Make the first one with "apikeys-tui create system" on
the same store. docs/HTTP-API.md lists the routes.

/api/api-keys/authorize is for gateways (nginx auth_request, Traefik forwardAuth, Caddy
forward_auth, Envoy ext_authz): it checks the forwarded request's own key against its query
(systemApi=NAME, or feed=NAME [feedGroup=NAME] with feedPermission=view|add|promote|delete;
allowPersonal=false) and answers 204 with X-ApiKey-Id/-Type/-Name/-User, 401 without a key,
403 for a refused one. See docs/GATEWAYS.md.

--trust-proxy names the gateways whose X-Forwarded-For or X-Real-IP give the client's address
(for the access log and the failure throttle); from any other address those headers are ignored.

A store that fails (unreachable, full) is answered 503 with a fixed text: the reason,
which names the store, goes to stderr only.

On a PostgreSQL store (docs/STORE.md) every node keeps every key in memory, kept current from the
database. A node that cannot confirm that for longer than --max-staleness (default 30 s, above a
failover's duration) answers 503 to every key check rather than trust a key revoked meanwhile,
and GET /health answers 503 with the reason, until the database answers again. Before that, from
its first failed look, GET /health answers 200 with databaseStatus "Error" and the reason. A
SQLite store is a local file, current while it is the file opened: deleted or replaced under the
server, every key check and GET /health answer 503 with that reason (no path) until a restart.`,
	flags: {
		host: { type: "string", description: "Address to listen on (default 127.0.0.1)" },
		port: { type: "string", description: "Port to listen on (default 8624; 0 picks a free one)" },
		public: { type: "boolean", description: "Allow listening on an address other than loopback" },
		trustProxy: {
			type: "string",
			placeholder: "ADDR|CIDR[,...]",
			description: "Proxies whose X-Forwarded-For / X-Real-IP name the client (default none)",
		},
		maxStaleness: {
			type: "string",
			placeholder: "SECONDS",
			description: "Refuse key checks (503) once the key index is unconfirmed this long (default 30; PostgreSQL)",
		},
	},
	async run({ flags, io }) {
		const host = stringFlag(flags, "host") ?? "127.0.0.1";
		const portText = stringFlag(flags, "port") ?? "8624";
		if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65_535) throw optionError("port", "must be a port number (0-65535)");
		if (!isLoopback(host) && flags.public !== true) {
			throw new UsageError(`--host=${host} is not a loopback address: add --public to serve keys to the network`);
		}
		const trustText = stringFlag(flags, "trustProxy");
		let trustedProxies = TrustedProxies.none();
		if (trustText !== undefined) {
			try {
				trustedProxies = TrustedProxies.parse(trustText);
			} catch (error) {
				throw optionError("trust-proxy", (error as Error).message);
			}
		}
		const maxStalenessMs = maxStalenessFlag(flags.maxStaleness);
		keepHeapSmall();
		// Listened for from the start: reading a large store's keys takes a while, and a stop asked for
		// meanwhile (a service manager's, or Ctrl-C) is a clean stop too.
		const shutdown: { asked: boolean; server?: Server } = { asked: false };
		let pruneTimer: NodeJS.Timeout | undefined;
		let stopped = () => {};
		const done = new Promise<void>((resolve) => {
			stopped = resolve;
		});
		const closeServer = (listening: Server) => {
			clearInterval(pruneTimer);
			listening.close(() => stopped());
			listening.closeIdleConnections();
		};
		const stop = () => {
			process.off("SIGTERM", stop);
			process.off("SIGINT", stop);
			shutdown.asked = true;
			if (shutdown.server?.listening) closeServer(shutdown.server);
		};
		process.on("SIGTERM", stop);
		process.on("SIGINT", stop);
		const store = await openOwnStore(flags, io.env, { existing: true, warn: warnOnStderr(io) });
		if ("onFeedReport" in store) store.onFeedReport = (line) => io.stderr(`apikeys-tui serve: ${safeLine(line)}\n`);
		await store.startServing({ maxStalenessMs }).catch(async (error: unknown) => {
			await store.close();
			throw error;
		});
		store.onLogError = (error) => io.stderr(`apikeys-tui serve: the access log could not be written, will retry: ${safeLine((error as Error).message)}\n`);
		// An unexpected error's message can quote what a client sent.
		const api = createApiServer({ store, version, trustedProxies, onError: (message) => io.stderr(`apikeys-tui serve: ${safeLine(message)}\n`) });
		await new Promise<void>((resolve, reject) => {
			api.once("error", reject);
			api.listen(Number(portText), host, () => resolve());
		}).catch(async (error: NodeJS.ErrnoException) => {
			stop();
			await store.close();
			// The command was right; the machine was not ready for it (a port in use): a failure, exit 1.
			throw new AppError(`cannot listen on ${host}:${portText}: ${listenFailure(error)}`, "unavailable");
		});
		shutdown.server = api;
		if (shutdown.asked) closeServer(api);
		else {
			const address = api.address();
			const port = typeof address === "object" && address ? address.port : Number(portText);
			io.stdout(`listening on http://${host.includes(":") ? `[${host}]` : host}:${port}\n`);
			pruneTimer = setInterval(() => {
				store.pruneAccessLog().catch((error: unknown) => io.stderr(`apikeys-tui serve: pruning failed: ${(error as Error).message}\n`));
			}, 3_600_000);
			pruneTimer.unref();
		}
		await done;
		exitIfLingering(storeCloseLimitMs + lingerLimitMs, (line) => io.stderr(`apikeys-tui serve: ${line}\n`));
		if (!(await closedWithin(store.close(), storeCloseLimitMs))) {
			throw new AppError(`the store did not close within ${storeCloseLimitMs / 1000} s; stopped without it`, "unavailable");
		}
		io.stderr("apikeys-tui serve: stopped; the access log is written\n");
	},
};
