/**
 * What one client may cost a server that does not yet know who it is: the bytes of unauthenticated
 * bodies held at once (all clients together), the connections one address keeps open, and how many
 * of its failed requests are written to the access log (the rest are counted, and the count logged).
 */

/** Bytes shared by every body being read before its key is known; what is taken is given back. */
export class ByteBudget {
	private used = 0;

	constructor(readonly limit: number) {}

	take(bytes: number): boolean {
		if (this.used + bytes > this.limit) return false;
		this.used += bytes;
		return true;
	}

	give(bytes: number): void {
		this.used = Math.max(0, this.used - bytes);
	}
}

/** Open connections per client, refused beyond a cap. */
export class ConnectionCounts {
	private readonly open = new Map<string, number>();

	constructor(readonly limit: number) {}

	/** Counts a new connection; false (and not counted) when the client already has `limit`. */
	add(client: string): boolean {
		const count = this.open.get(client) ?? 0;
		if (count >= this.limit) return false;
		this.open.set(client, count + 1);
		return true;
	}

	remove(client: string): void {
		const count = (this.open.get(client) ?? 1) - 1;
		if (count <= 0) this.open.delete(client);
		else this.open.set(client, count);
	}
}

interface LogWindow {
	started: number;
	logged: number;
	skipped: number;
}

/**
 * At most `perMinute` failed requests of one client are logged in a minute, and `allPerMinute` of all
 * clients together (an attacker with many addresses, such as an IPv6 /48's 65,536 /64s); the rest are
 * counted, and each count is handed to `report` once its minute is over (at the next sweep or the
 * client's next failure), so the log says how many it does not hold. `report` is told the client, or
 * nothing for the count over the limit of all clients. The table is bounded, oldest out first.
 */
export class FailureLogLimit {
	private readonly byClient = new Map<string, LogWindow>();
	private all: LogWindow;

	constructor(
		private readonly perMinute: number,
		private readonly allPerMinute: number,
		private readonly report: (client: string | undefined, skipped: number) => void,
		private readonly now: () => number = Date.now,
		private readonly maxClients = 10_000,
	) {
		this.all = { started: now(), logged: 0, skipped: 0 };
	}

	/** Whether this failure is logged; counts it when not. */
	admit(client: string): boolean {
		const now = this.now();
		let window = this.byClient.get(client);
		if (window && now - window.started >= 60_000) {
			this.close(client, window);
			window = undefined;
		}
		if (!window) {
			window = { started: now, logged: 0, skipped: 0 };
			this.byClient.set(client, window);
			if (this.byClient.size > this.maxClients) {
				const [oldest, oldestWindow] = this.byClient.entries().next().value as [string, LogWindow];
				this.close(oldest, oldestWindow);
			}
		}
		if (window.logged >= this.perMinute) {
			window.skipped++;
			return false;
		}
		if (now - this.all.started >= 60_000) this.closeAll(now);
		if (this.all.logged >= this.allPerMinute) {
			this.all.skipped++;
			return false;
		}
		this.all.logged++;
		window.logged++;
		return true;
	}

	/** Reports and forgets every window that is over, or every window at all (`all`: the server stops). */
	sweep(all = false): void {
		const now = this.now();
		for (const [client, window] of this.byClient) if (all || now - window.started >= 60_000) this.close(client, window);
		if (all || now - this.all.started >= 60_000) this.closeAll(now);
	}

	private close(client: string, window: LogWindow): void {
		this.byClient.delete(client);
		if (window.skipped > 0) this.report(client, window.skipped);
	}

	private closeAll(now: number): void {
		if (this.all.skipped > 0) this.report(undefined, this.all.skipped);
		this.all = { started: now, logged: 0, skipped: 0 };
	}
}
