/**
 * The remote figures alone (remote_first_rows_ms, verify_wait_behind_list_ms) on a 100,000-key
 * store, without the rest of the bench: `npm run --silent build && node --import tsx
 * test/bench/remote-only.ts [--quick] [--runs=N] [--cli=PATH]` (another build's dist/cli.js, to
 * measure the one before a change the same way).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { measureRemote } from "./remote-figures.js";
import { seedStore } from "./seed.js";

const quick = process.argv.includes("--quick");
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const runs = Number(option("runs") ?? (quick ? 3 : 7));
const cli = option("cli");
const dir = mkdtempSync(join(tmpdir(), "apikeys-tui-bench-remote-"));
try {
	const db = join(dir, "remote.db");
	await seedStore(db, quick ? 10_000 : 100_000, 0);
	const figures = await measureRemote(db, runs, cli === undefined ? undefined : resolve(cli));
	const ms = (value: number) => `${value.toFixed(1)} ms`;
	process.stdout.write(
		`remote_first_rows_ms        ${ms(figures.firstRowsMs)}  floor (local console) ${ms(figures.firstRowsLocalMs)}  ${(figures.firstRowsMs / figures.firstRowsLocalMs).toFixed(2)}×\n` +
		`verify_wait_behind_list_ms  ${ms(figures.verifyWaitMs)}  floor (the idle server's own p99) ${ms(figures.verifyWaitFloorMs)}  worst ${ms(figures.verifyWaitWorstMs)}\n`,
	);
} finally {
	rmSync(dir, { recursive: true, force: true });
}
