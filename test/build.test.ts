/**
 * The bundle `npm test` builds carries every dependency patch (source/build/patches.ts), and a
 * patch that no longer fits its dependency stops the build instead of shipping a console that
 * crashes at its first frame.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { checkAllBundled, PatchError, patchDependencies, patchPlugin } from "../source/build/apply-patches.js";
import { dependencyPatches } from "../source/build/patches.js";
import { tempDir } from "./support/temp-store.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const bundle = [join(dist, "cli.js"), ...readdirSync(join(dist, "chunks")).map((f) => join(dist, "chunks", f))]
	.map((file) => readFileSync(file, "utf8"))
	.join("\n");

test("the build reports every dependency patch applied, each at the version it was written for", () => {
	const report = JSON.parse(readFileSync(join(dist, "build-patches.json"), "utf8")) as { applied: Array<{ name: string; version: string }> };
	assert.deepEqual(
		report.applied.map((patch) => `${patch.name} ${patch.version}`).sort(),
		dependencyPatches.map((patch) => `${patch.name} ${patch.version}`).sort(),
	);
});

test("package.json pins each patched dependency to the version its patches were written for", () => {
	const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string>; overrides?: Record<string, string> };
	for (const patch of dependencyPatches) {
		// A dependency's dependency is pinned through overrides: the pin on its parent allows a range.
		const pin = patch.dependencyOf === undefined ? manifest.dependencies[patch.package] : manifest.overrides?.[patch.package];
		assert.equal(pin, patch.version, `${patch.package} is not pinned to ${patch.version}, the version patch ${patch.name} was written for`);
	}
});

test("the bundle defers meow's package normaliser, keeps Ink's line caches across frames compares styles only where they change and measures common narrow characters directly", () => {
	assert.ok(!bundle.includes("var normalizeExports = requireNormalize();"), "meow's normaliser still runs at load");
	assert.ok(bundle.includes("OutputCaches.shared()"), "Ink's Output still makes a cache per frame");
	assert.ok(bundle.includes("styles: codes"), "each styled character still copies its styles");
	assert.ok(bundle.includes("if (before !== char.styles"), "every cell's styles are still compared with the one before");
	assert.ok(bundle.includes("row.push(blankCell)"), "every blank cell is still an object of its own");
	assert.ok(bundle.includes(String.raw`\u2500-\u25FC`), "box drawing and bullets are still measured by segmenting");
});

/**
 * A project folder holding a copy of each patched package's package.json and patched files, as
 * npm lays them out; `change` edits a copied file's text (by package and path) before it is written.
 */
function projectCopy(t: TestContext, change: (dependency: string, file: string, text: string) => string): string {
	const project = tempDir(t, "apikeys-tui-build-");
	for (const patch of dependencyPatches) {
		const installed = join(root, "node_modules", patch.package);
		const copy = join(project, "node_modules", patch.package);
		mkdirSync(dirname(join(copy, patch.file)), { recursive: true });
		writeFileSync(join(copy, "package.json"), change(patch.package, "package.json", readFileSync(join(installed, "package.json"), "utf8")));
		writeFileSync(join(copy, patch.file), change(patch.package, patch.file, readFileSync(join(installed, patch.file), "utf8")));
	}
	return project;
}

/** `npm run build` run in `project` (its node_modules, this repository's build script). */
function buildIn(project: string): { status: number | null; stderr: string } {
	const tsx = import.meta.resolve("tsx");
	const run = spawnSync(process.execPath, ["--import", tsx, join(root, "source", "build.ts"), "--outdir=out"], { cwd: project, encoding: "utf8" });
	return { status: run.status, stderr: run.stderr };
}

test("one added space in Ink's text fails the build with one line naming the patch, the file and the version", (t) => {
	const project = projectCopy(t, (dependency, file, text) =>
		dependency === "ink" && file === "build/output.js" ? text.replace("class OutputCaches {", "class OutputCaches  {") : text,
	);
	const { status, stderr } = buildIn(project);
	assert.equal(status, 1);
	assert.equal(
		stderr,
		"build: patch ink-line-caches-shared-accessor does not apply to ink 6.8.0 build/output.js: its text is not there\n",
	);
});

test("another installed version than a patch was written for is refused, naming both", (t) => {
	const project = projectCopy(t, (dependency, file, text) =>
		dependency === "@alcalzone/ansi-tokenize" && file === "package.json" ? text.replace('"version": "0.2.5"', '"version": "0.2.6"') : text,
	);
	const { status, stderr } = buildIn(project);
	assert.equal(status, 1);
	assert.ok(stderr.startsWith("build: patch ansi-tokenize-run-shares-styles was written for @alcalzone/ansi-tokenize 0.2.5, but 0.2.6 is installed: "), stderr);
	assert.equal(stderr.split("\n").length, 2, "the message is not one line");
});

test("the unchanged copies pass the patch step (the failures above are the edits')", (t) => {
	const { status, stderr } = buildIn(projectCopy(t, (_dependency, _file, text) => text));
	// The patch step passed; esbuild then stops for want of the program's sources in that folder.
	assert.doesNotMatch(stderr, /^build: patch/m);
	assert.match(stderr, /Could not resolve "source\/cli\.ts"/);
	assert.equal(status, 1);
});

test("a patched file the bundle does not load fails the build: its patch would silently not take", async () => {
	const files = patchDependencies(dependencyPatches, root);
	const loaded = new Set<string>();
	// An entry that loads meow alone: meow's patched file goes in, Ink's and the rest do not.
	await build({
		stdin: { contents: "import meow from 'meow'; meow('', { importMeta: import.meta });", resolveDir: root },
		bundle: true,
		platform: "node",
		format: "esm",
		write: false,
		logLevel: "silent",
		plugins: [patchPlugin(files, loaded)],
	});
	assert.deepEqual([...loaded].map((path) => path.slice(path.lastIndexOf("node_modules"))), [join("node_modules", "meow", "build", "dependencies.js")]);
	assert.throws(
		() => checkAllBundled(files, loaded),
		(error: Error) => error instanceof PatchError && error.message.startsWith("patch ink-line-caches-shared did not take: ink 6.8.0 build/output.js is not in the bundle"),
	);
});
