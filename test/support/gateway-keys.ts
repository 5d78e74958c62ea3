/** A store with one key of each kind a gateway meets, for the authorize route's tests. */
import { type StoreUnderTest, withStore } from "./served-engines.js";

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

export async function seedGatewayKeys(store: StoreUnderTest): Promise<GatewayKeys> {
	const made = await withStore(store, async (opened) => {
		const create = async (input: Record<string, unknown>) => opened.createKey(input, { actor: "test" });
		const viewer = await create({ type: "feed", feed: "public-npm", packagePermissions: ["view"], displayName: "viewer" });
		const uploader = await create({ type: "feed", feed: "public-npm", packagePermissions: ["view", "add"], displayName: "uploader" });
		const group = await create({ type: "feed", feedGroup: "npm-feeds", packagePermissions: ["view"], displayName: "group" });
		const system = await create({ type: "system", systemApis: ["feeds"], displayName: "build server" });
		const personal = await create({ type: "personal", user: "Zoë", displayName: "Zoë's laptop" });
		const disabled = await create({ type: "feed", feed: "public-npm", packagePermissions: ["view"], displayName: "disabled" });
		const expired = await create({ type: "feed", feed: "public-npm", packagePermissions: ["view"], displayName: "expired" });
		await opened.setEnabled(disabled.record.id, false, "test");
		return { viewer, uploader, group, system, personal, disabled, expired };
	});
	// A past expiration cannot be set through the rules; a key that has since run out looks like this.
	await store.alterKey(made.expired.record.id, { expiration: "2020-01-01T00:00:00Z" });
	const ids = Object.fromEntries(Object.entries(made).map(([name, k]) => [name, k.record.id])) as GatewayKeys["ids"];
	const texts = Object.fromEntries(Object.entries(made).map(([name, k]) => [name, k.key])) as Omit<GatewayKeys, "ids">;
	return { ...texts, ids };
}
