/**
 * The PostgreSQL engine's staleness gate without a database: fresh, it lets verification through;
 * past the limit it refuses with AppError "unavailable" (the server's 503), and its health says
 * stale, why, and since when; a failure from before the last confirmation is not given as the reason.
 */
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../source/core/errors.js";
import type { ServingHealth } from "../source/core/served-store.js";
import { StalenessGate } from "../source/store/postgres/staleness-gate.js";

const reasonOf = (health: ServingHealth) => (health.status === "stale" ? health.reason : "");

test("the staleness gate refuses past --max-staleness, says why and since when, and opens again once confirmed", async () => {
	let confirmedAt = performance.now() - 5000;
	const gate = new StalenessGate(1000, () => confirmedAt);
	assert.throws(() => gate.check(), (error: unknown) => error instanceof AppError && error.kind === "unavailable");
	const stale = gate.health();
	assert.ok(stale.status === "stale" && stale.lastConfirmed !== null);
	assert.ok(Date.parse(stale.lastConfirmed) < Date.now() - 4000, "last confirmed about five seconds ago");
	assert.match(stale.reason, /no look for changes succeeded for [\d.]+ s, more than --max-staleness=1 s.*: the database does not answer/);

	gate.noteError(new AppError("db.example: cannot reach the PostgreSQL server (read ECONNRESET)", "unavailable"));
	assert.match(reasonOf(gate.health()), /: the database cannot be reached$/);
	assert.doesNotMatch(reasonOf(gate.health()), /db\.example|ECONNRESET/, "/health needs no key: no host named");
	gate.noteError(new Error("relation does not exist"));
	assert.throws(() => gate.check(), /the database answered with an error \(the server's output has it\)$/);

	confirmedAt = Number.NEGATIVE_INFINITY;
	assert.deepEqual({ ...gate.health(), reason: "" }, { status: "stale", reason: "", lastConfirmed: null });
	assert.throws(() => gate.check(), /no look for changes succeeded yet/);

	confirmedAt = performance.now();
	gate.check();
	assert.deepEqual(gate.health(), { status: "ok" });

	// Stale again, and the last failure came before the last confirmation: it is not the reason.
	const quick = new StalenessGate(20, () => confirmedAt);
	quick.noteError(new AppError("db: cannot reach the PostgreSQL server", "unavailable"));
	await sleep(5);
	confirmedAt = performance.now();
	await sleep(60);
	assert.throws(() => quick.check(), /: the database does not answer$/);
});
