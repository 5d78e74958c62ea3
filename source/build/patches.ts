/**
 * The startup and frame-time fixes `npm run build` makes to dependencies' text as it bundles them
 * (node_modules itself is never changed). Each names the exact version it was written against: the
 * build refuses another, and fails if a patch's text is not found exactly once (source/build/apply-patches.ts).
 * To move a dependency to a new version: install it, read each of its patches against the new
 * file, then change `version` here and the pin in package.json.
 */

export interface DependencyPatch {
	/** Unique; the build and its report name the patch by it. */
	name: string;
	/** The package as its package.json names it. */
	package: string;
	/** Found the way Node finds it from this package's folder; absent: from the project's. */
	dependencyOf?: string;
	/** The exact version whose text `from` was taken from. */
	version: string;
	/** The file, relative to the package's folder. */
	file: string;
	/** Why, in one line. */
	why: string;
	/** Text that occurs exactly once in the file (after the patches listed before it). */
	from: string;
	to: string;
}

export const dependencyPatches: readonly DependencyPatch[] = [
	{
		name: "meow-normalizer-on-use",
		package: "meow",
		version: "14.1.0",
		file: "build/dependencies.js",
		why: "meow's bundle sets up its package.json normaliser (SPDX tables and all) at load, for a call we never make",
		from: "var normalizeExports = requireNormalize();\nconst normalizePackageData = getDefaultExportFromCjs(normalizeExports);",
		to: "const normalizePackageData = (...args) => getDefaultExportFromCjs(requireNormalize())(...args);",
	},
	{
		name: "ink-line-caches-shared",
		package: "ink",
		version: "6.8.0",
		file: "build/output.js",
		why: "Ink styles every line of every frame afresh; a key press changes two or three lines, so the caches outlive the frame",
		from: "    caches = new OutputCaches();",
		to: "    caches = OutputCaches.shared();",
	},
	{
		name: "ink-line-caches-shared-accessor",
		package: "ink",
		version: "6.8.0",
		file: "build/output.js",
		why: "the one cache set the line above uses, dropped whole past a few screens' worth of lines",
		from: "class OutputCaches {",
		to: `class OutputCaches {
    static current;
    static shared() {
        if (OutputCaches.current === undefined || OutputCaches.current.styledChars.size > 200) OutputCaches.current = new OutputCaches();
        return OutputCaches.current;
    }`,
	},
	{
		name: "ink-blank-cell-shared",
		package: "ink",
		version: "6.8.0",
		file: "build/output.js",
		why: "every blank cell of every frame was an object of its own",
		from: `                row.push({
                    type: 'char',
                    value: ' ',
                    fullWidth: false,
                    styles: [],
                });`,
		to: "                row.push(blankCell);",
	},
	{
		name: "ink-blank-cell-definition",
		package: "ink",
		version: "6.8.0",
		file: "build/output.js",
		why: "the shared blank cell the patch above pushes; cells are replaced, never changed",
		from: "class OutputCaches {",
		to: `const blankCell = Object.freeze({ type: 'char', value: ' ', fullWidth: false, styles: Object.freeze([]) });
class OutputCaches {`,
	},
	{
		name: "ansi-tokenize-run-shares-styles",
		package: "@alcalzone/ansi-tokenize",
		dependencyOf: "ink",
		version: "0.2.5",
		file: "build/styledChars.js",
		why: "a run of characters written together shares one styles array instead of a copy each",
		from: "                styles: [...codes],",
		to: "                styles: codes,",
	},
	{
		name: "ansi-tokenize-same-styles-not-compared",
		package: "@alcalzone/ansi-tokenize",
		dependencyOf: "ink",
		version: "0.2.5",
		file: "build/styledChars.js",
		why: "a cell styled as the one before it (the same array, or both plain) needs no comparison",
		from: "            ret += ansiCodesToString(diffAnsiCodes(chars[i - 1].styles, char.styles));",
		to: `            const before = chars[i - 1].styles;
            if (before !== char.styles && (before.length > 0 || char.styles.length > 0))
                ret += ansiCodesToString(diffAnsiCodes(before, char.styles));`,
	},
	{
		name: "ansi-tokenize-plain-row-end",
		package: "@alcalzone/ansi-tokenize",
		dependencyOf: "ink",
		version: "0.2.5",
		file: "build/styledChars.js",
		why: "a row ending in a plain cell has no styles to close",
		from: "        if (i === chars.length - 1) {",
		to: "        if (i === chars.length - 1 && char.styles.length > 0) {",
	},
	{
		// Only the copy found from the project's folder: Ink wraps (with wrap-ansi's own older copy)
		// only text wider than its box, which the console's fitted cells never are.
		name: "string-width-narrow-ranges",
		package: "string-width",
		version: "8.3.0",
		file: "index.js",
		why: "text of these one-column, never-joining characters (the console's ›·—…, box drawing) is as wide as it is long, " +
			"without segmenting or the emoji regex",
		from: "if (/^[\\u0020-\\u007E]*$/.test(string)) {",
		to: "if (/^[\\u0020-\\u007E\\u00A0-\\u00AC\\u00AE-\\u02FF\\u2010-\\u2027\\u2030-\\u205E\\u2190-\\u21FF\\u2500-\\u25FC\\u2800-\\u28FF\\u2713\\u2717]*$/.test(string)) {",
	},
];
