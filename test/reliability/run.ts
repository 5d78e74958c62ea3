/**
 * `npm run test:reliability [-- --full]`: runs every reliability and security test one file at a
 * time (they load the machine and must not disturb each other), then prints the suite's figures
 * (crashes survived, requests fuzzed, keystrokes sent, bytes scanned) as docs/RELIABILITY.md reports them.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const full = process.argv.includes("--full");
const only = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const files = readdirSync(here)
	.filter((f) => f.endsWith(".test.ts"))
	.filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
	.map((f) => join(here, f));
const dir = mkdtempSync(join(tmpdir(), "apikeys-tui-reliability-"));
const tallyFile = join(dir, "tally");
const started = Date.now();
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...files], {
	stdio: "inherit",
	env: { ...process.env, RELIABILITY_SIZE: full ? "full" : "ci", RELIABILITY_TALLY: tallyFile },
});
const totals = new Map<string, number>();
try {
	for (const line of readFileSync(tallyFile, "utf8").split("\n")) {
		const [name, value] = line.split(" ");
		if (name && value) totals.set(name, (totals.get(name) ?? 0) + Number(value));
	}
} catch {
	// No test recorded a figure.
}
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`\nreliability suite (${full ? "full" : "ci"} size) in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
for (const [name, value] of [...totals].sort()) process.stdout.write(`  ${name.padEnd(36)}${value}\n`);
process.exit(result.status ?? 1);
