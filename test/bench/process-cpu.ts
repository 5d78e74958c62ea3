/** CPU time of processes from /proc/<pid>/stat, for "CPU per request" figures. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { childrenOf } from "../support/postgres.js";

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** The fields of /proc/<pid>/stat after the command name: [0] is the state, [11] utime, [12] stime, [13] cutime, [14] cstime. */
function statFields(pid: number): number[] | undefined {
	try {
		return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ").map(Number);
	} catch {
		return undefined;
	}
}

/** A process's own CPU time in milliseconds (user + system). */
export function processCpuMs(pid: number): number {
	const fields = statFields(pid);
	return fields === undefined ? 0 : (((fields[11] as number) + (fields[12] as number)) * 1000) / ticksPerSecond;
}

/**
 * CPU milliseconds of a PostgreSQL cluster: the postmaster, its live backends and helpers, and the
 * backends that already exited (the postmaster reaps them, so their time is in its cutime/cstime).
 */
export function clusterCpuMs(postmaster: number): number {
	const fields = statFields(postmaster);
	if (fields === undefined) return 0;
	const reaped = (((fields[13] as number) + (fields[14] as number)) * 1000) / ticksPerSecond;
	return processCpuMs(postmaster) + reaped + childrenOf(postmaster).reduce((sum, child) => sum + processCpuMs(child), 0);
}
