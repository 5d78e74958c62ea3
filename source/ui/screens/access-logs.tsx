/** The access log, newest first, keyset-paged as it scrolls; Enter shows one entry with its bodies. */
import { Box, Text } from "ink";
import { useEffect } from "react";
import type { AccessLogEntry } from "../../core/backend.js";
import { safeBlock, safeLine } from "../../core/terminal-text.js";
import type { ConsoleModel } from "../console-model.js";
import { cell } from "../format/key-columns.js";
import { localTime } from "../format/local-time.js";
import { logsHeader, logsRow } from "../format/log-columns.js";
import { wrapIndented } from "../format/wrap.js";
import type { Theme } from "../theme/theme.js";
import { TextField } from "../components/text-field.js";

function pretty(body: string | null): string[] {
	if (body === null) return ["(not logged)"];
	try {
		return safeBlock(JSON.stringify(JSON.parse(body), null, 2)).split("\n");
	} catch {
		return safeBlock(body).split("\n");
	}
}

export function entryLines(entry: AccessLogEntry): string[] {
	return [
		`Time:      ${localTime(entry.at)}`,
		`Key:      ${entry.keyId === null ? " (unknown key)" : ` ${entry.keyId}${entry.keyName ? ` (${safeLine(entry.keyName)})` : ""}`}`,
		`Request:   ${safeLine(entry.method)} ${safeLine(entry.path)}`,
		`Status:    ${entry.status} in ${entry.durationMs.toFixed(1)} ms`,
		// The agent on its own line: after a long client address it would be cut off the screen.
		`Client:    ${safeLine(entry.client)}`,
		`Agent:     ${entry.userAgent ? safeLine(entry.userAgent) : "(none)"}`,
		"",
		"Request body:",
		...pretty(entry.requestBody).map((l) => `  ${l}`),
		"",
		"Response body:",
		...pretty(entry.responseBody).map((l) => `  ${l}`),
	];
}

/** One entry, wrapped to the width and scrolled with j/k. */
function LogEntry(props: { model: ConsoleModel; entry: AccessLogEntry; scrolled: number; width: number; height: number }) {
	const { model, entry, scrolled, width, height } = props;
	const lines = entryLines(entry).flatMap((line) => wrapIndented(line, width));
	const overflow = Math.max(0, lines.length - height);
	const scroll = Math.min(scrolled, overflow);
	useEffect(() => model.setScrollOverflow(overflow), [model, overflow]);
	return (
		<Box flexDirection="column" width={width} height={height}>
			{lines.slice(scroll, scroll + height).map((line, i) => (
				<Text key={`${scroll + i}`}>{cell(line, width)}</Text>
			))}
		</Box>
	);
}

export function AccessLogs({ model, theme, width, height }: { model: ConsoleModel; theme: Theme; width: number; height: number }) {
	const logs = model.screens.logs.state;
	if (!logs) return null;
	if (logs.open) return <LogEntry model={model} entry={logs.open} scrolled={logs.openScroll} width={width} height={height} />;
	const title = `${logs.keyId === undefined ? "All requests" : `Requests with key ${logs.keyId}`}${logs.follow ? " · following" : ""}`;
	const filter = logs.filterText ? `filter: ${safeLine(logs.filterText)}` : "";
	const hint = "  (status:4xx method:post path:/api since:24h, or a word in the path)";
	const prefix = `${title}  /`;
	// The typed filter keeps at least 12 cells; the hint goes first when the line is short.
	const hintShown = width - prefix.length - hint.length >= 12 ? hint : "";
	const fieldWidth = Math.max(1, width - prefix.length - hintShown.length);
	const rowsHeight = model.screens.logs.rows();
	const visible = logs.entries.slice(logs.start, logs.start + rowsHeight);
	return (
		<Box flexDirection="column" width={width} height={height}>
			{logs.editingFilter
				? (
						<Box width={width}>
							<Text color={theme.accent}>
								{prefix}
								<TextField text={logs.filterText} cursor={model.textCursor} width={fieldWidth} />
							</Text>
							<Text color={theme.muted}>{hintShown}</Text>
						</Box>
					)
				: (
						<Text color={theme.accent}>{cell(`${title}  ${filter}`, width)}</Text>
					)}
			<Text bold>{logsHeader(width)}</Text>
			{visible.length === 0 && logs.loaded ? <Text color={theme.muted}>  No requests match.</Text> : null}
			{visible.map((entry, offset) => {
				const selected = logs.start + offset === logs.selected;
				return (
					<Text
						key={entry.id}
						inverse={selected && theme.selectionInverse}
						color={entry.status >= 400 ? theme.danger : undefined}
					>
						{logsRow(entry, selected, width)}
					</Text>
				);
			})}
			<Text color={theme.muted}>
				{cell(logs.entries.length === 0 ? "" : `${logs.selected + 1} of ${logs.entries.length}${logs.nextBefore !== undefined ? "+" : ""}`, width)}
			</Text>
		</Box>
	);
}
