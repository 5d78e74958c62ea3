/**
 * `npm run bench`: builds stores at real size and measures each figure beside a floor measured in
 * the same run. `--quick` runs at a tenth of the size; `--json` prints one JSON object.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seedStore } from "./seed.js";
import { measureConsole } from "./console-figures.js";
import { measureRemote } from "./remote-figures.js";
import { measureServer } from "./server-figures.js";
import { measureLogFilters, measureVerify } from "./store-figures.js";
import { measurePostgres } from "./postgres-figures.js";

interface Figure {
	name: string;
	value: number;
	floor: number | null;
	unit: string;
	/** Whether a larger value is better (rates) or worse (times). */
	higherIsBetter: boolean;
}

const quick = process.argv.includes("--quick");
const asJson = process.argv.includes("--json");
const scale = quick ? 0.1 : 1;
const keyCount = Math.round(100_000 * scale);
const logCount = Math.round(1_000_000 * scale);

function log(message: string): void {
	if (!asJson) process.stderr.write(`${message}\n`);
}

const dir = mkdtempSync(join(tmpdir(), "apikeys-tui-bench-"));
try {
	const figures: Figure[] = [];
	const scaling: Record<string, number> = {};
	for (const entries of [10_000, 100_000, 1_000_000].map((n) => Math.round(n * scale))) {
		const started = Date.now();
		const path = join(dir, `logs-${entries}.db`);
		const seeded = await seedStore(path, entries === logCount ? keyCount : 1000, entries);
		log(`seeded ${entries} log entries in ${((Date.now() - started) / 1000).toFixed(1)} s`);
		const logs = await measureLogFilters(path, seeded.keyIds[0] as number, quick ? 20 : 50);
		scaling[`logs_filter_ms_at_${entries}`] = logs.worst;
		if (entries === logCount) {
			log("driving the console in a pseudo-terminal");
			const ui = await measureConsole(path, dir, quick ? 3 : 10, quick ? 40 : 200);
			figures.push(
				{ name: "startup_ms", value: ui.startupMs, floor: ui.startupFloorMs, unit: "ms", higherIsBetter: false },
				{ name: "keypress_p95_ms", value: ui.keypressP95Ms, floor: ui.keypressFloorP95Ms, unit: "ms", higherIsBetter: false },
				{ name: "rss_mb", value: ui.rssMb, floor: null, unit: "MB", higherIsBetter: false },
			);
			scaling.keypress_p95_ms_key_list = ui.listKeypressP95Ms;
			scaling.keypress_p95_ms_access_log = ui.logsKeypressP95Ms;
			figures.push({ name: "logs_filter_ms", value: logs.worst, floor: logs.worstFloor, unit: "ms", higherIsBetter: false });
			for (const [name, byFilter] of Object.entries(logs.byFilter)) scaling[`logs_filter_ms_${name}`] = byFilter.median;
			const verify = await measureVerify(path, seeded.keys, quick ? 20_000 : 200_000);
			figures.push({ name: "verify_per_s", value: verify.perSecond, floor: verify.floor, unit: "/s", higherIsBetter: true });
			log("the console over serve, and verify beside the key list");
			const remote = await measureRemote(path, quick ? 3 : 7);
			figures.push(
				{ name: "remote_first_rows_ms", value: remote.firstRowsMs, floor: remote.firstRowsLocalMs, unit: "ms", higherIsBetter: false },
				{ name: "verify_wait_behind_list_ms", value: remote.verifyWaitMs, floor: remote.verifyWaitFloorMs, unit: "ms", higherIsBetter: false },
			);
			scaling.verify_wait_behind_list_worst_ms = remote.verifyWaitWorstMs;
		}
	}
	log("loading the server (autocannon, 10 connections)");
	// Five rounds: on this shared VM one 5 s run in three can land in a slow patch of the host.
	const server = await measureServer(join(dir, "server.db"), quick ? 2 : 5, quick ? 1 : 5);
	// The route furthest from its floor is the figure.
	const listWorse = server.listRps / server.listFloorRps <= server.verifyRps / server.verifyFloorRps;
	figures.push(
		{
			name: "server_rps",
			value: listWorse ? server.listRps : server.verifyRps,
			floor: listWorse ? server.listFloorRps : server.verifyFloorRps,
			unit: "/s",
			higherIsBetter: true,
		},
		{ name: "server_p99_ms", value: Math.max(server.listP99, server.verifyP99), floor: server.floorP99, unit: "ms", higherIsBetter: false },
		// A gateway asks on every request: the authorize route against the bare server, and a real
		// nginx checking each request with auth_request against the same nginx without the check.
		{ name: "authorize_rps", value: server.authorizeRps, floor: server.authorizeFloorRps, unit: "/s", higherIsBetter: true },
		{ name: "gateway_rps", value: server.gateway.rps, floor: server.gateway.floorRps, unit: "/s", higherIsBetter: true },
	);
	scaling.server_list_rps = server.listRps;
	scaling.server_list_rps_floor = server.listFloorRps;
	scaling.server_verify_rps = server.verifyRps;
	scaling.server_verify_rps_floor = server.verifyFloorRps;
	scaling.server_list_rps_bodies_logged = server.listWithBodiesRps;
	// PostgreSQL beside SQLite; skipped, with a line saying why, where PostgreSQL cannot run.
	const postgres = await measurePostgres(dir, quick, log);
	if (postgres) {
		figures.push(...postgres.figures);
		Object.assign(scaling, postgres.scaling);
	}
	if (asJson) {
		const out: Record<string, number | null> = {};
		for (const f of figures) {
			out[f.name] = Number(f.value.toFixed(3));
			out[`${f.name}_floor`] = f.floor === null ? null : Number(f.floor.toFixed(3));
		}
		for (const [name, value] of Object.entries(scaling)) out[name] = Number(value.toFixed(3));
		process.stdout.write(`${JSON.stringify(out)}\n`);
	} else {
		const rows = figures.map((f) => [
			f.name,
			`${f.value.toFixed(f.unit === "/s" ? 0 : 2)} ${f.unit}`,
			f.floor === null ? "—" : `${f.floor.toFixed(f.unit === "/s" ? 0 : 2)} ${f.unit}`,
			f.floor === null || f.floor === 0 ? "—" : `${(f.value / f.floor).toFixed(2)}×`,
		]);
		const header = ["figure", "value", "floor", "ratio"];
		const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
		const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ");
		process.stdout.write(`${line(header)}\n${rows.map(line).join("\n")}\n\nscaling and detail (ms; requests/s for *_rps):\n`);
		for (const [name, value] of Object.entries(scaling)) process.stdout.write(`  ${name.padEnd(36)}${value.toFixed(3)}\n`);
	}
} finally {
	rmSync(dir, { recursive: true, force: true });
}
