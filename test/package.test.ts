/**
 * What a user installs and copies: the package holds the docs that --help points to and the
 * licence package.json names; the README's server bootstrap leaves the admin key readable only by
 * its owner whatever the umask.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { commandHelp } from "../source/commands/help.js";
import { commands } from "../source/commands/registry.js";
import { cliPath } from "./support/run-cli.js";
import { tempDir } from "./support/temp-store.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Every docs/ page a command's --help or the README names. */
async function docsPointedTo(): Promise<string[]> {
	const helps = await Promise.all(commands.map(async (entry) => commandHelp(await entry.load())));
	const text = [readFileSync(join(root, "README.md"), "utf8"), ...helps].join("\n");
	return [...new Set([...text.matchAll(/docs\/[A-Z-]+\.md/g)].map((match) => match[0]))];
}

test("the package holds the README, the licence and every doc the help and README point to", async () => {
	const [pack] = JSON.parse(
		execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
	) as Array<{ files: Array<{ path: string }> }>;
	const files = new Set(pack?.files.map((f) => f.path));
	const wanted = ["LICENSE", "README.md", "dist/cli.js", ...(await docsPointedTo())];
	assert.ok(wanted.includes("docs/KEYS.md") && wanted.includes("docs/CLI.md"), "the help and README point to the generated docs");
	for (const file of wanted) assert.ok(files.has(file), `${file} is not in the package`);
	const license = readFileSync(join(root, "LICENSE"), "utf8");
	assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} apikeys-tui contributors\n/);
	assert.equal((JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { license: string }).license, "MIT");
});

test("the README's server bootstrap writes admin.key readable by its owner only, even under umask 022", (t) => {
	const readme = readFileSync(join(root, "README.md"), "utf8");
	const bootstrap = readme.split("\n").find((line) => line.includes("> admin.key"));
	assert.ok(bootstrap, "the README has no line writing admin.key");
	const dir = tempDir(t);
	const shim = join(dir, "apikeys-tui");
	writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
	chmodSync(shim, 0o755);
	const command = bootstrap.replace(/\s+#.*$/, "");
	const run = spawnSync("sh", ["-c", `umask 022; ${command}`], { cwd: dir, env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ""}`, APIKEYS_TUI_DB: "" }, encoding: "utf8" });
	assert.equal(run.status, 0, run.stderr);
	assert.match(readFileSync(join(dir, "admin.key"), "utf8"), /^[0-9a-f]{40}\n$/);
	assert.equal(statSync(join(dir, "admin.key")).mode & 0o777, 0o600, `${command} leaves admin.key readable by others`);
});
