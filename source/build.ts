/**
 * `npm run build`: bundles the program into dist/ with esbuild — one chunk per command, so each
 * loads only itself, and Ink only for the console.
 */
import { readFile, rm } from "node:fs/promises";
import { build, type Plugin } from "esbuild";

/**
 * meow ships its dependencies pre-bundled, and that bundle runs normalize-package-data's setup
 * (SPDX licence tables and all) as it loads: about 10 ms of every start, for a function meow calls
 * only when asked for package.json, which we never do. This defers that setup to the first call.
 */
const lazyPackageNormalizer: Plugin = {
	name: "lazy-package-normalizer",
	setup(builder) {
		builder.onLoad({ filter: /[\\/]meow[\\/]build[\\/]dependencies\.js$/ }, async (args) => {
			const eager = "var normalizeExports = requireNormalize();\nconst normalizePackageData = getDefaultExportFromCjs(normalizeExports);";
			const text = await readFile(args.path, "utf8");
			if (!text.includes(eager)) return undefined;
			const lazy = "const normalizePackageData = (...args) => getDefaultExportFromCjs(requireNormalize())(...args);";
			return { contents: text.replace(eager, lazy), loader: "js" };
		});
	},
};

await rm("dist", { recursive: true, force: true });
await build({
	entryPoints: ["source/cli.ts"],
	bundle: true,
	splitting: true,
	platform: "node",
	format: "esm",
	target: "node20",
	outdir: "dist",
	chunkNames: "chunks/[name]-[hash]",
	external: ["better-sqlite3"],
	alias: { "react-devtools-core": "./source/ui/terminal/devtools-stub.ts" },
	jsx: "automatic",
	define: { "process.env.NODE_ENV": '"production"' },
	logLevel: "warning",
	banner: { js: "import {createRequire as __createRequire} from 'node:module'; const require = __createRequire(import.meta.url);" },
	plugins: [lazyPackageNormalizer],
});
