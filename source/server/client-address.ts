/**
 * Who a request comes from: the connecting address, or — only when that address is a proxy the
 * operator trusts (`serve --trust-proxy`) — the client the proxy names. Headers from anyone else
 * are ignored: a client could write any address into them.
 */
import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";
import { BoundedMemo } from "./bounded-memo.js";

/** The proxies whose forwarding headers are believed: addresses and CIDR ranges, IPv4 or IPv6. */
export class TrustedProxies {
	private readonly list = new BlockList();
	/** BlockList.check costs microseconds; a gateway's few addresses are asked about on every request. */
	private readonly known = new BoundedMemo<boolean>(4096);
	readonly empty: boolean;

	private constructor(entries: readonly string[]) {
		for (const entry of entries) {
			const [address = "", bits] = entry.split("/");
			const family = isIP(address) === 6 ? "ipv6" : "ipv4";
			if (bits === undefined) this.list.addAddress(address, family);
			else this.list.addSubnet(address, Number(bits), family);
		}
		this.empty = entries.length === 0;
	}

	static none(): TrustedProxies {
		return new TrustedProxies([]);
	}

	/** Parses "ADDR|CIDR[,…]"; throws an Error whose message names the entry that is not one. */
	static parse(text: string): TrustedProxies {
		const entries = text.split(",").map((entry) => entry.trim());
		for (const entry of entries) {
			const match = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(entry);
			const family = match ? isIP(match[1] as string) : 0;
			const bits = match?.[2] === undefined ? undefined : Number(match[2]);
			if (family === 0 || (bits !== undefined && bits > (family === 4 ? 32 : 128))) {
				throw new Error(`"${entry}" is not an IP address or a CIDR range such as 10.0.0.0/8`);
			}
		}
		return new TrustedProxies(entries);
	}

	has(address: string): boolean {
		return this.known.of(address, () => {
			const family = isIP(address);
			return family !== 0 && this.list.check(address, family === 4 ? "ipv4" : "ipv6");
		});
	}
}

function header(request: IncomingMessage, name: string): string | undefined {
	const value = request.headers[name];
	return Array.isArray(value) ? value.join(",") : value;
}

/**
 * The client's address. From a trusted proxy: the rightmost X-Forwarded-For address that is not
 * itself a trusted proxy (addresses left of it were written by whoever sent the request, and are
 * not believed), else X-Real-IP, else the proxy's own address. A forwarded value that is not an
 * address ends the search there, with the proxy's address: it cannot be a client to throttle.
 */
export function clientAddress(request: IncomingMessage, trusted: TrustedProxies): string {
	const connecting = request.socket.remoteAddress ?? "unknown";
	if (trusted.empty || !trusted.has(connecting)) return connecting;
	const forwarded = header(request, "x-forwarded-for");
	if (forwarded !== undefined) {
		const hops = forwarded.split(",");
		let client = connecting;
		for (let i = hops.length - 1; i >= 0; i--) {
			const hop = (hops[i] as string).trim();
			if (isIP(hop) === 0) break;
			client = hop;
			if (!trusted.has(hop)) break;
		}
		return client;
	}
	const real = header(request, "x-real-ip")?.trim();
	return real !== undefined && isIP(real) !== 0 ? real : connecting;
}
