/** Options every command accepts. */
import type { FlagSpec } from "./command.js";

export const globalFlags: Record<string, FlagSpec> = {
	db: {
		type: "string",
		placeholder: "PATH|URL",
		description:
			"The store file, or a PostgreSQL database as postgres://… (default $APIKEYS_TUI_DB, else $XDG_DATA_HOME/apikeys-tui/keys.db); its password belongs in PGPASSWORD, ~/.pgpass or $APIKEYS_TUI_DB, not on argv",
	},
	secretFile: {
		type: "string",
		placeholder: "PATH",
		description: "A PostgreSQL store's secret file (0600; made by the first writing command; the same on every node); also $APIKEYS_TUI_SECRET_FILE",
	},
	profile: {
		type: "string",
		placeholder: "proget|otter",
		description:
			"The product profile of a new store (default proget); an existing store keeps its own",
	},
	source: {
		type: "string",
		placeholder: "URL|NAME",
		description: "A remote instance: a URL, or a source name (apikeys-tui sources list); also $APIKEYS_TUI_SOURCE",
	},
	apiKey: {
		type: "string",
		placeholder: "KEY",
		description: "The remote instance's API key; - reads it from stdin (argv is public), or $APIKEYS_TUI_API_KEY, or a stored source",
	},
	username: {
		type: "string",
		placeholder: "USER",
		description: "Authenticate to the remote instance as this ProGet user (sent as pgutil sends it)",
	},
	password: {
		type: "string",
		placeholder: "-",
		description: "The user's password: - reads it from stdin; or $APIKEYS_TUI_PASSWORD; the console asks for it",
	},
	debug: { type: "boolean", description: "Show the stack trace of an unexpected error" },
	help: { type: "boolean", description: "Show this help" },
};
