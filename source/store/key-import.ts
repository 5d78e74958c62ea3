/** Checking an import: each item's draft and key text, or why it is refused, before anything is written. */
import type { ImportItem, ImportReport } from "../core/backend.js";
import type { KeyDraft } from "../core/model.js";
import { customKeyError, draftFromInput, type RuleContext } from "../core/rules.js";
import { keyDigest } from "../core/secret.js";

export interface CheckedImport {
	accepted: { index: number; draft: KeyDraft; key: string }[];
	refused: ImportReport["refused"];
}

/** Whether a key with this text exists in the store already. */
export type KeyTextTaken = (key: string) => boolean;

/** Sorts the items into those that may be imported and those refused (with the reason). */
export function checkImport(items: ImportItem[], ctx: RuleContext, taken: KeyTextTaken, secret: Buffer): CheckedImport {
	const checked: CheckedImport = { accepted: [], refused: [] };
	const seen = new Set<string>();
	for (const [index, item] of items.entries()) {
		const result = checkItem(item, ctx, taken, secret, seen);
		if (typeof result === "string") {
			const displayName = typeof item.displayName === "string" ? item.displayName : null;
			checked.refused.push({ index, displayName, reason: result });
		} else checked.accepted.push({ index, ...result });
	}
	return checked;
}

/** The checked draft of one import item, or why it is refused. */
function checkItem(
	item: ImportItem,
	ctx: RuleContext,
	taken: KeyTextTaken,
	secret: Buffer,
	seen: Set<string>,
): { draft: KeyDraft; key: string } | string {
	const result = draftFromInput(item, ctx, "import");
	if (!result.ok) return result.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
	if (typeof item.key !== "string" || item.key === "") return "key: the key text is required to import a key";
	const problem = customKeyError(item.key, ctx.settings);
	if (problem) return `key: ${problem}`;
	const digest = keyDigest(secret, item.key).toString("hex");
	if (seen.has(digest)) return "key: the same key text appears earlier in this import";
	if (taken(item.key)) return "key: a key with this text already exists in the store";
	seen.add(digest);
	return { draft: result.value, key: item.key };
}
