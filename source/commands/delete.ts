/** `apikeys-tui delete --id=N`: pgutil's two lines. */
import { type CommandSpec, requireIdFlag } from "./command.js";

export const deleteCommand: CommandSpec = {
	name: "delete",
	summary: "Deletes an API key.",
	usage: "apikeys-tui delete --id=N",
	remote: "pgutil",
	details: `
Prints pgutil's two lines:
  Deleting API key (id=1001)...
  API key deleted.
An unknown id prints the first line, then the error, and exits 1.`,
	flags: {
		id: { type: "string", placeholder: "N", description: "ID number of the API key to delete" },
	},
	async run({ flags, io, openBackend, actor }) {
		const id = requireIdFlag(flags);
		const backend = await openBackend({ existing: true });
		io.stdout(`Deleting API key (id=${id})...\n`);
		await backend.deleteKey(id, actor);
		io.stdout("API key deleted.\n");
	},
};
