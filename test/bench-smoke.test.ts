import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { postgresSkipReason } from "./support/postgres.js";

test("npm run bench -- --quick --json runs and reports every figure beside its floor (no timing asserted)", () => {
	const root = fileURLToPath(new URL("..", import.meta.url));
	const out = execFileSync(process.execPath, ["--import", "tsx", "test/bench/run.ts", "--quick", "--json"], {
		cwd: root,
		encoding: "utf8",
		timeout: 240_000,
	});
	const figures = JSON.parse(out.trim().split("\n").at(-1) as string) as Record<string, number | null>;
	for (const name of ["startup_ms", "keypress_p95_ms", "logs_filter_ms", "server_rps", "server_p99_ms", "verify_per_s", "remote_first_rows_ms", "verify_wait_behind_list_ms", "authorize_rps", "gateway_rps"]) {
		assert.equal(typeof figures[name], "number", name);
		assert.equal(typeof figures[`${name}_floor`], "number", `${name}_floor`);
	}
	assert.equal(typeof figures.rss_mb, "number");
	// The PostgreSQL figures where the bench can start a cluster (as root, as CI runs).
	if (postgresSkipReason() === undefined) {
		for (const name of ["pg_verify_rps", "pg_verify_rps_floor", "pg_propagation_p99_ms", "pg_propagation_p50_ms", "pg_db_cpu_us_per_verify_request"]) {
			assert.equal(typeof figures[name], "number", name);
		}
	}
});
