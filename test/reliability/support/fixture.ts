/** A served store with one full-control key, and small helpers the reliability tests share. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import type { TestContext } from "node:test";
import { LocalStore } from "../../../source/store/local-store.js";
import { type RunningServer, startServer } from "../../support/server-process.js";
import { tempDbPath } from "../../support/temp-store.js";

export interface ServedStore {
	db: string;
	admin: string;
	adminId: number;
	server: RunningServer;
}

export async function servedStore(t: TestContext, logging = "both", serverArgs: string[] = []): Promise<ServedStore> {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const created = await store.createKey(
		{ type: "system", systemApis: ["full-control"], displayName: "admin", logging },
		{ actor: "test" },
	);
	await store.close();
	const server = await startServer(db, serverArgs);
	t.after(async () => {
		if (server.process.exitCode === null && server.process.signalCode === null) await server.stop();
	});
	return { db, admin: created.key, adminId: created.record.id, server };
}

/** A small seeded generator (mulberry32), so a failing run can be repeated from its seed. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let x = state;
		x = Math.imul(x ^ (x >>> 15), x | 1);
		x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
		return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
	};
}

/** The seed from RELIABILITY_SEED, or a fresh one; the test prints it. */
export function suiteSeed(): number {
	const given = Number(process.env.RELIABILITY_SEED);
	return Number.isInteger(given) && given > 0 ? given : Math.floor(Math.random() * 2 ** 31) + 1;
}

export function pick<T>(random: () => number, items: readonly T[]): T {
	return items[Math.floor(random() * items.length)] as T;
}

/** Resident memory of a process, in MB. */
export function residentMb(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, "utf8");
	return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Whether text looks like a stack trace or an unhandled error. */
export function looksLikeCrash(text: string): boolean {
	return /\n\s+at [^\n]+\(|\bat file:\/\/|Unhandled|TypeError|RangeError|ReferenceError|SyntaxError: /.test(text);
}

/** A one-line refusal: exit 1, one line on stderr matching `reason`, nothing on stdout, no stack trace. */
export function assertRefused(result: { code: number; stdout: string; stderr: string }, reason: RegExp): void {
	assert.equal(result.code, 1, result.stderr);
	assert.equal(result.stdout, "");
	assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
	assert.match(result.stderr, reason);
	assert.ok(!looksLikeCrash(result.stderr), result.stderr);
}

/** SQLite's integrity_check of a store file: "ok" when it is sound. */
export function integrityOf(db: string): string {
	const raw = new Database(db);
	try {
		return raw.pragma("integrity_check", { simple: true }) as string;
	} finally {
		raw.close();
	}
}
