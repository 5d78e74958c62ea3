/** Every field of one key, its audit trail and its recent requests; scrolls with j/k. */
import { Box, Text } from "ink";
import { useEffect } from "react";
import { scopeLabel } from "../../core/catalog.js";
import { displayExpiration } from "../../core/expiration.js";
import { unnamedKey } from "../../core/key-text.js";
import { hasKnownId } from "../../core/model.js";
import { safeLine } from "../../core/terminal-text.js";
import type { ConsoleModel } from "../console-model.js";
import { cell } from "../format/key-columns.js";
import { changeLines } from "../format/audit-text.js";
import { localTime } from "../format/local-time.js";
import { agoText, expiresText } from "../format/relative-time.js";
import { wrapIndented } from "../format/wrap.js";
import type { Theme } from "../theme/theme.js";
import { loggingChoices } from "../wizard.js";

export function detailLines(model: ConsoleModel): string[] {
	const detail = model.screens.detail.state;
	const key = detail?.record;
	if (!detail || !key) return ["This key no longer exists."];
	const now = Date.now();
	const catalog = model.catalog;
	const scopes = key.type === "other" ? catalog.legacyApis : [catalog.systemApis.fullControl, ...catalog.systemApis.choices];
	const lines = [
		`Name:         ${key.displayName === null ? unnamedKey : safeLine(key.displayName)}`,
		`Description:  ${key.description === null ? "(none)" : safeLine(key.description)}`,
		`Type:         ${catalog.types.find((t) => t.type === key.type)?.label ?? key.type}`,
	];
	if (key.systemApis) lines.push(`APIs:         ${key.systemApis.map((v) => scopeLabel(scopes, v)).join(", ")}`);
	if (key.type === "feed") {
		lines.push(`Feeds:        ${key.feed ? `feed ${safeLine(key.feed)}` : key.feedGroup ? `group ${safeLine(key.feedGroup)}` : "every feed"}`);
		lines.push(`Permissions:  ${(key.packagePermissions ?? []).map((v) => scopeLabel(catalog.packagePermissions, v)).join(", ")}`);
	}
	if (key.user !== null) lines.push(`User:         ${safeLine(key.user)}`);
	lines.push(
		`Expires:      ${key.expiration === null ? "never" : `${safeLine(displayExpiration(key.expiration))} (${expiresText(key.expiration, now)})`}`,
		`Body logging: ${loggingChoices.find((c) => c.value === key.logging)?.label ?? safeLine(key.logging)}`,
	);
	// What the instance cannot report (ProGet keeps no status, creation or last use it serves)
	// is left out rather than shown as "enabled", "by" or "never".
	const caps = model.backend.capabilities;
	if (caps.enable.available) lines.push(`Status:       ${key.enabled ? "enabled" : "disabled"}`);
	// Fields no one types, but a damaged file or a remote instance can still hold anything.
	// Our stores keep a hint of the key; ProGet's answer says instead how it keeps it, in parentheses.
	const kept = key.hint.startsWith("(") ? "" : " (the key itself is never stored)";
	lines.push(`Key:          ${safeLine(key.hint)}${kept}`);
	if (key.createdAt !== "") lines.push(`Created:      ${localTime(key.createdAt)}${key.createdBy === "" ? "" : ` by ${safeLine(key.createdBy)}`}`);
	if (caps.lastUsed.available) lines.push(`Last used:    ${agoText(key.lastUsedAt, now)}`);
	if (key.type === "other") lines.push("", "A legacy key: it cannot be created anew. C converts it into its 2024 equivalent, same secret.");
	lines.push("", "Audit trail:");
	// Not read (a remote instance down, or still on its way): shown so, never as empty.
	const empty = (none: string) => (detail.read ? none : "(not read)");
	if (!caps.audit.available) lines.push(`  (${safeLine(caps.audit.reason)})`);
	else if (detail.audit.length === 0) lines.push(`  ${empty("(nothing recorded)")}`);
	for (const entry of detail.audit) {
		lines.push(`  ${localTime(entry.at, 19)}  ${safeLine(entry.action).padEnd(8)} ${safeLine(entry.actor)}`);
		// What an edit changed, old → new, under it.
		if (entry.action === "update") for (const change of changeLines(entry.details)) lines.push(`      ${change}`);
	}
	lines.push("", "Recent requests:");
	if (!caps.accessLogs.available) lines.push(`  (${safeLine(caps.accessLogs.reason)})`);
	else if (detail.logs.length === 0) lines.push(`  ${empty("(none)")}`);
	for (const entry of detail.logs) {
		lines.push(`  ${localTime(entry.at)}  ${cell(safeLine(entry.method), 6)} ${entry.status}  ${safeLine(entry.path)}`);
	}
	return lines;
}

export function KeyDetail({ model, theme, width, height }: { model: ConsoleModel; theme: Theme; width: number; height: number }) {
	const lines = detailLines(model).flatMap((line) => wrapIndented(line, width));
	const record = model.screens.detail.state?.record;
	// The id stays in sight above the scrolling fields: every command takes it as --id.
	const idText = record && !hasKnownId(record) ? "(id not given by the server)" : String(model.screens.detail.state?.id ?? "");
	const title = `Key ${idText}${record?.displayName ? ` · ${safeLine(record.displayName)}` : ""}`;
	const rows = Math.max(1, height - 1);
	const overflow = Math.max(0, lines.length - rows);
	const scroll = Math.min(model.screens.detail.state?.scroll ?? 0, overflow);
	useEffect(() => model.setScrollOverflow(overflow), [model, overflow]);
	return (
		<Box flexDirection="column" width={width} height={height}>
			<Text bold color={theme.accent}>
				{cell(title, width)}
			</Text>
			{lines.slice(scroll, scroll + rows).map((line, i) => (
				<Text key={`${scroll + i}`} color={line.endsWith(":") && !line.startsWith(" ") && line.length < 20 ? theme.accent : undefined}>
					{cell(line, width)}
				</Text>
			))}
		</Box>
	);
}
