/** The bundle `npm test` builds: its dependency patches took (see source/build.ts). */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const dist = fileURLToPath(new URL("../dist", import.meta.url));
const bundle = [join(dist, "cli.js"), ...readdirSync(join(dist, "chunks")).map((f) => join(dist, "chunks", f))]
	.map((file) => readFileSync(file, "utf8"))
	.join("\n");

test("the bundle defers meow's package normaliser and keeps Ink's line caches across frames", () => {
	assert.ok(!bundle.includes("var normalizeExports = requireNormalize();"), "meow's normaliser still runs at load");
	assert.ok(bundle.includes("OutputCaches.shared()"), "Ink's Output still makes a cache per frame");
});
