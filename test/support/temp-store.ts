/** Temporary store folders for tests: a real SQLite file, removed after the test. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

export function tempDir(t: TestContext, prefix = "apikeys-tui-test-"): string {
	const dir = mkdtempSync(join(tmpdir(), prefix));
	t.after(() => rmSync(dir, { recursive: true, force: true }));
	return dir;
}

export function tempDbPath(t: TestContext): string {
	return join(tempDir(t), "keys.db");
}
