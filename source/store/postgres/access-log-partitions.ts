/**
 * The access log's daily partitions (migrations/003-access-log.ts): one table per UTC day, named
 * access_log_YYYYMMDD, made ahead of the day by whichever node gets there first and dropped whole
 * once every entry in it is past retention. Both run under an advisory lock: two nodes making the
 * same day's partition at once would otherwise collide in the catalog.
 */
import type { Sql } from "postgres";
import { lockNamespace, lockPurpose } from "./coordination.js";

const dayMs = 86_400_000;
const partitionPattern = /^access_log_(\d{4})(\d{2})(\d{2})$/;

function startOfDay(time: Date): Date {
	return new Date(Math.floor(time.getTime() / dayMs) * dayMs);
}

/** The partition that holds entries written at `time`. */
export function partitionName(time: Date): string {
	return `access_log_${startOfDay(time).toISOString().slice(0, 10).replaceAll("-", "")}`;
}

/** Makes the partitions of the day of `now` and of the `daysAhead` days after it, where missing. */
export async function ensureAccessLogPartitions(sql: Sql, now: Date, daysAhead = 1): Promise<void> {
	await sql.begin(async (tx) => {
		await tx`SELECT pg_advisory_xact_lock(${lockNamespace}, ${lockPurpose.accessLogPartitions})`;
		for (let day = 0; day <= daysAhead; day++) {
			const from = new Date(startOfDay(now).getTime() + day * dayMs);
			const to = new Date(from.getTime() + dayMs);
			await tx`
				CREATE TABLE IF NOT EXISTS ${tx(partitionName(from))} PARTITION OF access_log
				FOR VALUES FROM (${tx.unsafe(`'${from.toISOString()}'`)}) TO (${tx.unsafe(`'${to.toISOString()}'`)})`;
		}
	});
}

/** Drops the partitions whose whole day is before `cutoff` (now less the retention); returns their names. */
export async function dropAccessLogPartitionsBefore(sql: Sql, cutoff: Date): Promise<string[]> {
	return sql.begin(async (tx) => {
		await tx`SELECT pg_advisory_xact_lock(${lockNamespace}, ${lockPurpose.accessLogPartitions})`;
		const partitions = await tx<{ name: string }[]>`
			SELECT child.relname AS name FROM pg_inherits
			JOIN pg_class child ON child.oid = pg_inherits.inhrelid
			WHERE pg_inherits.inhparent = 'access_log'::regclass`;
		const dropped: string[] = [];
		for (const { name } of partitions) {
			const day = partitionPattern.exec(name);
			if (!day) continue;
			const end = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) + dayMs;
			if (end > cutoff.getTime()) continue;
			await tx`DROP TABLE ${tx(name)}`;
			dropped.push(name);
		}
		return dropped.sort();
	});
}
