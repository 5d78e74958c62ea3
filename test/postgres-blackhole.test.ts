/**
 * A serving PostgreSQL store whose link to the database goes silent (packets dropped: no reset, no
 * close), through a real loopback proxy that swallows bytes: the node says once that it cannot look
 * for changes (naming the database without its password), refuses key checks after max-staleness,
 * and, once new connections pass again (the silenced ones stay dead, as after a firewall forgot
 * them), recovers by itself: the key revoked meanwhile is refused, and it says once that it is
 * current. The report of failed looks repeats at most once a minute (look-report.ts, its clock given).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { AppError } from "../source/core/errors.js";
import { accessLogWords, LookReport, lookReportRepeatMs } from "../source/store/postgres/look-report.js";
import { PostgresStore } from "../source/store/postgres/postgres-store.js";
import { startBlackholeProxy } from "./support/blackhole-proxy.js";
import { freePort } from "./support/nginx.js";
import { postgresSkipReason, startCluster, waitFor } from "./support/postgres.js";
import { tempDir } from "./support/temp-store.js";

const actor = "tester (test)";

test("a node whose link to the database goes silent says so once, refuses after max-staleness, and recovers by itself", { skip: postgresSkipReason() }, async (t) => {
	const port = await freePort();
	const cluster = await startCluster(t, { port });
	const direct = await cluster.createDatabase("silent");
	const secretFile = `${tempDir(t)}/keys.secret`;
	const writer = await PostgresStore.open(direct, { secretFile });
	t.after(() => writer.close());
	const revoked = await writer.createKey({ type: "system", systemApis: ["full-control"] }, { actor });

	const proxy = await startBlackholeProxy(t, port);
	// The server trusts every local sign-in, so the password is never asked for; it must never be shown either.
	const withPassword = Object.assign(new URL(proxy.through(direct)), { password: "never-shown-pw" }).href;
	const node = await PostgresStore.open(withPassword, { secretFile });
	t.after(() => node.close());
	const lines: string[] = [];
	node.onFeedReport = (line) => lines.push(line);
	await node.startServing({ maxStalenessMs: 2000 });
	assert.equal(node.verifyNow(revoked.key, { kind: "any" }).outcome, "valid");

	proxy.silenceAll();
	await writer.setEnabled(revoked.record.id, false, actor);
	await waitFor(() => node.servingHealth().status === "stale", "the silenced node to stop trusting its keys");
	assert.throws(() => node.verifyNow(revoked.key, { kind: "any" }), (error) => error instanceof AppError && error.kind === "unavailable");
	await waitFor(() => lines.length > 0, "the node to say it cannot look");

	proxy.restore();
	await waitFor(() => node.servingHealth().status === "ok", "the node to recover by itself once new connections pass");
	assert.equal(node.verifyNow(revoked.key, { kind: "any" }).outcome, "disabled", "the key revoked meanwhile is refused");
	await waitFor(() => lines.some((line) => line.startsWith("the keys are current again")), "the node to say it is current again");
	assert.equal(lines.length, 2, lines.join("\n"));
	assert.match(lines[0] ?? "", /^cannot look for changes to the keys, will keep trying \(said again at most once a minute\): postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/silent: /);
	assert.match(lines[1] ?? "", /^the keys are current again: a look for changes succeeded after \d+ failed looks? over \d+ s$/);
	assert.ok(lines.every((line) => !line.includes("never-shown-pw")), "the password is never shown");
});

test("failed looks are reported when they begin, at most once a minute while they last, and when they end", () => {
	let now = 0;
	const lines: string[] = [];
	const report = new LookReport((line) => lines.push(line), () => now);
	const unreachable = new AppError("postgres://db.example/keys: cannot reach the PostgreSQL server (connect ECONNREFUSED)", "unavailable");
	report.current();
	assert.deepEqual(lines, [], "nothing while looks succeed");
	for (let look = 0; look < 150; look++, now += 1000) report.failed(unreachable);
	report.current();
	report.current();
	assert.deepEqual(lines, [
		"cannot look for changes to the keys, will keep trying (said again at most once a minute): postgres://db.example/keys: cannot reach the PostgreSQL server (connect ECONNREFUSED)",
		`still cannot look for changes to the keys: 60 looks failed in the last ${lookReportRepeatMs / 1000} s, for 60 s in all: postgres://db.example/keys: cannot reach the PostgreSQL server (connect ECONNREFUSED)`,
		"still cannot look for changes to the keys: 60 looks failed in the last 60 s, for 120 s in all: postgres://db.example/keys: cannot reach the PostgreSQL server (connect ECONNREFUSED)",
		"the keys are current again: a look for changes succeeded after 150 failed looks over 150 s",
	]);
	report.failed(unreachable);
	assert.equal(lines.length, 5, "a new run of failures is told at once");
	assert.match(lines[4] ?? "", /^cannot look for changes/);
});

test("failed access-log writes are reported as looks are: when they begin, at most once a minute, and when one is written again", () => {
	let now = 0;
	const lines: string[] = [];
	const report = new LookReport((line) => lines.push(line), () => now, accessLogWords);
	const unreachable = new AppError("postgres://db.example/keys: cannot reach the PostgreSQL server (connect ENOENT)", "unavailable");
	for (let write = 0; write < 61; write++, now += 1000) report.failed(unreachable);
	report.current();
	assert.deepEqual(lines, [
		"cannot write the access log (its entries are kept and written later), will keep trying (said again at most once a minute): postgres://db.example/keys: cannot reach the PostgreSQL server (connect ENOENT)",
		"still cannot write the access log (its entries are kept and written later): 60 writes failed in the last 60 s, for 60 s in all: postgres://db.example/keys: cannot reach the PostgreSQL server (connect ENOENT)",
		"the access log is written again: a batch was written after 61 failed writes over 61 s",
	]);
});
