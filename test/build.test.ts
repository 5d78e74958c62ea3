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

test("the bundle defers meow's package normaliser, keeps Ink's line caches across frames compares styles only where they change and measures common narrow characters directly", () => {
	assert.ok(!bundle.includes("var normalizeExports = requireNormalize();"), "meow's normaliser still runs at load");
	assert.ok(bundle.includes("OutputCaches.shared()"), "Ink's Output still makes a cache per frame");
	assert.ok(bundle.includes("styles: codes"), "each styled character still copies its styles");
	assert.ok(bundle.includes("if (before !== char.styles"), "every cell's styles are still compared with the one before");
	assert.ok(bundle.includes("row.push(blankCell)"), "every blank cell is still an object of its own");
	assert.ok(bundle.includes(String.raw`\u2500-\u25FC`), "box drawing and bullets are still measured by segmenting");
});
