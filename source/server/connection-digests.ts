/**
 * The digest of the key each connection presented last. A client that sends the same key with
 * every request on a kept-alive connection pays for the HMAC once per connection, not once per
 * request. A key is compared only with the one presented before on the same connection, so how
 * long the comparison takes tells a client nothing it did not send itself.
 */
import type { Socket } from "node:net";

export class ConnectionDigests {
	private readonly last = new WeakMap<Socket, { key: string; digest: string }>();

	constructor(private readonly digestOf: (key: string) => string) {}

	of(connection: Socket, key: string): string {
		const known = this.last.get(connection);
		if (known?.key === key) return known.digest;
		const digest = this.digestOf(key);
		this.last.set(connection, { key, digest });
		return digest;
	}
}
