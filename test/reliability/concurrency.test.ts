/**
 * Everything on one store at once, as on a build host: the console open in a terminal (toggling a
 * key), the command line in a loop (create, update, delete), and the server under load from
 * several clients. No process may ever see "database is locked", no write may be lost, and the
 * console must show a key created elsewhere without being asked to refresh.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { LocalStore } from "../../source/store/local-store.js";
import { openConsole } from "../support/console-driver.js";
import { runCli } from "../support/run-cli.js";
import { apiClient } from "./support/api-client.js";
import { looksLikeCrash, seededRandom, servedStore, suiteSeed } from "./support/fixture.js";
import { tally } from "./support/secrets.js";
import { sized } from "./support/size.js";

const durationMs = sized(60_000, 15_000);
const httpClients = 4;
const lockProblem = /database is locked|SQLITE_BUSY|stayed busy/i;

interface CliWork {
	runs: number;
	/** Keys the loop created and kept, with the description it last gave each. */
	kept: Map<number, string>;
	deleted: Set<number>;
	problems: string[];
}

async function cliLoop(db: string, until: number, random: () => number): Promise<CliWork> {
	const work: CliWork = { runs: 0, kept: new Map(), deleted: new Set(), problems: [] };
	const run = async (args: string[]) => {
		const result = await runCli([...args, `--db=${db}`]);
		work.runs++;
		if (result.code !== 0 || lockProblem.test(result.stderr) || looksLikeCrash(result.stderr)) {
			work.problems.push(`${args.join(" ")}: exit ${result.code}: ${result.stderr.trim()}`);
		}
		return result;
	};
	for (let n = 0; Date.now() < until; n++) {
		const created = await run(["create", "system", "--apis=feeds", `--name=watch-cli-${n}`, "--json"]);
		if (created.code !== 0) continue;
		const id = (JSON.parse(created.stdout) as { id: number }).id;
		work.kept.set(id, "");
		const description = `changed by the cli, round ${n}`;
		if ((await run(["update", `--id=${id}`, `--description=${description}`])).code === 0) work.kept.set(id, description);
		if (random() < 0.5 && (await run(["delete", `--id=${id}`])).code === 0) {
			work.kept.delete(id);
			work.deleted.add(id);
		}
	}
	return work;
}

interface HttpWork {
	requests: number;
	created: number[];
	problems: string[];
}

async function httpLoad(port: number, admin: string, adminId: number, until: number, client: number): Promise<HttpWork> {
	const work: HttpWork = { requests: 0, created: [], problems: [] };
	const api = apiClient(port, admin);
	try {
		for (let n = 0; Date.now() < until; n++) {
			const answer =
				n % 4 === 0
					? await api.call("POST", "/api/api-keys/create", { type: "feed", feed: "npm", packagePermissions: ["view"], displayName: `http-${client}-${n}` })
					: await api.call("GET", n % 4 === 1 ? "/api/api-keys/list" : `/api/api-keys/get?id=${adminId}`);
			work.requests++;
			if (answer.status !== 200 || lockProblem.test(answer.text)) work.problems.push(`${answer.status}: ${answer.text.slice(0, 200)}`);
			else if (n % 4 === 0) work.created.push((JSON.parse(answer.text) as { id: number }).id);
		}
	} finally {
		api.close();
	}
	return work;
}

test(`the console, the command line and the server on one store for ${durationMs / 1000} s: no lock errors, no lost writes`, async (t) => {
	const seed = suiteSeed();
	t.diagnostic(`seed ${seed}`);
	const random = seededRandom(seed);
	const served = await servedStore(t, "none");
	const seeding = LocalStore.open(served.db);
	const consoleKey = await seeding.createKey({ type: "system", systemApis: ["sca"], displayName: "watch-console" }, { actor: "test" });
	await seeding.close();

	const con = openConsole(t, [`--db=${served.db}`], { columns: 120, rows: 30 });
	await con.expectText("watch-console");
	// Only the keys this test watches, newest first, so a new one is on screen however many are added.
	await con.press("filter");
	await con.expectScreen("field");
	await con.type("watch");
	await con.press("next");
	await con.expectText("filter: watch");
	await con.press("reverse");
	await con.expectText("▼");

	const until = Date.now() + durationMs;
	const cli = cliLoop(served.db, until, random);
	const { server, admin, adminId } = served;
	const http = Promise.all(Array.from({ length: httpClients }, (_, c) => httpLoad(server.port, admin, adminId, until, c)));
	let toggles = 0;
	const screenProblems: string[] = [];
	while (Date.now() < until) {
		await con.press("toggle-enabled");
		toggles++;
		await new Promise((resolve) => setTimeout(resolve, 250 + random() * 250));
		const screen = await con.frame();
		if (lockProblem.test(screen) || /unexpected error/.test(screen)) screenProblems.push(screen);
	}
	const cliWork = await cli;
	const httpWork = await http;

	// The first row selected, so the list shows its top, where a new key appears.
	await con.press("top");
	await con.expectText(/\b1 of \d+/);
	const marker = await runCli(["create", "system", "--apis=sca", "--name=watch-made-elsewhere", "--json", `--db=${served.db}`]);
	assert.equal(marker.code, 0, marker.stderr);
	await con.expectText("watch-made-elsewhere", 15_000);

	assert.deepEqual(screenProblems, [], "the console showed a lock error");
	assert.deepEqual(cliWork.problems, [], "a command failed");
	assert.deepEqual(httpWork.flatMap((w) => w.problems), [], "a request failed");
	const serverErr = served.server.output().stderr;
	assert.ok(!lockProblem.test(serverErr) && !looksLikeCrash(serverErr), serverErr);

	const check = LocalStore.open(served.db);
	const keys = new Map((await check.listKeys()).map((k) => [k.id, k]));
	for (const [id, description] of cliWork.kept) {
		assert.ok(keys.has(id), `key ${id}, created by the command line, is gone`);
		assert.equal(keys.get(id)?.description ?? "", description, `the update of key ${id} was lost`);
	}
	for (const id of cliWork.deleted) assert.ok(!keys.has(id), `key ${id} was deleted but is back`);
	for (const id of httpWork.flatMap((w) => w.created)) assert.ok(keys.has(id), `key ${id}, created over HTTP, is gone`);
	const toggled = await check.auditTrail(consoleKey.record.id, 100_000);
	await check.close();
	const consoleChanges = toggled.filter((e) => e.action === "enable" || e.action === "disable").length;
	assert.ok(consoleChanges > 0, "the console changed nothing");

	const requests = httpWork.reduce((sum, w) => sum + w.requests, 0);
	t.diagnostic(`${cliWork.runs} commands, ${requests} requests, ${toggles} console keys (${consoleChanges} changes) in ${durationMs / 1000} s`);
	tally("concurrency_commands_run", cliWork.runs);
	tally("concurrency_http_requests", requests);
	tally("concurrency_console_changes", consoleChanges);
	tally("concurrency_seconds", durationMs / 1000);
});
