/**
 * The docs a newcomer reads: the README stays one page, docs/CLI.md is the commands' own help, every
 * link leads somewhere, the code cites no file a reader cannot open, and the layers import only
 * downwards as docs/ARCHITECTURE.md says.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { cliMarkdown } from "../source/docs/cli-markdown.js";
import { commandHelp } from "../source/commands/help.js";
import { commands } from "../source/commands/registry.js";

const root = fileURLToPath(new URL("..", import.meta.url));

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
	return readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
		.map((name) => join(dir, name))
		.filter((path) => statSync(join(root, path)).isFile() && keep(path));
}

const pages = ["README.md", ...filesUnder("docs", (path) => path.endsWith(".md"))];

test("the README is one page: under 16 KB", () => {
	const size = statSync(join(root, "README.md")).size;
	assert.ok(size < 16 * 1024, `README.md is ${size} bytes; move depth to docs/`);
});

test("docs/CLI.md is generated from the command specs and current (npm run docs rewrites it)", async () => {
	assert.equal(readFileSync(join(root, "docs/CLI.md"), "utf8"), await cliMarkdown());
});

test("docs/CLI.md says what each command's --help says: summary, usage and every option", async () => {
	const page = readFileSync(join(root, "docs/CLI.md"), "utf8");
	for (const entry of commands) {
		const help = commandHelp(await entry.load());
		const [summary, , usage] = help.split("\n");
		assert.ok(page.includes(`## ${entry.name}\n\n${summary}\n`), `${entry.name}: its summary`);
		assert.ok(page.includes(`\`\`\`\n${usage?.replace("Usage: ", "")}\n\`\`\``), `${entry.name}: its usage`);
		for (const option of help.matchAll(/^ {2}(--[a-z-]+)/gm)) assert.ok(page.includes(`\`${option[1]}`), `${entry.name}: ${option[1]}`);
	}
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N} _-]/gu, "")
		.replaceAll(" ", "-");
}

function anchorsIn(path: string): Set<string> {
	const text = readFileSync(join(root, path), "utf8").replace(/^```[\s\S]*?^```/gm, "");
	return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1] as string)));
}

test("every relative link in the README and docs/ leads to a file that exists, and to a heading in it", () => {
	const broken: string[] = [];
	for (const page of pages) {
		const text = readFileSync(join(root, page), "utf8").replace(/^```[\s\S]*?^```/gm, "");
		for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
			const target = match[1] as string;
			if (/^[a-z]+:/.test(target)) continue;
			const [file, anchor] = target.split("#") as [string, string | undefined];
			const path = file === "" ? page : relative(root, join(root, dirname(page), file));
			if (!existsSync(join(root, path))) broken.push(`${page}: ${target} (no such file)`);
			else if (anchor !== undefined && path.endsWith(".md") && !anchorsIn(path).has(anchor)) broken.push(`${page}: ${target} (no such heading)`);
		}
	}
	assert.deepEqual(broken, []);
});

/** Files a reader of this repository cannot open: the project's private notes. */
const privateCitations = ["proget-api.md", "anchors-keys.md", "anchors-tui.md", "stack-feasibility.md", "/work/shared", "reference §"];

const anyFile = () => true;
/** The files checked for private citations: the parts of issue 20 that have landed so far. */
const citing = [...pages, ...filesUnder("source", anyFile), ...filesUnder("test", anyFile)];

test("code and docs cite no file outside the repository", () => {
	const found = citing
		.filter((path) => path !== "test/docs.test.ts")
		.flatMap((path) => {
			const text = readFileSync(join(root, path), "utf8");
			return privateCitations.filter((name) => text.includes(name)).map((name) => `${path}: ${name}`);
		});
	assert.deepEqual(found, []);
});

/** What each layer may import (docs/ARCHITECTURE.md, "The layers"). */
const layers: Record<string, string[]> = {
	process: ["process"],
	core: ["core"],
	store: ["core", "store"],
	remote: ["core", "remote"],
	server: ["core", "server", "process"],
	ui: ["core", "ui", "process"],
	commands: ["process", "core", "store", "remote", "server", "ui", "commands"],
};

test("each layer imports only from the layers below it: nothing points back up", () => {
	const wrong: string[] = [];
	for (const [layer, allowed] of Object.entries(layers)) {
		for (const path of filesUnder(`source/${layer}`, (p) => /\.tsx?$/.test(p))) {
			const text = readFileSync(join(root, path), "utf8");
			for (const match of text.matchAll(/^\s*(?:import|export)\b[^;]*?from "(\.[^"]+)"/gm)) {
				const target = relative(join(root, "source"), join(root, dirname(path), match[1] as string)).split("/")[0] as string;
				if (!allowed.includes(target)) wrong.push(`${path} imports ${match[1]}`);
			}
		}
	}
	assert.deepEqual(wrong, []);
});
