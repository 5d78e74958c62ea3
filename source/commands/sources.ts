/**
 * `apikeys-tui sources list|add|remove|test`: named remote instances, like `pgutil sources`
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/pgutil/Sources/SourcesCommand.cs#L8-L19).
 * pgutil's own sources are listed and usable too; only ours are changed.
 */
import { RemoteClient } from "../remote/http-client.js";
import { allSources, findSource, ourSourcesPath, pgutilConfigPath, removeSource, saveSource, sourceCredentials } from "../remote/sources.js";
import { safeLine } from "../core/terminal-text.js";
import { type CommandSpec, optionError, stringFlag, UsageError } from "./command.js";
import { checkStdinOptions, firstLine } from "./open-backend.js";

export const sourcesCommand: CommandSpec = {
	name: "sources",
	summary: "Lists, adds, removes and tests named remote instances.",
	usage: "apikeys-tui sources list | add --name=NAME --url=URL [--api-key=- | --username=USER --password=-] | remove --name=NAME | test [--name=NAME]",
	details: `
add takes the API key from standard input (--api-key=-) or $APIKEYS_TUI_API_KEY, or a user with
--username and the password from standard input (--password=-) or $APIKEYS_TUI_PASSWORD, never
needing a secret on the command line, and stores it obfuscated as pgutil does: not encrypted
(anyone who can read the file can recover it); the file is 0600. A source stored with
--username and no password asks for it each time: --password=-, $APIKEYS_TUI_PASSWORD, or
the console's prompt.
Sources are read from our file and from pgutil's own config file.`,
	flags: {
		name: { type: "string", description: "Name of the source (default Default)" },
		url: { type: "string", description: "Base URL of the instance, e.g. https://proget.corp.local/" },
	},
	async run({ flags, args, io }) {
		const action = args[0] ?? "list";
		if (args.length > 1) throw new UsageError(`unexpected argument: ${args[1]}`);
		const name = stringFlag(flags, "name") ?? "Default";
		if (action === "list") {
			const sources = allSources(io.env);
			if (sources.length === 0) {
				io.stdout("No sources configured.\n");
				return;
			}
			sources.forEach((s, i) => {
				const userInfo = s.token ? "api@" : s.username ? `${s.username}@` : "";
				const url = userInfo ? s.url.replace(/^(https?:\/\/)/i, `$1${userInfo}`) : s.url;
				io.stdout(`${i + 1}. ${safeLine(s.name)}${s.origin === "pgutil" ? " (from pgutil)" : ""}\n   ${safeLine(url)}\n`);
			});
			return;
		}
		if (action === "add") {
			if (name !== name.trim()) throw optionError("name", "Name cannot start or end with whitespace.");
			const url = stringFlag(flags, "url");
			if (!url) throw new UsageError("missing required argument: --url");
			try {
				if (!/^https?:$/.test(new URL(url).protocol)) throw new Error("not http");
			} catch {
				throw optionError("url", "Invalid url.");
			}
			checkStdinOptions(flags);
			const keyFlag = stringFlag(flags, "apiKey");
			const token = keyFlag === "-" ? await firstLine(io, "api-key") : (keyFlag ?? io.env.APIKEYS_TUI_API_KEY?.trim());
			const username = stringFlag(flags, "username");
			const passwordFlag = stringFlag(flags, "password");
			const password = passwordFlag === "-" ? await firstLine(io, "password") : (passwordFlag ?? (io.env.APIKEYS_TUI_PASSWORD || undefined));
			if (password !== undefined && username === undefined) throw optionError("password", "given without --username");
			const secrets = { ...(token ? { token } : {}), ...(username ? { username, ...(password ? { password } : {}) } : {}) };
			saveSource({ name, url, ...secrets }, io.env);
			if (token || password) io.stderr("Storing credentials. Note: Sensitive values are obfuscated but not securely encrypted.\n");
			else if (username) io.stderr(`No password stored for ${username}: each command takes it from --password=-, $APIKEYS_TUI_PASSWORD or the console's prompt.\n`);
			io.stdout(`Added source ${name} to ${ourSourcesPath(io.env)}.\n`);
			return;
		}
		if (action === "remove") {
			if (!stringFlag(flags, "name")) throw new UsageError("missing required argument: --name");
			if (removeSource(name, io.env)) io.stdout(`Removed ${name} source.\n`);
			else if (findSource(name, io.env)) io.stdout(`Source ${name} is pgutil's; remove it with pgutil (${pgutilConfigPath(io.env)}).\n`);
			else io.stdout(`Source ${name} not found.\n`);
			return;
		}
		if (action === "test") {
			const chosen = stringFlag(flags, "name") ? [findSource(name, io.env)].filter((s) => s !== undefined) : allSources(io.env);
			if (chosen.length === 0) throw new UsageError(stringFlag(flags, "name") ? `Source ${name} not found.` : "No sources configured.");
			let failed = false;
			for (const source of chosen) {
				try {
					const health = await new RemoteClient(source.url, sourceCredentials(source), 10_000, io.env).json<{ releaseNumber?: unknown }>("health");
					const release = typeof health?.releaseNumber === "string" ? safeLine(health.releaseNumber) : "(unknown version)";
					io.stdout(`[${safeLine(source.name)}] Successfully contacted ProGet ${release}.\n`);
				} catch (error) {
					failed = true;
					io.stderr(`[${safeLine(source.name)}] Error contacting ProGet: ${safeLine((error as Error).message)}\n`);
				}
			}
			return failed ? 1 : 0;
		}
		throw new UsageError(`unknown action "${action}": use list, add, remove or test`);
	},
};
