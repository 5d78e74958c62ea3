/**
 * A stopping `serve` cannot hang on a driver that does not let go: the store's close is bounded,
 * and a process still held once the command is done is made to exit with its exit code.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { closedWithin } from "../source/process/bounded-stop.js";

test("a close that never finishes is given up; one that finishes or fails in time is passed on", async () => {
	assert.equal(await closedWithin(new Promise<void>(() => {}), 50), false);
	assert.equal(await closedWithin(Promise.resolve(), 50), true);
	await assert.rejects(closedWithin(Promise.reject(new Error("2 access-log entries could not be written")), 50), /2 access-log entries/);
});

test("a process held by a timer that was never cleared exits with its exit code and says why; one that lets go exits at once", () => {
	const module = fileURLToPath(new URL("../source/process/bounded-stop.ts", import.meta.url));
	const run = (hold: boolean) =>
		spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", `
			const { exitIfLingering } = await import(${JSON.stringify(module)});
			${hold ? "setInterval(() => {}, 1000);" : ""}
			process.exitCode = 3;
			exitIfLingering(200, (line) => process.stderr.write(line + "\\n"));
		`], { encoding: "utf8", timeout: 60_000 });
	const held = run(true);
	assert.equal(held.status, 3, held.stderr);
	assert.equal(held.stderr, "still running 0.2 s after stopping (a connection that did not let go); exiting\n");
	const free = run(false);
	assert.equal(free.status, 3, free.stderr);
	assert.equal(free.stderr, "", "no word when nothing held it");
});
