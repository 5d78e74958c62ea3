/**
 * What the key list and a key's detail both do to the selected key (edit, on/off, roll, delete,
 * convert, its access log, refresh), the questions that come first, and the one reload after a change.
 */
import { withArticle } from "../../core/article.js";
import type { KeyRecord } from "../../core/model.js";
import { safeLine } from "../../core/terminal-text.js";
import type { ConsoleModel } from "../console-model.js";
import type { Handlers } from "./controller.js";

type KeyCommand = "edit" | "toggle-enabled" | "roll" | "delete" | "convert" | "logs-for-key" | "logs-all" | "refresh";

/** "key 1000 (Admin key)": how a question names a key. */
export function keyTitle(key: KeyRecord): string {
	return `key ${key.id}${key.displayName ? ` (${safeLine(key.displayName)})` : ""}`;
}

/** The handlers the key list and a key's detail share. */
export function keyActions(c: ConsoleModel): Pick<Handlers<"list" | "detail">, KeyCommand> {
	const selected = (act: (key: KeyRecord) => void) => () => {
		const key = c.selectedKey();
		if (key) act(key);
	};
	return {
		edit: selected((key) => c.screens.create.startEdit(key)),
		"toggle-enabled": selected((key) => {
			// Disabling is one keystroke, as enabling again is; but not for the key this console uses.
			const warning = key.enabled ? ownKeyWarning(c, [key.id]) : "";
			if (warning) c.screens.confirm.ask("disable", `Disable ${keyTitle(key)}?${warning}`, [key.id]);
			else setEnabled(c, key.id, !key.enabled);
		}),
		roll: selected((key) => c.screens.confirm.ask("roll", `Roll ${keyTitle(key)}? It gets a new secret; whatever uses the old one stops working.`, [key.id])),
		delete: () => askDelete(c),
		convert: selected((key) => {
			if (key.type !== "other") c.error("convert: only legacy (pre-2024) keys can be converted");
			else c.screens.confirm.ask("convert", `Convert ${keyTitle(key)} into its 2024 equivalent? It is rewritten in place, same secret.`, [key.id]);
		}),
		"logs-for-key": selected((key) => c.screens.logs.open(key.id)),
		"logs-all": () => c.screens.logs.open(undefined),
		refresh: () => void c.refresh(),
	};
}

/** After a change to key `id`: the list again, and the key's detail where it is open. */
export async function reloadAfterChange(c: ConsoleModel, id: number): Promise<void> {
	await c.screens.list.reload();
	if (c.screens.detail.state?.id === id) await c.screens.detail.load(id);
}

function askDelete(c: ConsoleModel): void {
	const list = c.screens.list.state;
	const ids = list.marked.size > 0 && c.screen === "list" ? [...list.marked].sort((a, b) => a - b) : [c.selectedKey()?.id].filter((id): id is number => id !== undefined);
	if (ids.length === 0) return;
	const key = c.selectedKey();
	if (ids.length === 1 && key && key.id === ids[0]) {
		c.screens.confirm.ask("delete", `Delete ${keyTitle(key)}? Whatever uses it stops working.${ownKeyWarning(c, ids)}`, ids);
		return;
	}
	// The marked keys by name (the first few): a count alone does not say which keys go.
	const named = ids.slice(0, ids.length > 4 ? 3 : 4);
	void c.run(async () => {
		const records = await c.backend.keysByIds(named);
		const titles = records.map(keyTitle);
		const more = ids.length - titles.length;
		const names = more > 0 ? `${titles.join(", ")} and ${more} more` : titles.join(" and ").replace(/ and (?=.* and )/g, ", ");
		const prompt =
			ids.length === 1
				? `Delete ${names || `key ${ids[0]}`}? Whatever uses it stops working.${ownKeyWarning(c, ids)}`
				: `Delete ${ids.length} marked keys: ${names}? Whatever uses them stops working.${ownKeyWarning(c, ids)}`;
		c.screens.confirm.ask("delete", prompt, ids);
	});
}

/** The warning for a question that would cut this console off its own instance, or "". */
function ownKeyWarning(c: ConsoleModel, ids: readonly number[]): string {
	const own = c.backend.ownKeyId?.();
	if (own === undefined || !ids.includes(own)) return "";
	return ` Key ${own} is the key this console signs in with: the console loses access to ${safeLine(c.backend.location)}.`;
}

export function deleteKeys(c: ConsoleModel, ids: number[]): void {
	void c.run(async () => {
		let deleted = 0;
		for (const id of ids) {
			await c.backend.deleteKey(id, c.actor);
			deleted++;
			c.screens.list.state.marked.delete(id);
		}
		c.info(deleted === 1 ? `deleted key ${ids[0]}` : `deleted ${deleted} keys`);
		await c.screens.list.reload();
	});
}

export function setEnabled(c: ConsoleModel, id: number, enabled: boolean): void {
	void c.run(async () => {
		const updated = await c.backend.setEnabled(id, enabled, c.actor);
		c.info(`key ${id} ${updated.enabled ? "enabled" : "disabled"}`);
		await reloadAfterChange(c, id);
	});
}

export function roll(c: ConsoleModel, id: number): void {
	void c.run(async () => {
		const rolled = await c.backend.rollKey(id, c.actor);
		c.screens.secret.show(`New secret for key ${id}: the old one no longer works`, rolled.key);
		await c.screens.list.reload();
	});
}

export function convert(c: ConsoleModel, id: number): void {
	void c.run(async () => {
		const converted = await c.backend.convertLegacyKey(id, c.actor);
		c.info(`key ${id} is now ${withArticle(converted.type)} key, with the same secret`);
		await reloadAfterChange(c, id);
	});
}
