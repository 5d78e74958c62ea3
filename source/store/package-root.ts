/**
 * Finds files shipped beside the code (the `db/` migrations), from the sources under tsx or from
 * the bundle in `dist/`.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function packageFile(...parts: string[]): string {
	let dir = dirname(fileURLToPath(import.meta.url));
	for (;;) {
		if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "db")))
			return join(dir, ...parts);
		const parent = dirname(dir);
		if (parent === dir)
			throw new Error("cannot find the apikeys-tui package folder (db/ is missing)");
		dir = parent;
	}
}
