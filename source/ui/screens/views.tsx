/**
 * Each screen's view, the component that draws it between header and footer. Keyed by every
 * screen of the binding table, so a screen added there without a view does not compile (it would
 * otherwise open on an empty body); `null` marks the two screens only keys are read for.
 */
import type { ReactNode } from "react";
import type { ConsoleModel } from "../console-model.js";
import type { Screen } from "../keys/bindings.js";
import type { Theme } from "../theme/theme.js";
import { AccessLogs } from "./access-logs.js";
import { CreateWizard } from "./create-wizard.js";
import { KeyDetail } from "./key-detail.js";
import { KeyList } from "./key-list.js";
import { Confirm, Help, Secret } from "./overlays.js";
import { StoreSettingsScreen } from "./store-settings.js";

/** What every view is given: the body's room, below the header and above the message and footer. */
export interface ViewProps {
	model: ConsoleModel;
	theme: Theme;
	width: number;
	height: number;
}

export type ScreenViews = { readonly [S in Screen]: ((props: ViewProps) => ReactNode) | null };

function HelpOfScreenUnder(props: ViewProps) {
	return <Help {...props} of={props.model.helpOf()} />;
}

export const screenViews: ScreenViews = {
	list: KeyList,
	detail: KeyDetail,
	logs: AccessLogs,
	// An open log entry is drawn by the log's view; a field being typed by its screen's.
	entry: null,
	field: null,
	help: HelpOfScreenUnder,
	confirm: Confirm,
	create: CreateWizard,
	secret: Secret,
	settings: StoreSettingsScreen,
};
