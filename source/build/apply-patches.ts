/**
 * Applies source/build/patches.ts before esbuild reads a file, and checks afterwards that every
 * patched file went into the bundle: a patch that does not apply stops the build with one line
 * naming it, the file and the version found there, never a bundle that crashes at run time.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Plugin } from "esbuild";
import type { DependencyPatch } from "./patches.js";

/** Why the build stopped, in one line. */
export class PatchError extends Error {}

/** One dependency file with every patch that names it applied. */
export interface PatchedFile {
	/** The real path (esbuild follows symlinks, so node_modules may be one). */
	path: string;
	text: string;
	patches: DependencyPatch[];
}

/** The folder Node would load `name` from, looking up from `from`; undefined if none is installed. */
export function packageFolder(name: string, from: string): string | undefined {
	for (let dir = from; ; dir = dirname(dir)) {
		const folder = join(dir, "node_modules", name);
		if (existsSync(join(folder, "package.json"))) return realpathSync(folder);
		if (dirname(dir) === dir) return undefined;
	}
}

function installedVersion(folder: string): string {
	return (JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as { version: string }).version;
}

function occurrences(text: string, part: string): number {
	let count = 0;
	for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, at + part.length)) count++;
	return count;
}

/** Where `patch`'s package is installed under the project at `root`. */
function folderOf(patch: DependencyPatch, root: string): string {
	const from = patch.dependencyOf === undefined ? root : packageFolder(patch.dependencyOf, root);
	const folder = from === undefined ? undefined : packageFolder(patch.package, from);
	if (folder === undefined) throw new PatchError(`patch ${patch.name}: ${patch.package} is not installed (run npm install)`);
	return folder;
}

/**
 * Reads, checks and patches every file `patches` name in the packages installed under the project
 * at `root`, keyed by real path. Throws a PatchError if a package's installed version is not the
 * one a patch was written for, or a patch's text is not in its file exactly once.
 */
export function patchDependencies(patches: readonly DependencyPatch[], root: string): Map<string, PatchedFile> {
	const files = new Map<string, PatchedFile>();
	for (const patch of patches) {
		const folder = folderOf(patch, root);
		const version = installedVersion(folder);
		const where = `${patch.package} ${version} ${patch.file}`;
		if (version !== patch.version)
			throw new PatchError(
				`patch ${patch.name} was written for ${patch.package} ${patch.version}, but ${version} is installed: ` +
				`check it against the new ${patch.file}, then change its version in source/build/patches.ts and the pin in package.json`,
			);
		const path = realpathSync(join(folder, patch.file));
		const file = files.get(path) ?? { path, text: readFileSync(path, "utf8"), patches: [] };
		const found = occurrences(file.text, patch.from);
		if (found !== 1)
			throw new PatchError(`patch ${patch.name} does not apply to ${where}: ${found === 0 ? "its text is not there" : `its text is there ${found} times, not once`}`);
		file.text = file.text.replace(patch.from, () => patch.to);
		file.patches.push(patch);
		files.set(path, file);
	}
	return files;
}

function escapedForRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Serves the patched files to esbuild, noting in `loaded` each one it read. */
export function patchPlugin(files: Map<string, PatchedFile>, loaded: Set<string>): Plugin {
	return {
		name: "dependency-patches",
		setup(builder) {
			if (files.size === 0) return;
			const filter = new RegExp(`^(?:${[...files.keys()].map(escapedForRegExp).join("|")})$`);
			builder.onLoad({ filter }, (args) => {
				const file = files.get(args.path);
				if (file === undefined) return undefined;
				loaded.add(file.path);
				return { contents: file.text, loader: "js" };
			});
		},
	};
}

/** Throws a PatchError if a patched file did not go into the bundle (the program no longer loads it from there). */
export function checkAllBundled(files: Map<string, PatchedFile>, loaded: Set<string>): void {
	for (const file of files.values()) {
		if (loaded.has(file.path)) continue;
		const [patch] = file.patches;
		if (patch !== undefined)
			throw new PatchError(`patch ${patch.name} did not take: ${patch.package} ${patch.version} ${patch.file} is not in the bundle, so the program no longer loads it`);
	}
}
