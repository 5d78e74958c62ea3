/**
 * `npm run build`: bundles the program into dist/ with esbuild — one chunk per command, so each
 * loads only itself, and Ink only for the console — with the dependency patches of
 * source/build/patches.ts applied as it bundles. Writes build-patches.json beside the bundle: the
 * patches it carries.
 *
 * --outdir=DIR  another folder than dist/, inside the project (the bundle finds db/ and node_modules from there)
 * --no-patches  the dependencies as installed (the build test compares the two renderings)
 */
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { checkAllBundled, PatchError, patchDependencies, patchPlugin } from "./build/apply-patches.js";
import { dependencyPatches } from "./build/patches.js";

async function bundle(outdir: string, patched: boolean): Promise<void> {
	await rm(outdir, { recursive: true, force: true });
	const files = patchDependencies(patched ? dependencyPatches : [], process.cwd());
	const loaded = new Set<string>();
	await build({
		// The access-log writer and the served key list run in worker threads, each loading its own file.
		entryPoints: { cli: "source/cli.ts", "access-log-worker": "source/store/access-log-worker.ts", "key-list-worker": "source/store/key-list-worker.ts" },
		bundle: true,
		splitting: true,
		platform: "node",
		format: "esm",
		target: "node20",
		outdir,
		chunkNames: "chunks/[name]-[hash]",
		external: ["better-sqlite3"],
		alias: { "react-devtools-core": "./source/ui/terminal/devtools-stub.ts" },
		jsx: "automatic",
		define: { "process.env.NODE_ENV": '"production"' },
		logLevel: "warning",
		banner: { js: "import {createRequire as __createRequire} from 'node:module'; const require = __createRequire(import.meta.url);" },
		plugins: [patchPlugin(files, loaded)],
	});
	checkAllBundled(files, loaded);
	const applied = [...files.values()].flatMap((file) => file.patches).map((patch) => ({
		name: patch.name,
		package: patch.package,
		version: patch.version,
		file: patch.file,
	}));
	await writeFile(join(outdir, "build-patches.json"), `${JSON.stringify({ applied }, null, "\t")}\n`);
}

function options(): { outdir: string; patched: boolean } {
	try {
		const { values } = parseArgs({ options: { outdir: { type: "string", default: "dist" }, "no-patches": { type: "boolean", default: false } } });
		return { outdir: values.outdir, patched: !values["no-patches"] };
	} catch (error) {
		console.error(`build: ${error instanceof Error ? error.message : String(error)}`);
		process.exit(2);
	}
}

const { outdir, patched } = options();
try {
	await bundle(outdir, patched);
} catch (error) {
	// No bundle is left that tests or a user could run without its patches.
	await rm(outdir, { recursive: true, force: true });
	process.exitCode = 1;
	if (error instanceof PatchError) console.error(`build: ${error.message}`);
	// esbuild has printed its own errors (logLevel) already.
	else if (!(error instanceof Error && "errors" in error)) throw error;
}
