/**
 * What the command line writes where a user looks: output into a pipe whose reader has gone
 * (`| head`) ends quietly, as with any Unix tool.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { cliPath, runCli } from "./support/run-cli.js";
import { tempDbPath } from "./support/temp-store.js";

/** stderr without the paging hint `logs` writes there on purpose. */
function unexpectedStderr(text: string): string {
	return text.replace(/^\(more: --before=\d+\)\n/m, "");
}

describe("output into a closed pipe", () => {
	test("list, list --json, logs and settings piped into head end without a stack trace", async (t) => {
		const db = tempDbPath(t);
		const seeded = await runCli(["seed", `--db=${db}`, "--keys=400", "--logs=400"]);
		assert.equal(seeded.code, 0, seeded.stderr);
		for (const command of ["list", "list --json", "logs", "settings"]) {
			// `head -n 0` exits before reading, so every write meets a closed pipe.
			const piped = spawnSync("sh", ["-c", `"${process.execPath}" "${cliPath}" ${command} --db="${db}" | head -n 0`], {
				encoding: "utf8",
				env: { ...process.env, APIKEYS_TUI_DB: "" },
			});
			assert.equal(unexpectedStderr(piped.stderr), "", `${command}: nothing on stderr`);
			const partial = spawnSync("sh", ["-c", `"${process.execPath}" "${cliPath}" ${command} --db="${db}" | head -n 1`], {
				encoding: "utf8",
				env: { ...process.env, APIKEYS_TUI_DB: "" },
			});
			assert.equal(unexpectedStderr(partial.stderr), "", `${command}: nothing on stderr`);
			assert.equal(partial.stdout.split("\n").length, 2, `${command}: head's one line arrives`);
		}
	});
});
