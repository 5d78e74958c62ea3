/** Home: the key list, windowed (only the visible rows are fetched), filtered, sorted. */
import { listRowsIn } from "../layout.js";
import { Box, Text } from "ink";
import { safeLine } from "../../core/terminal-text.js";
import type { ConsoleModel } from "../console-model.js";
import { cell, columnsFor, fitColumns } from "../format/key-columns.js";
import { expiresSoon, expiresText } from "../format/relative-time.js";
import type { Theme } from "../theme/theme.js";
import { TextField } from "../components/text-field.js";
import { bindingsFor, keyLabel } from "../keys/bindings.js";

const sortWords: Record<string, string> = {
	id: "id",
	name: "name",
	type: "type",
	expiration: "expiry",
	lastUsed: "last use",
	created: "creation",
};

/** What an empty store's list says: how to create the first key, as the binding table has it now. */
function noKeysText(model: ConsoleModel): string {
	const create = bindingsFor("list").find((binding) => binding.command === "create");
	if (!create) return "  No API keys yet.";
	const off = model.offReason(create);
	if (off !== undefined) return `  No API keys yet. Creating one is off: ${off}.`;
	return `  No API keys yet. Press ${keyLabel(create.keys[0] as string)} to create the first one (or: apikeys-tui create).`;
}

export function KeyList({ model, theme, width, height }: { model: ConsoleModel; theme: Theme; width: number; height: number }) {
	const list = model.screens.list.state;
	const now = Date.now();
	const columns = fitColumns(width - 2, columnsFor(model.backend.capabilities));
	const total = list.total;
	const position = total === 0 ? "0 of 0" : `${list.selected + 1} of ${total}`;
	const arrow = list.sort.descending ? "▼" : "▲";
	const sortText = `sort: ${sortWords[list.sort.column]} ${arrow} (${list.sort.descending ? "descending" : "ascending"})`;
	const filterText = list.filter ? `filter: ${safeLine(list.filter)}` : "";
	const marked = list.marked.size > 0 ? `${list.marked.size} marked  ` : "";
	const status = `${marked}${position}  ${sortText}`;
	const rowsHeight = listRowsIn(height);
	const filterWidth = Math.max(1, width - status.length - 2);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Box>
				<Box width={Math.max(0, width - status.length - 1)}>
					{list.editingFilter
						? (
								<Text color={theme.accent}>
									/
									<TextField text={list.filter} cursor={model.textCursor} width={filterWidth} />
								</Text>
							)
						: (
								<Text color={theme.accent}>{cell(filterText, Math.max(0, width - status.length - 1))}</Text>
							)}
				</Box>
				<Text color={theme.muted}>
					{" "}
					{status}
				</Text>
			</Box>
			<Text bold>{cell(`  ${columns.map((c) => cell(c.title, c.fitted)).join(" ")}`, width)}</Text>
			{total === 0 && list.loaded
				? (
						<Text color={theme.muted}>
							{list.filter
								? `  No key matches "${safeLine(list.filter)}". Esc in the filter clears it.`
								: noKeysText(model)}
						</Text>
					)
				: (
						list.rows.slice(0, rowsHeight).map((key, offset) => {
							const selected = list.start + offset === list.selected;
							const mark = list.marked.has(key.id) ? "*" : " ";
							const cells = columns.map((c) => cell(c.value(key, now), c.fitted)).join(" ");
							// Each cell is exactly its width, so the row's is known without measuring it.
							const used = 2 + columns.reduce((sum, c) => sum + c.fitted, 0) + columns.length - 1;
							const row = `${selected ? "›" : " "}${mark}${cells}`;
							const text = used <= width ? row + " ".repeat(width - used) : cell(row, width);
							const warn = !key.enabled || expiresText(key.expiration, now) === "expired";
							return (
								<Text
									key={key.id}
									inverse={selected && theme.selectionInverse}
									color={warn ? theme.danger : expiresSoon(key.expiration, now) ? theme.warning : undefined}
								>
									{text}
								</Text>
							);
						})
					)}
		</Box>
	);
}
