/**
 * Whom the server's per-client limits count: an IPv4 address, or an IPv6 address's /64 (one
 * host is routinely given a whole /64, so counting single IPv6 addresses would give it 2^64
 * throttles). An IPv4 address mapped into IPv6 (`::ffff:192.0.2.1`) is that IPv4 address.
 */
import { isIPv4, isIPv6 } from "node:net";

/** The eight groups of an IPv6 address, as numbers (the address is known to be valid). */
function ipv6Groups(address: string): number[] {
	const [head = "", tail] = address.split("::");
	const groups = (part: string) => (part === "" ? [] : part.split(":"));
	let left = groups(head);
	let right = tail === undefined ? [] : groups(tail);
	// A dotted IPv4 tail is two groups.
	const dotted = (parts: string[]) => {
		const last = parts.at(-1);
		if (last === undefined || !isIPv4(last)) return parts;
		const [a, b, c, d] = last.split(".").map(Number) as [number, number, number, number];
		return [...parts.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
	};
	if (tail === undefined) left = dotted(left);
	else right = dotted(right);
	const missing = 8 - left.length - right.length;
	return [...left, ...Array<string>(Math.max(0, missing)).fill("0"), ...right].map((g) => Number.parseInt(g, 16));
}

export function clientIdentity(address: string | undefined): string {
	if (address === undefined) return "unknown";
	if (isIPv4(address)) return address;
	const bare = address.split("%")[0] as string;
	if (!isIPv6(bare)) return address;
	const groups = ipv6Groups(bare.toLowerCase());
	if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
		const [high = 0, low = 0] = groups.slice(6);
		return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
	}
	return `${groups
		.slice(0, 4)
		.map((g) => g.toString(16))
		.join(":")}::/64`;
}
