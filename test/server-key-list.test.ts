/**
 * The key list in windows on `serve` (the page, ids and by-ids routes), on either engine: the same
 * pages as the store's own, bad parameters refused with the reason, and a verify never waiting
 * behind a whole list. The remote backend that reads them is test/key-list-pages.test.ts's part.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, test } from "node:test";
import { demoKey } from "../source/store/demo-data.js";
import { type Fixture, serve } from "./support/served-api.js";
import { servedEngines, type Store, withStore } from "./support/served-engines.js";

async function get(fixture: Fixture, path: string, key: string | null = fixture.admin) {
	const response = await fetch(`${fixture.server.url}/api/api-keys/${path}`, { headers: key === null ? {} : { "X-ApiKey": key } });
	return { status: response.status, text: await response.text() };
}

for (const engine of servedEngines()) {
	describe(`the key list in windows on serve (${engine.name})`, { skip: engine.skip }, () => {
		const withKeys = (count: number) => ({
			seed: async (store: Store) => {
				await store.importKeys(Array.from({ length: count }, (_, i) => demoKey(i, "proget")), { actor: "t", partial: true });
			},
		});

		test("a page, the ordered ids and keys by id are the store's own, with the store's own fields", async (t) => {
			const fixture = await serve(t, engine, withKeys(40));
			const query = { filter: "feed", sort: { column: "name" as const, descending: true } };

			const page = await get(fixture, "page?filter=feed&sort=name&order=desc&offset=3&limit=5");
			assert.equal(page.status, 200, page.text);
			const answer = JSON.parse(page.text) as { total: number; keys: { id: number; enabled?: boolean; lastUsedAt?: unknown }[] };
			const expected = await withStore(fixture.store, (store) => store.queryKeys({ ...query, offset: 3, limit: 5 }));
			assert.equal(answer.total, expected.total);
			assert.deepEqual(answer.keys.map((k) => k.id), expected.rows.map((k) => k.id));
			assert.ok(answer.keys.every((k) => k.enabled !== undefined && "lastUsedAt" in k), "the fields of get, as the console shows them");

			const ids = JSON.parse((await get(fixture, "ids?filter=feed&sort=name&order=desc")).text) as { ids: number[] };
			assert.deepEqual(ids.ids, await withStore(fixture.store, (store) => store.keyIds(query)));

			const asked = [ids.ids[4], 999_999, ids.ids[0]] as number[];
			const byIds = JSON.parse((await get(fixture, `by-ids?ids=${asked.join(",")}`)).text) as { keys: { id: number }[] };
			assert.deepEqual(byIds.keys.map((k) => k.id), [ids.ids[4], ids.ids[0]], "in the order asked, an unknown id left out");

			const everything = JSON.parse((await get(fixture, "page")).text) as { total: number; keys: unknown[] };
			assert.equal(everything.total, 41);
			assert.equal(everything.keys.length, 41, "no parameters: the first 100 by id");
		});

		test("bad page, sort, filter and id parameters get a 400 with the reason; a key is needed; a filter is only text", async (t) => {
			const fixture = await serve(t, engine, withKeys(3));
			const bad: [string, RegExp][] = [
				["page?sort=secret", /^sort: must be one of id, name, type, expiration, lastUsed, created$/],
				["page?sort=name;DROP TABLE api_keys", /^sort: must be one of/],
				["page?order=up", /^order: must be asc or desc$/],
				["page?limit=0", /^limit: must be a whole number from 1 to 1000$/],
				["page?limit=1001", /^limit: must be a whole number from 1 to 1000$/],
				["page?offset=-1", /^offset: must be a whole number from 0 to 999999999$/],
				["page?offset=1e3", /^offset: must be a whole number/],
				[`ids?filter=${"x".repeat(501)}`, /^filter: at most 500 characters$/],
				["by-ids?ids=1,two", /^ids: up to 1000 key ids, separated by commas$/],
				[`by-ids?ids=${Array.from({ length: 1001 }, (_, i) => i + 1).join(",")}`, /^ids: up to 1000 key ids/],
			];
			for (const [path, reason] of bad) {
				const reply = await get(fixture, path);
				assert.equal(reply.status, 400, path);
				assert.match(reply.text, reason, path);
			}
			for (const path of ["page", "ids", "by-ids?ids=1"]) assert.equal((await get(fixture, path, null)).status, 403, path);
			const hostile = encodeURIComponent("') OR 1=1; DROP TABLE api_keys; --");
			const none = JSON.parse((await get(fixture, `page?filter=${hostile}`)).text) as { total: number };
			assert.equal(none.total, 0, "the filter is text to look for, never SQL");
			assert.equal((JSON.parse((await get(fixture, "ids")).text) as { ids: number[] }).ids.length, 4);
		});

		test("a verify sent while the whole list of 20,000 keys is being made is answered before the list", async (t) => {
			const store = await engine.newStore(t);
			await store.addKeysInBulk(20_000);
			const admin = await withStore(store, async (opened) =>
				(await opened.createKey({ type: "system", systemApis: ["full-control"] }, { actor: "t" })).key);
			const server = await store.serve();
			const events: string[] = [];
			const listed = new Promise<void>((resolve, reject) => {
				const asked = request(new URL(`${server.url}/api/api-keys/list`), { headers: { "X-ApiKey": admin } }, (response) => {
					events.push("list answered");
					response.resume().on("end", resolve);
				});
				asked.on("error", reject);
				asked.end();
			});
			// Sent on another connection after the list request has reached the server.
			await new Promise((resolve) => setTimeout(resolve, 30));
			const verified = await fetch(`${server.url}/api/api-keys/verify`, {
				method: "POST",
				headers: { "X-ApiKey": admin, "Content-Type": "application/json" },
				body: JSON.stringify({ key: admin }),
			});
			events.push(`verify answered ${verified.status}`);
			await listed;
			assert.deepEqual(events, ["verify answered 200", "list answered"]);
		});
	});
}
