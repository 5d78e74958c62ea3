/**
 * A loopback TCP proxy in front of a database that can go silent as a broken link does: bytes
 * dropped, no FIN, no RST, so the client learns nothing until its own timers give up. Real sockets
 * on both sides; the tests use it where a closed connection would be noticed at once.
 */
import { createServer, type Socket, connect as connectTcp } from "node:net";
import type { TestContext } from "node:test";

interface Link {
	client: Socket;
	upstream: Socket | undefined;
	dead: boolean;
}

export interface BlackholeProxy {
	/** `url` (a TCP URL of the database) through the proxy. */
	through: (url: string) => string;
	/**
	 * From now on every byte of every open connection is dropped, and connections made meanwhile
	 * are accepted and never answered, as when a link drops all packets.
	 */
	silenceAll: () => void;
	/**
	 * New connections pass again; those silenced stay silent for good, as connections a NAT or
	 * firewall forgot during an outage are.
	 */
	restore: () => void;
	/** Silences the one connection the database sees coming from `clientPort` (pg_stat_activity.client_port). */
	silenceConnection: (clientPort: number) => void;
}

/** Proxies loopback connections to `targetPort`; every socket is destroyed after the test. */
export async function startBlackholeProxy(t: TestContext, targetPort: number): Promise<BlackholeProxy> {
	const links = new Set<Link>();
	let silent = false;
	const server = createServer((client) => {
		const link: Link = { client, upstream: undefined, dead: silent };
		links.add(link);
		client.on("error", () => {});
		client.on("close", () => {
			link.upstream?.destroy();
			links.delete(link);
		});
		if (link.dead) return;
		const upstream = connectTcp(targetPort, "127.0.0.1");
		link.upstream = upstream;
		upstream.on("error", () => client.destroy());
		upstream.on("close", () => {
			if (!link.dead) client.destroy();
		});
		client.on("data", (bytes) => {
			if (!link.dead) upstream.write(bytes);
		});
		upstream.on("data", (bytes) => {
			if (!link.dead) client.write(bytes);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
	const address = server.address();
	const port = typeof address === "object" && address ? address.port : 0;
	t.after(async () => {
		for (const link of links) {
			link.client.destroy();
			link.upstream?.destroy();
		}
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});
	return {
		through: (url) => Object.assign(new URL(url), { port: String(port) }).href,
		silenceAll: () => {
			silent = true;
			for (const link of links) link.dead = true;
		},
		restore: () => {
			silent = false;
		},
		silenceConnection: (clientPort) => {
			for (const link of links) if (link.upstream?.localPort === clientPort) link.dead = true;
		},
	};
}
