/** Options every command accepts. */
import type { FlagSpec } from "./command.js";

export const globalFlags: Record<string, FlagSpec> = {
	db: {
		type: "string",
		placeholder: "PATH",
		description:
			"The store file (default $APIKEYS_TUI_DB, else $XDG_DATA_HOME/apikeys-tui/keys.db)",
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
		description: "The remote instance's API key; better $APIKEYS_TUI_API_KEY or a stored source, as argv is public",
	},
	debug: { type: "boolean", description: "Show the stack trace of an unexpected error" },
	help: { type: "boolean", description: "Show this help" },
};
