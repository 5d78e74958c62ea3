/**
 * `npm run build`: bundles the program into dist/ with esbuild — one chunk per command, so each
 * loads only itself, and Ink only for the console — with a few measured startup and frame-time
 * fixes applied to dependencies' text as it is bundled (node_modules itself is never changed).
 */
import { readFile, rm } from "node:fs/promises";
import { build, type Plugin } from "esbuild";

interface DependencyPatch {
	/** The dependency's file, by the end of its path. */
	file: RegExp;
	/** Why; printed if the text is no longer there. */
	reason: string;
	from: string;
	to: string;
}

const patches: DependencyPatch[] = [
	{
		// meow ships its dependencies pre-bundled, and that bundle runs normalize-package-data's
		// setup (SPDX licence tables and all) as it loads: about 10 ms of every start, for a
		// function meow calls only when asked for package.json, which we never do.
		file: /[\\/]meow[\\/]build[\\/]dependencies\.js$/,
		reason: "meow's package normaliser set up on first use instead of at load",
		from: "var normalizeExports = requireNormalize();\nconst normalizePackageData = getDefaultExportFromCjs(normalizeExports);",
		to: "const normalizePackageData = (...args) => getDefaultExportFromCjs(requireNormalize())(...args);",
	},
	{
		// Ink turns every line of every frame into styled characters, caching them for that frame
		// only; a key press changes two or three lines of thirty. Kept across frames (and dropped
		// whole past a few screens' worth), the unchanged lines cost nothing: about 2 ms of a 5 ms
		// frame, and most of the memory a frame churns through.
		file: /[\\/]ink[\\/]build[\\/]output\.js$/,
		reason: "Ink's per-frame line caches kept across frames",
		from: "    caches = new OutputCaches();",
		to: "    caches = OutputCaches.shared();",
	},
	{
		file: /[\\/]ink[\\/]build[\\/]output\.js$/,
		reason: "Ink's per-frame line caches kept across frames",
		from: "class OutputCaches {",
		to: `class OutputCaches {
    static current;
    static shared() {
        if (OutputCaches.current === undefined || OutputCaches.current.styledChars.size > 200) OutputCaches.current = new OutputCaches();
        return OutputCaches.current;
    }`,
	},
	{
		// Each frame Ink lays the whole screen out as cells and turns every row back into text,
		// comparing each cell's styles with the one before it (two Sets and three arrays a cell). A
		// run of characters written together now shares one styles array, and a cell with the same
		// styles as the one before (or none, like it) is not compared. Profiled over 200 key presses in
		// a 100x30 list: turning rows into text 238 -> 90 ms, the garbage collector 335 -> 107 ms; the
		// screen, colours included, is cell for cell the same.
		file: /[\\/]ansi-tokenize[\\/]build[\\/]styledChars\.js$/,
		reason: "a run of styled characters shares its styles",
		from: "                styles: [...codes],",
		to: "                styles: codes,",
	},
	{
		file: /[\\/]ansi-tokenize[\\/]build[\\/]styledChars\.js$/,
		reason: "cells styled as the one before them are not compared",
		from: "            ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));",
		to: `            const before = chars[i - 1].styles;
            if (before !== char.styles && (before.length > 0 || char.styles.length > 0))
                ret += ansiCodesToString(diffAnsiCodes(before, char.styles));`,
	},
	{
		file: /[\\/]ansi-tokenize[\\/]build[\\/]styledChars\.js$/,
		reason: "cells styled as the one before them are not compared",
		from: "        if (i === chars.length - 1) {",
		to: "        if (i === chars.length - 1 && char.styles.length > 0) {",
	},
	{
		file: /[\\/]ink[\\/]build[\\/]output\.js$/,
		reason: "one blank cell shared by the whole screen",
		from: `                row.push({
                    type: 'char',
                    value: ' ',
                    fullWidth: false,
                    styles: [],
                });`,
		to: "                row.push(blankCell);",
	},
	{
		file: /[\\/]ink[\\/]build[\\/]output\.js$/,
		reason: "one blank cell shared by the whole screen",
		from: "class OutputCaches {",
		to: `// Cells are replaced, never changed, so every blank one can be the same.
const blankCell = Object.freeze({ type: 'char', value: ' ', fullWidth: false, styles: Object.freeze([]) });
class OutputCaches {`,
	},
	{
		// string-width measures anything beyond ASCII by grapheme segmentation and a test against
		// the full emoji regex, which compiles on first use: 46 ms inside the console's first frame
		// (its rows hold "›", "·", "—", "…"), then ~37 µs a string. These characters are one column
		// each (checked against string-width itself for every one of the 1,396, alone and in runs),
		// and none joins another into a cluster, so a string of them only is as wide as it is long.
		// Not wrap-ansi's own older copy: Ink wraps only text wider than its box, which the console's
		// fitted cells never are.
		file: /^(?!.*[\\/]wrap-ansi[\\/]).*[\\/]string-width[\\/]index\.js$/,
		reason: "common narrow characters measured without segmenting",
		from: "if (/^[\\u0020-\\u007E]*$/.test(string)) {",
		to: "if (/^[\\u0020-\\u007E\\u00A0-\\u00AC\\u00AE-\\u02FF\\u2010-\\u2027\\u2030-\\u205E\\u2190-\\u21FF\\u2500-\\u25FC\\u2800-\\u28FF\\u2713\\u2717]*$/.test(string)) {",
	},
];

const dependencyPatches: Plugin = {
	name: "dependency-patches",
	setup(builder) {
		// Every file a patch may name (esbuild wants it as one Go regular expression).
		const patchable = /[\\/](meow|ink|ansi-tokenize)[\\/]build[\\/][^\\/]+\.js$|[\\/]string-width[\\/]index\.js$/;
		builder.onLoad({ filter: patchable }, async (args) => {
			const wanted = patches.filter((patch) => patch.file.test(args.path));
			if (wanted.length === 0) return undefined;
			let text = await readFile(args.path, "utf8");
			const warnings = [];
			for (const patch of wanted) {
				if (text.includes(patch.from)) text = text.replace(patch.from, patch.to);
				else warnings.push({ text: `not applied (the dependency changed): ${patch.reason}` });
			}
			return { contents: text, loader: "js", warnings };
		});
	},
};

await rm("dist", { recursive: true, force: true });
await build({
	// The access-log writer runs in a worker thread, which loads its own file.
	entryPoints: { cli: "source/cli.ts", "access-log-worker": "source/store/access-log-worker.ts" },
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
	plugins: [dependencyPatches],
});
