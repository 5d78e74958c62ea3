/**
 * What the command line says and how it ends: the exit code of a failure that is not a usage
 * error, words built from a profile's name, and output into a pipe whose reader has gone
 * (`| head`), which ends quietly, as with any Unix tool.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { type AddressInfo, createServer } from "node:net";
import { describe, test } from "node:test";
import { cliPath, runCli } from "./support/run-cli.js";
import { tempDbPath } from "./support/temp-store.js";

/** stderr without the paging hint `logs` writes there on purpose. */
function unexpectedStderr(text: string): string {
	return text.replace(/^\(more: --before=\d+\)\n/m, "");
}

describe("wording and exit codes", () => {
	test("serve on a port in use or an address not this machine's: one line in words, exit 1 (a failure, not a usage error)", async (t) => {
		const db = tempDbPath(t);
		assert.equal((await runCli(["create", "system", `--db=${db}`])).code, 0);
		const taken = createServer();
		await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
		t.after(() => taken.close());
		const port = (taken.address() as AddressInfo).port;
		const result = await runCli(["serve", `--port=${port}`, `--db=${db}`]);
		assert.equal(result.code, 1, result.stderr);
		assert.equal(result.stderr, `apikeys-tui: cannot listen on 127.0.0.1:${port}: the port is in use (another serve node?); choose another --port\n`);
		// TEST-NET-1 (RFC 5737): never an address of this machine; binding to it sends nothing.
		const foreign = await runCli(["serve", "--host=192.0.2.1", "--public", "--port=0", `--db=${db}`]);
		assert.equal(foreign.code, 1, foreign.stderr);
		assert.equal(foreign.stderr, "apikeys-tui: cannot listen on 192.0.2.1:0: no network interface of this machine has that address; give one of its own in --host\n");
	});

	test("an otter store is named with its article", async (t) => {
		const db = tempDbPath(t);
		assert.equal((await runCli(["create", "system", "--profile=otter", `--db=${db}`])).code, 0);
		const mismatch = await runCli(["list", "--profile=proget", `--db=${db}`]);
		assert.match(mismatch.stderr, /: is an otter store; a store's profile cannot be changed/);
		const noFeeds = await runCli(["create", "feed", "--feed=f", "--permissions=view", `--db=${db}`]);
		assert.match(noFeeds.stderr, /^an otter store has no feed keys/);
	});
});

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
