/**
 * Figures measured in-process on a seeded store: the access log's first page per filter (against the
 * same SQL run bare through better-sqlite3) and key verification (against one HMAC per call).
 */
import { createHmac, randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import type { AccessLogFilter } from "../../source/core/backend.js";
import { accessLogPageQuery } from "../../source/store/access-log.js";
import { LocalStore } from "../../source/store/local-store.js";
import { median, timeRuns } from "./stats.js";

export const logFilters: Record<string, AccessLogFilter> = {
	key: {},
	status4xx: { statusClass: 4 },
	status2xx: { statusClass: 2 },
	methodDelete: { method: "DELETE" },
	last24h: { since: Date.now() - 86_400_000 },
	pathPrefix: { pathPrefix: "/npm/" },
	pathPrefixNoMatch: { pathPrefix: "/nothing/" },
};

export interface LogFilterFigures {
	/** The slowest filter's median, ms. */
	worst: number;
	worstFloor: number;
	byFilter: Record<string, { median: number; floor: number }>;
}

export async function measureLogFilters(path: string, keyId: number, runs: number): Promise<LogFilterFigures> {
	const filters = { ...logFilters, key: { keyId } };
	const store = LocalStore.open(path);
	const bare = new Database(path, { readonly: true });
	const byFilter: LogFilterFigures["byFilter"] = {};
	try {
		for (const [name, filter] of Object.entries(filters)) {
			const page = { limit: 50 };
			const query = accessLogPageQuery(bare, filter, page);
			const statement = bare.prepare(query.sql);
			statement.all(...query.params);
			await store.queryAccessLog(filter, page);
			const floor = median(timeRuns(runs, () => statement.all(...query.params)));
			const times: number[] = [];
			for (let i = 0; i < runs; i++) {
				const start = process.hrtime.bigint();
				await store.queryAccessLog(filter, page);
				times.push(Number(process.hrtime.bigint() - start) / 1e6);
			}
			byFilter[name] = { median: median(times), floor };
		}
	} finally {
		bare.close();
		await store.close();
	}
	const worstName = Object.entries(byFilter).sort((a, b) => b[1].median - a[1].median)[0]?.[0] as string;
	const worst = byFilter[worstName] as { median: number; floor: number };
	return { worst: worst.median, worstFloor: worst.floor, byFilter };
}

/** Verifications per second, half valid and half unknown keys, and HMACs per second as the floor. */
export async function measureVerify(
	path: string,
	keys: string[],
	calls: number,
): Promise<{ perSecond: number; floor: number }> {
	const store = LocalStore.open(path);
	try {
		const sample = Array.from({ length: calls }, (_, i) =>
			i % 2 === 0 ? (keys[(i * 104_729) % keys.length] as string) : randomBytes(20).toString("hex"),
		);
		const requirement = { kind: "system-api", api: "feeds" } as const;
		for (let i = 0; i < 1000; i++) store.verifyNow(sample[i % sample.length] as string, requirement);
		const start = process.hrtime.bigint();
		for (const key of sample) store.verifyNow(key, requirement);
		const seconds = Number(process.hrtime.bigint() - start) / 1e9;
		const secret = randomBytes(32);
		const floorStart = process.hrtime.bigint();
		for (const key of sample) createHmac("sha256", secret).update(key).digest();
		const floorSeconds = Number(process.hrtime.bigint() - floorStart) / 1e9;
		return { perSecond: calls / seconds, floor: calls / floorSeconds };
	} finally {
		await store.close();
	}
}
