/**
 * The key-list reader's own thread, started by KeyListThread (see there). It opens its own
 * connection to the store and answers each request with the JSON the server sends, as UTF-8
 * bytes handed over without a copy.
 */
import { parentPort, workerData } from "node:worker_threads";
import { keyWithExtras, toApiKeyInfo } from "../core/model.js";
import { type Db, openConnection } from "./database.js";
import { KeyReads } from "./key-table.js";
import type { KeyListAnswer, KeyListAsk, KeyListSetup } from "./key-list-thread.js";
import { Statements } from "./statements.js";
import { StoreFileWatch } from "./storage-faults.js";
import { replyOf } from "./worker-threads.js";

const setup = workerData as KeyListSetup;
const file = new StoreFileWatch(setup.path, setup.identity);
let opened: { db: Db; keys: KeyReads } | undefined;

function open(): { db: Db; keys: KeyReads } {
	// Opened by path: first make sure the path still leads to the store's file, or say why not.
	file.check(true);
	if (!opened) {
		const db = openConnection(setup.path);
		opened = { db, keys: new KeyReads(new Statements(db)) };
	}
	return opened;
}

function json({ request }: KeyListAsk): string {
	const { db, keys } = open();
	switch (request.kind) {
		case "list":
			return JSON.stringify(keys.all().map((k) => (request.details ? keyWithExtras(k) : toApiKeyInfo(k))));
		case "page": {
			// The count and the page from one snapshot.
			const page = db.transaction(() => keys.page(request.query))();
			return JSON.stringify({ total: page.total, keys: page.rows.map(keyWithExtras) });
		}
		case "ids":
			return JSON.stringify({ ids: keys.ids(request.query) });
		case "by-ids":
			return JSON.stringify({ keys: keys.byIds(request.ids).map(keyWithExtras) });
	}
}

try {
	// Ready before the first request; a failure here is reported to each request instead.
	open();
} catch {}

parentPort?.on("message", (ask: KeyListAsk) => {
	let answer: KeyListAnswer;
	try {
		// Its own buffer, never a pooled one: transferring it leaves nothing shared behind.
		const bytes = new TextEncoder().encode(json(ask));
		answer = { id: ask.id, bytes };
		parentPort?.postMessage(answer, [bytes.buffer]);
	} catch (error) {
		answer = { id: ask.id, error: replyOf(error) };
		parentPort?.postMessage(answer);
	}
});
