/** `apikeys-tui backup DEST`: a consistent copy of a live store and its secret file. */
import { resolve } from "node:path";
import { safeLine } from "../core/terminal-text.js";
import { backupStore } from "../store/backup.js";
import { type CommandSpec, stringFlag, UsageError } from "./command.js";
import { openLocalStore, warnOnStderr } from "./open-backend.js";

export const backupCommand: CommandSpec = {
	name: "backup",
	summary: "Copies the store and its secret file, safely while it is in use.",
	usage: "apikeys-tui backup DEST [--db=PATH]",
	details: `
Writes DEST and DEST.secret, both readable only by you, with SQLite's online backup: a
consistent copy even while the console, serve or another command writes. Never overwrites.
Keep the two files together: neither is any use without the other. A plain cp of a store in
use can miss its latest changes (they sit in the -wal file beside it).
To restore, stop every program using the store, then copy DEST and DEST.secret back.
  apikeys-tui backup ~/backups/keys-$(date +%F).db`,
	flags: {},
	async run({ flags, args, io }) {
		const [destination, ...extra] = args;
		if (destination === undefined) throw new UsageError("missing the backup's file name: apikeys-tui backup DEST");
		if (extra.length > 0) throw new UsageError(`unexpected argument: ${extra[0]}`);
		if (stringFlag(flags, "source") !== undefined) throw new UsageError("backup copies a local store; a remote instance keeps its own backups");
		const store = openLocalStore(flags, io.env, { existing: true, warn: warnOnStderr(io) }, "backup", "back one up with pg_dump plus its secret file (docs/SCALE.md#backup)");
		try {
			const target = resolve(destination);
			const result = await backupStore(store, target);
			io.stdout(`Backed up ${result.keys} key${result.keys === 1 ? "" : "s"} to ${safeLine(target)} and ${safeLine(result.secretPath)}.\n`);
		} finally {
			await store.close();
		}
	},
};
