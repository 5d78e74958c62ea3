/**
 * How the console starts over `serve` (source/ui/run-console.ts): the first page and the settings
 * are asked for together, before the console can draw (it may still be importing Ink), and the
 * ordered ids of every key, the larger read, only once the first frame is drawn.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RemoteBackend } from "../source/remote/remote-backend.js";
import { seedDemoData } from "../source/store/demo-data.js";
import { LocalStore } from "../source/store/local-store.js";
import { ConsoleModel } from "../source/ui/console-model.js";
import { startRecordingProxy } from "./support/proget-standin.js";
import { startServer } from "./support/server-process.js";
import { tempDbPath } from "./support/temp-store.js";

test("over serve the console asks for its first page and settings at once, and for the ordered ids only once its first frame is drawn", async (t) => {
	const db = tempDbPath(t);
	const store = LocalStore.open(db);
	const { key } = await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "admin" }, { actor: "t" });
	await seedDemoData(store, 40, 0, "t");
	await store.close();
	const server = await startServer(db);
	t.after(() => server.stop());
	const proxy = await startRecordingProxy(t, server.url);
	const backend = await RemoteBackend.connect(proxy.url, { credentials: { apiKey: key }, discover: true });
	t.after(() => backend.close());
	const model = new ConsoleModel({ backend, readOnly: false, actor: "t", copy: () => "", quit: () => undefined });
	t.after(() => model.dispose());
	model.setListHeight(10);

	let drawn = () => {};
	await model.start(new Promise((resolve) => (drawn = resolve)));
	const asked = () => proxy.requests.map((r) => r.path.replace("/api/api-keys/", ""));
	assert.deepEqual(asked().slice(0, 2), ["/health", "capabilities"]);
	assert.deepEqual(asked().slice(2).sort(), ["page", "settings"], "both before the first frame, nothing else");
	assert.equal(model.screens.list.state.rows.length, 10, "the first frame's rows are in");
	assert.equal(model.screens.list.state.total, 41);

	// However long the frame takes (Ink's import, a busy machine): no ids before it.
	const frameLate = new Promise((resolve) => setTimeout(() => resolve(false), 300));
	const indexedFirst = await Promise.race([model.whenIndexed().then(() => true), frameLate]);
	assert.equal(indexedFirst, false);
	assert.deepEqual(asked().slice(4), []);
	drawn();
	await model.whenIndexed();
	assert.deepEqual(asked().slice(4), ["ids", "by-ids"]);
});
