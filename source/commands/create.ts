/**
 * `apikeys-tui create system|feed|personal`: like `pgutil apikeys create`, the new key is the only
 * thing written to stdout.
 */
import { withArticle } from "../core/article.js";
import { safeLine, terminalJson } from "../core/terminal-text.js";
import { catalogFor, creatableTypes, typeSpec } from "../core/catalog.js";
import { parseKeyType } from "../core/enums.js";
import { hasKnownId, toApiKeyInfo } from "../core/model.js";
import type { KeyInput } from "../core/rules.js";
import { type CommandSpec, optionError, stringFlag, UsageError } from "./command.js";
import { commonKeyFlags, customKeyFromFlags, keyInputFromFlags, scopeFlags } from "./key-flags.js";

/**
 * What `pgutil apikeys create system` sends for full-control
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/pgutil/ApiKeys/Create/SystemCommand.cs#L41-L43).
 */
const pgutilFullControl = ["feeds", "sca", "sbom-upload"] as const;

export const createCommand: CommandSpec = {
	name: "create",
	summary: "Creates an API key. The key is the only thing written to stdout on success.",
	usage: "apikeys-tui create system|feed|personal [options]",
	remote: "pgutil",
	details: `
Types and their options:
  system    --apis=full-control (default) or a list such as feeds,sca,sbom-upload
  feed      exactly one of --feed, --group or --all-feeds; --permissions (default all four)
  personal  --user (default: the user of --username, or of the source)
A store of the otter profile has system keys only, with its own APIs (see docs/PROFILES.md).

--name and --description are free text without control characters, 200 and 2000 characters
at most. --expiration takes YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY (month first, as pgutil),
Aug 1, 2030, 1 Aug 2030, ISO-8601, or 30d / 12w / 1y from now, or never. A date without a
zone is a calendar day, the same in every time zone; a time with a zone is an instant. A date
in the past or beyond the store's max-lifetime-days is refused. --logging none logs headers
only (the default); request, response and both add the bodies.

The key is generated (40 hex characters) unless --key gives one; --key=- reads it from
standard input, so it never has to appear on the command line. A custom key must satisfy the
store's settings (allowed at all, min-custom-key-length, printable ASCII without spaces).
--json prints the ApiKeyInfo object, key included.

Examples:
  apikeys-tui create system --apis=feeds,sca --expiration=2027/08/01 --description="Feeds & SCA"
  apikeys-tui create system                                  # full-control, the default
  apikeys-tui create feed --feed=public-npm --permissions=view,add
  apikeys-tui create feed --group=production-feeds --logging=both --expiration=90d
  apikeys-tui create feed --all-feeds --permissions=view
  apikeys-tui create personal --user=jrdobbs --name="J. R. Dobbs"
  printf '%s\\n' "$KEY" | apikeys-tui create feed --group=production-feeds --key=-
  apikeys-tui create system --apis=sca --json                # the ApiKeyInfo object, key included`,
	flags: {
		...scopeFlags,
		...commonKeyFlags,
		key: {
			type: "string",
			description: "API key text to use instead of a generated one; - reads it from stdin",
		},
	},
	async run({ flags, args, io, openBackend, actor }) {
		const typeWord = args[0];
		if (typeWord === undefined) throw new UsageError("missing key type: system, feed or personal");
		if (args.length > 1) throw new UsageError(`unexpected argument: ${args[1]}`);
		const type = parseKeyType(typeWord);
		const input: KeyInput = { ...keyInputFromFlags(flags), type: type ?? typeWord };
		if (type === "feed") {
			const given = [flags.feed, flags.group, flags.allFeeds].filter(
				(v) => v !== undefined && v !== "",
			).length;
			if (given !== 1)
				throw new UsageError(
					"either --feed, --group or --all-feeds must be specified (but only one)",
				);
		}
		const key = await customKeyFromFlags(flags, io);
		const backend = await openBackend();
		// pgutil: --user, else --username (even when --api-key is what authenticates), else the source's user
		// (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/pgutil/ApiKeys/Create/PersonalCommand.cs#L38).
		if (type === "personal" && input.user === undefined) {
			const user = stringFlag(flags, "username") || backend.authenticatedUser;
			if (!user) throw optionError("user", "required when not using --username/--password to authenticate");
			input.user = user;
		}
		const catalog = catalogFor(backend.profile);
		// "full-control" (pgutil's default) names whatever the profile's all-reaching scope is.
		const apis = input.systemApis as string[] | undefined;
		if (
			type === "system" &&
			(apis === undefined || (apis.length === 1 && apis[0] === "full-control"))
		) {
			// pgutil sends full-control as the three APIs it covers (SystemCommand.cs#L41-L43).
			input.systemApis = backend.kind === "remote" ? [...pgutilFullControl] : [catalog.systemApis.fullControl.value];
		}
		if (type === "feed" && input.packagePermissions === undefined) {
			input.packagePermissions = catalog.packagePermissions.map((c) => c.value);
		}
		if (type !== undefined && !typeSpec(catalog, type)) {
			throw new UsageError(
				`${withArticle(backend.profile)} store has no ${type} keys: create one of ${creatableTypes(catalog).join(", ")}`,
			);
		}
		const created = await backend.createKey(input, key === undefined ? { actor } : { key, actor });
		if (!hasKnownId(created.record)) io.stderr("apikeys-tui: the key was created, but the server did not say its id (see apikeys-tui list)\n");
		io.stdout(
			flags.json === true
				? `${terminalJson(toApiKeyInfo(created.record, created.key))}\n`
				: `${safeLine(created.key)}\n`,
		);
	},
};
