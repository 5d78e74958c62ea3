/** A store with a full-control key, served by `apikeys-tui serve`, and the calls the HTTP API's tests make to it. */
import type { TestContext } from "node:test";
import type { AccessLogEntry } from "../../source/core/backend.js";
import type { RunningServer } from "./server-process.js";
import { type ServedEngine, type Store, type StoreUnderTest, withStore } from "./served-engines.js";

export interface Fixture {
	store: StoreUnderTest;
	/** The full-control key, id 1000, named admin. */
	admin: string;
	server: RunningServer;
}

export interface FixtureOptions {
	/** The admin key's logging. */
	logging?: string;
	/** Runs on the open store after the admin key is made, before `serve` starts. */
	seed?: (store: Store) => Promise<void>;
	/** More options for `serve`. */
	serveArgs?: string[];
}

export async function serve(t: TestContext, engine: ServedEngine, options: FixtureOptions = {}): Promise<Fixture> {
	const store = await engine.newStore(t);
	const admin = await withStore(store, async (opened) => {
		const { key } = await opened.createKey(
			{ type: "system", systemApis: ["full-control"], displayName: "admin", logging: options.logging ?? "both" },
			{ actor: "test" },
		);
		await options.seed?.(opened);
		return key;
	});
	return { store, admin, server: await store.serve(options.serveArgs) };
}

export interface Answer {
	status: number;
	text: string;
	headers: Headers;
}

/** A request to the server as the holder of `key` (the admin's unless given; null: no key). */
export async function call(fixture: Fixture, path: string, init: RequestInit = {}, key: string | null = fixture.admin): Promise<Answer> {
	const headers = new Headers(init.headers);
	if (key !== null) headers.set("X-ApiKey", key);
	const response = await fetch(`${fixture.server.url}${path}`, { ...init, headers });
	return { status: response.status, text: await response.text(), headers: response.headers };
}

/** A POST of JSON text (or bytes) as the admin. */
export function post(fixture: Fixture, path: string, body: string | Buffer, type = "application/json"): Promise<Answer> {
	return call(fixture, path, { method: "POST", headers: { "Content-Type": type }, body });
}

/** The access log, newest first, read from the store. */
export function logEntries(store: StoreUnderTest): Promise<AccessLogEntry[]> {
	return withStore(store, async (opened) => (await opened.queryAccessLog({}, { limit: 1000 })).entries);
}
