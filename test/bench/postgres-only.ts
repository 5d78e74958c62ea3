/**
 * The PostgreSQL figures alone (postgres-figures.ts), without the rest of the bench:
 * `npm run --silent build && node --import tsx test/bench/postgres-only.ts [--quick] [--propagation-only] [--cli=PATH]`
 * (`--cli`: the nodes run another build, to compare it with this one taking turns).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measurePostgres } from "./postgres-figures.js";

const dir = mkdtempSync(join(tmpdir(), "apikeys-tui-bench-pg-"));
try {
	const cli = process.argv.find((arg) => arg.startsWith("--cli="))?.slice("--cli=".length);
	const options = { propagationOnly: process.argv.includes("--propagation-only"), ...(cli ? { cli } : {}) };
	const group = await measurePostgres(dir, process.argv.includes("--quick"), (message) => process.stderr.write(`${message}\n`), options);
	process.stdout.write(`${JSON.stringify(group ?? null, null, 1)}\n`);
} finally {
	rmSync(dir, { recursive: true, force: true });
}
