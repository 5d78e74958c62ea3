/**
 * A real nginx in front of an upstream, asking `serve`'s authorize route with `auth_request`
 * (docs/GATEWAYS.md's configuration): for the gateway test and the bench. Everything it writes is
 * in one temp folder; it runs in the foreground as one process and is stopped by its PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";

/** nginx's path, or an Error saying how to install it: a test that needs it fails, never skips. */
export function nginxBinary(): string {
	for (const dir of [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin"]) {
		const candidate = join(dir, "nginx");
		try {
			accessSync(candidate, constants.X_OK);
			return candidate;
		} catch {
			// Not here; look on.
		}
	}
	throw new Error("nginx is not installed: install it (Debian: apt-get install nginx-light) to run the gateway tests");
}

/** A loopback port free now (nginx cannot be asked for an ephemeral one). */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once("error", reject);
		probe.listen(0, "127.0.0.1", () => {
			const address = probe.address();
			const port = typeof address === "object" && address ? address.port : 0;
			probe.close(() => resolve(port));
		});
	});
}

export interface GatewayOptions {
	dir: string;
	port: number;
	/** host:port of `serve`. */
	authorize: string;
	/** host:port of the protected upstream. */
	upstream: string;
	/** Without it, the same nginx lets everything through (the bench's floor). */
	auth: boolean;
	/** nginx's own access log; off by default (the bench measures the gateway, not its log). */
	accessLog?: boolean;
}

/**
 * Downloads need `view` on feed public-npm (group npm-feeds), uploads need `add`. The key, its
 * user and id go upstream in X-ApiKey-* headers, set here so a client cannot send its own.
 */
export function gatewayConfig(options: GatewayOptions): string {
	const { dir, port, authorize, upstream, auth } = options;
	const check = (permission: string) => `
		location = /_apikeys/${permission} {
			internal;
			proxy_pass http://apikeys/api/api-keys/authorize?feed=public-npm&feedGroup=npm-feeds&feedPermission=${permission};
			proxy_pass_request_body off;
			proxy_set_header Content-Length "";
			proxy_set_header X-Original-URI $request_uri;
			proxy_set_header X-Original-Method $request_method;
			proxy_set_header X-Forwarded-For $remote_addr;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}`;
	const protectedBy = (path: string, permission: string) => `
		location ${path} {
			${auth ? `auth_request /_apikeys/${permission};` : ""}
			auth_request_set $apikey_id $upstream_http_x_apikey_id;
			auth_request_set $apikey_user $upstream_http_x_apikey_user;
			proxy_set_header X-ApiKey-Id $apikey_id;
			proxy_set_header X-ApiKey-User $apikey_user;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_pass http://upstream;
		}`;
	// Idle connections are let go before serve's (Node's) 5 s would close them under nginx.
	const keepalive = "keepalive 16; keepalive_timeout 4s; keepalive_requests 1000000;";
	return `daemon off;
master_process off;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections 256; }
http {
	access_log ${options.accessLog ? join(dir, "access.log") : "off"};
	client_body_temp_path ${join(dir, "client_body")};
	proxy_temp_path ${join(dir, "proxy")};
	fastcgi_temp_path ${join(dir, "fastcgi")};
	uwsgi_temp_path ${join(dir, "uwsgi")};
	scgi_temp_path ${join(dir, "scgi")};
	upstream apikeys { server ${authorize}; ${keepalive} }
	upstream upstream { server ${upstream}; ${keepalive} }
	server {
		listen 127.0.0.1:${port};
		# nginx closes a client's connection after 1,000 requests by default: a load test would see resets.
		keepalive_requests 1000000;
		${check("view")}
		${check("add")}
		${protectedBy("/feeds/public-npm/download/", "view")}
		${protectedBy("/feeds/public-npm/upload/", "add")}
	}
}
`;
}

export interface RunningNginx {
	url: string;
	process: ChildProcess;
	/** Stops it by its PID and resolves when it has exited. */
	stop: () => Promise<void>;
	/** What nginx wrote to its error log's stream on stderr. */
	stderr: () => string;
}

function portAnswers(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, "127.0.0.1", () => {
			socket.destroy();
			resolve(true);
		});
		socket.on("error", () => resolve(false));
	});
}

/** Writes the configuration into `options.dir` and starts nginx with it; resolves once it accepts connections. */
export async function startNginx(options: GatewayOptions): Promise<RunningNginx> {
	const binary = nginxBinary();
	const config = join(options.dir, "nginx.conf");
	writeFileSync(config, gatewayConfig(options));
	// -e: the error log before the configuration is read, which would otherwise be /var/log/nginx's.
	const child = spawn(binary, ["-p", options.dir, "-e", join(options.dir, "error.log"), "-c", config], {
		stdio: ["ignore", "ignore", "pipe"],
	});
	let stderr = "";
	child.stderr?.setEncoding("utf8").on("data", (d: string) => {
		stderr += d;
	});
	let exited = false;
	const exit = new Promise<void>((resolve) =>
		child.on("exit", () => {
			exited = true;
			resolve();
		}),
	);
	const stop = async () => {
		if (!exited && child.pid !== undefined) process.kill(child.pid, "SIGQUIT");
		await exit;
	};
	for (let attempt = 0; attempt < 200 && !exited; attempt++) {
		if (await portAnswers(options.port)) {
			return { url: `http://127.0.0.1:${options.port}`, process: child, stop, stderr: () => stderr };
		}
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
	await stop();
	let log = "";
	try {
		log = readFileSync(join(options.dir, "error.log"), "utf8");
	} catch {
		// Nothing was logged.
	}
	throw new Error(`nginx did not start: ${stderr}${log}`);
}
