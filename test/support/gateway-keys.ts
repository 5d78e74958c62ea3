/** A store with one key of each kind a gateway meets, for the authorize route's tests. */
import Database from "better-sqlite3";
import { LocalStore } from "../../source/store/local-store.js";

export interface GatewayKeys {
	/** Feed key, public-npm: view. */
	viewer: string;
	/** Feed key, public-npm: view and add. */
	uploader: string;
	/** Feed key of the group npm-feeds: view. */
	group: string;
	/** System key with the feeds API (every feed permission). */
	system: string;
	/** Personal key of user Zoë. */
	personal: string;
	/** Feed key, public-npm: view, disabled. */
	disabled: string;
	/** Feed key, public-npm: view, expired. */
	expired: string;
	ids: Record<"viewer" | "uploader" | "group" | "system" | "personal" | "disabled" | "expired", number>;
}

export async function seedGatewayKeys(db: string): Promise<GatewayKeys> {
	const store = LocalStore.open(db);
	const create = async (input: Record<string, unknown>) => store.createKey(input, { actor: "test" });
	try {
		const viewer = await create({ type: "feed", feed: "public-npm", packagePermissions: ["view"], displayName: "viewer" });
		const uploader = await create({ type: "feed", feed: "public-npm", packagePermissions: ["view", "add"], displayName: "uploader" });
		const group = await create({ type: "feed", feedGroup: "npm-feeds", packagePermissions: ["view"], displayName: "group" });
		const system = await create({ type: "system", systemApis: ["feeds"], displayName: "build server" });
		const personal = await create({ type: "personal", user: "Zoë", displayName: "Zoë's laptop" });
		const disabled = await create({ type: "feed", feed: "public-npm", packagePermissions: ["view"], displayName: "disabled" });
		const expired = await create({ type: "feed", feed: "public-npm", packagePermissions: ["view"], displayName: "expired" });
		await store.setEnabled(disabled.record.id, false, "test");
		const keys = { viewer, uploader, group, system, personal, disabled, expired };
		const ids = Object.fromEntries(Object.entries(keys).map(([name, k]) => [name, k.record.id])) as GatewayKeys["ids"];
		await store.close();
		// A past expiration cannot be set through the rules; a key that has since run out looks like this.
		const sql = new Database(db);
		sql.prepare("UPDATE api_keys SET expiration = '2020-01-01T00:00:00Z' WHERE id = ?").run(expired.record.id);
		sql.close();
		return {
			viewer: viewer.key,
			uploader: uploader.key,
			group: group.key,
			system: system.key,
			personal: personal.key,
			disabled: disabled.key,
			expired: expired.key,
			ids,
		};
	} catch (error) {
		await store.close();
		throw error;
	}
}
