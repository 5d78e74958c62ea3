/** Builds a store at bench size through the store's own code (see source/store/demo-data.ts). */
import { type Seeded, seedDemoData } from "../../source/store/demo-data.js";
import { LocalStore } from "../../source/store/local-store.js";

export async function seedStore(path: string, keyCount: number, logCount: number): Promise<Seeded> {
	const store = LocalStore.open(path);
	try {
		return await seedDemoData(store, keyCount, logCount, "bench");
	} finally {
		await store.close();
	}
}
