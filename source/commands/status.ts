/** `apikeys-tui status`: where the store is, on which engine, its profile and how many keys it holds. */
import { safeLine, terminalJson } from "../core/terminal-text.js";
import type { CommandSpec } from "./command.js";

const engineNames = { sqlite: "SQLite", postgresql: "PostgreSQL" } as const;

export const statusCommand: CommandSpec = {
	name: "status",
	summary: "Shows where the store is and on which engine, its profile and how many keys it holds.",
	usage: "apikeys-tui status [--json]",
	flags: { json: { type: "boolean", description: "Print as JSON" } },
	details: `
For a PostgreSQL store, the server that answered is named too:
  Store:   postgres://keys:***@db1:5432,db2:5432/keys?target_session_attrs=primary (PostgreSQL)
  Server:  10.0.0.12:5432 (PostgreSQL 15.14)
  Profile: proget
  Keys:    42 (40 enabled)
A PostgreSQL URL is printed without its password; Server is the host that answered (with several
in the URL, the one the connection reached). An SQLite store shows its file and (SQLite); a remote
instance its URL and (remote). --json keeps location, kind ("local" for either engine, "remote"),
profile, keys and enabled, and adds engine ("sqlite" or "postgresql") and, for PostgreSQL,
server {address, version}.`,
	async run({ flags, io, openBackend }) {
		const backend = await openBackend({ existing: true });
		const keys = await backend.listKeys();
		// ProGet cannot disable a key (nor say whether one is): count only what the backend knows.
		const knowsEnabled = backend.capabilities.enable.available;
		const enabled = knowsEnabled ? keys.filter((k) => k.enabled).length : undefined;
		const server = await backend.answeringServer?.();
		const status = {
			location: safeLine(backend.location),
			kind: backend.kind,
			profile: backend.profile,
			keys: keys.length,
			...(enabled === undefined ? {} : { enabled }),
			...(backend.engine === undefined ? {} : { engine: backend.engine }),
			...(server === undefined ? {} : { server: { address: safeLine(server.address), version: safeLine(server.version) } }),
		};
		if (flags.json === true) {
			io.stdout(`${terminalJson(status, 2)}\n`);
			return;
		}
		const where = backend.engine === undefined ? status.kind : engineNames[backend.engine];
		io.stdout(
			`Store:   ${status.location} (${where})\n` +
			(status.server === undefined ? "" : `Server:  ${status.server.address} (PostgreSQL ${status.server.version})\n`) +
			`Profile: ${status.profile}\nKeys:    ${status.keys}${enabled === undefined ? "" : ` (${enabled} enabled)`}\n`,
		);
	},
};
