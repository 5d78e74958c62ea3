/**
 * The console's state and behaviour, outside React: every key goes through `press`, which reads
 * and changes the state synchronously (so keys that arrive together are never lost to a stale
 * render) and starts store operations whose results arrive later. React only renders snapshots.
 */
import { withArticle } from "../core/article.js";
import type { AccessLogEntry, AuditEntry, Backend, KeySortColumn } from "../core/backend.js";
import { type Catalog, catalogFor } from "../core/catalog.js";
import { AppError, RuleError } from "../core/errors.js";
import { hasKnownId, type KeyRecord, type KeyType } from "../core/model.js";
import { type LogFilterText, parseLogFilter } from "../core/log-filter.js";
import { draftFromInput } from "../core/rules.js";
import { defaultSettings, formatSettingValue, parseSettingValue, type SettingName, settingSpecs, type StoreSettings } from "../core/settings.js";
import { safeLine } from "../core/terminal-text.js";
import { type Command, commandFor, mutates, type Screen } from "./keys/bindings.js";
import { clampIndex, windowStart } from "./list/window.js";
import { editText } from "./text-field.js";
import {
	chosenValue,
	emptyValues,
	type Step,
	stepProblem,
	type ReviewRow,
	reviewRows,
	type TextFieldName,
	valuesFromKey,
	type WizardMode,
	type WizardValues,
	wizardInput,
	wizardSteps,
} from "./wizard.js";

/** Steps whose answer opens another step, which an edit from the review goes through before returning. */
const opensStep: Record<string, string> = { feedScope: "feedName", expirationPreset: "expiration", keySource: "customKey" };

/** A list cursor after a move key: it stops at the list's ends. */
function stepCursor(command: "down" | "up" | "top" | "bottom", cursor: number, count: number): number {
	const to = command === "top" ? 0 : command === "bottom" ? count - 1 : cursor + (command === "down" ? 1 : -1);
	return clampIndex(to, count);
}

/** How often the console looks for changes made elsewhere: another console, a command, the server. */
export const changePollMs = 1000;

/** Commands that send the selected key's id back to its store: none can act on a key listed without one. */
const keyCommands: ReadonlySet<Command> = new Set<Command>(["edit", "toggle-enabled", "roll", "delete", "convert"]);

export const sortOrder: readonly KeySortColumn[] = ["id", "name", "type", "expiration", "lastUsed", "created"];

export interface Message {
	text: string;
	kind: "info" | "error";
}

export interface ListState {
	/** Every matching key's id in order: the list's index. Empty until loaded. */
	ids: number[];
	/** How many keys match; known before `ids` at startup. */
	total: number;
	selected: number;
	start: number;
	rows: KeyRecord[];
	filter: string;
	editingFilter: boolean;
	sort: { column: KeySortColumn; descending: boolean };
	marked: Set<number>;
	loaded: boolean;
}

export interface DetailState {
	id: number;
	record: KeyRecord | undefined;
	audit: AuditEntry[];
	logs: AccessLogEntry[];
	/** Whether the audit trail and the recent requests were read: until then, empty says nothing. */
	read: boolean;
	scroll: number;
}

export interface LogsState {
	keyId: number | undefined;
	entries: AccessLogEntry[];
	nextBefore: number | undefined;
	selected: number;
	start: number;
	filterText: string;
	editingFilter: boolean;
	follow: boolean;
	/** Rows to move down once the next page is in (keys that ran past the loaded entries). */
	pendingMove: number;
	open: AccessLogEntry | undefined;
	openScroll: number;
	/** Whether a first page has come in: until then "no requests match" would be a guess (or hide an error). */
	loaded: boolean;
}

/** What a confirmation question is about to do: each defaults to No. */
export type ConfirmAction = "delete" | "roll" | "convert" | "disable";

export interface ConfirmState {
	action: ConfirmAction;
	prompt: string;
	ids: number[];
}

/** "key 1000 (Admin key)": how a question names a key. */
export function keyTitle(key: KeyRecord): string {
	return `key ${key.id}${key.displayName ? ` (${safeLine(key.displayName)})` : ""}`;
}

export interface SecretState {
	title: string;
	key: string;
	copied: string | undefined;
	askedToLeave: boolean;
}

export interface WizardState {
	mode: WizardMode;
	/** The key being edited, in edit mode. */
	editId: number | undefined;
	/** The expiration the key had, so an unchanged one is not checked again (it may be past). */
	originalExpiration: string;
	values: WizardValues;
	/** The values it started with: what changed is marked on the review, and asked about before quitting. */
	initial: WizardValues;
	/** Ctrl-C was pressed with typed values: the next key says whether to quit. */
	askedToQuit: boolean;
	/** The custom key is shown as typed rather than masked. */
	revealed: boolean;
	/** The step the review jumped to, to return to the review once it (and what it opens) is done. */
	jumpedFrom: string | undefined;
	step: number;
	cursor: number;
	problem: string | undefined;
}

export interface SettingsScreenState {
	selected: number;
	/** The value being typed for the selected setting, when one is being changed. */
	editing: string | undefined;
}

export interface ConsoleOptions {
	backend: Backend;
	readOnly: boolean;
	actor: string;
	/** Copies text to the clipboard; resolves to a sentence saying how. */
	copy: (text: string) => string;
	quit: () => void;
}

export class ConsoleModel {
	readonly catalog: Catalog;
	screen: Screen = "list";
	/** Screens to return to with Esc. */
	private under: Screen[] = [];
	list: ListState = {
		ids: [],
		total: 0,
		selected: 0,
		start: 0,
		rows: [],
		filter: "",
		editingFilter: false,
		sort: { column: "id", descending: false },
		marked: new Set(),
		loaded: false,
	};

	detail: DetailState | undefined;
	logs: LogsState | undefined;
	confirm: ConfirmState | undefined;
	secret: SecretState | undefined;
	wizard: WizardState | undefined;
	settingsScreen: SettingsScreenState = { selected: 0, editing: undefined };
	settings: StoreSettings = defaultSettings;
	/** The cursor of the text field being edited (one at a time), in characters. */
	textCursor = 0;
	/** The field shows a value to change: the first character typed replaces it (settings' numbers). */
	private replaceOnType = false;
	/** How far the help overlay is scrolled, when it does not fit. */
	helpScroll = 0;
	/** How far the scrolling page drawn (help, detail, log entry) can scroll: known once drawn. */
	private scrollOverflow = 0;
	message: Message | undefined;
	busy = false;
	listHeight = 10;
	private version = 0;
	private listeners = new Set<() => void>();
	private followTimer: NodeJS.Timeout | undefined;
	private changeTimer: NodeJS.Timeout | undefined;
	private seenChangeMark: string | undefined;
	private followingChanges = false;
	private loadingMoreLogs = false;
	/** Counts first pages of the access log asked for, so a page that arrives after a newer one is dropped. */
	private logsLoads = 0;
	/** Keys pressed while the list's index was still loading at startup, replayed once it is in. */
	private keysBeforeIndex: string[] | undefined;
	/** Whether the ordered ids are in; until then the rows are the first page start() loaded. */
	private indexIn = false;

	constructor(private readonly options: ConsoleOptions) {
		this.catalog = catalogFor(options.backend.profile);
	}

	get backend(): Backend {
		return this.options.backend;
	}

	get readOnly(): boolean {
		return this.options.readOnly;
	}

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	snapshot = (): number => this.version;

	private changed(): void {
		this.version++;
		for (const listener of this.listeners) listener();
	}

	/** Why a command cannot run now, or undefined when it can. */
	disabledReason(command: Command): string | undefined {
		if (this.readOnly && mutates(command)) return "read-only (started with --readonly)";
		const caps = this.backend.capabilities;
		const needs: Partial<Record<Command, keyof typeof caps>> = {
			edit: "update",
			"toggle-enabled": "enable",
			roll: "roll",
			convert: "convert",
			"logs-for-key": "accessLogs",
			"logs-all": "accessLogs",
		};
		const capability = needs[command] && caps[needs[command]];
		if (capability && !capability.available) return capability.reason;
		const key = this.selectedKey();
		if (key && !hasKnownId(key) && keyCommands.has(command)) return "the server listed this key without an id: change or delete it in ProGet's web UI";
		return undefined;
	}

	/**
	 * A command the footer leaves out for now, as its key means another thing at this moment: on
	 * the new key's screen Enter asks whether the key was saved, and after that only Y leaves.
	 */
	notNow(command: Command): boolean {
		if (command === "leave-secret") return this.secret?.askedToLeave === true;
		if (command === "saved-secret") return this.secret?.askedToLeave !== true;
		return false;
	}

	selectedKey(): KeyRecord | undefined {
		if (this.screen === "detail") return this.detail?.record;
		const id = this.list.ids[this.list.selected];
		return this.list.rows.find((r) => r.id === id);
	}

	/**
	 * Loads what the first frame shows and resolves; the list's index follows. A local store
	 * answers the first page and the count from its indexes in a millisecond, while the ordered
	 * ids of 100,000 keys take tens: the frame need not wait for them. A remote instance sends the
	 * whole list either way, so it loads the index at once.
	 */
	start(): Promise<void> {
		this.watchChanges();
		if (this.backend.kind !== "local") {
			return this.run(async () => {
				this.settings = await this.backend.getSettings().catch(() => defaultSettings);
				await this.reloadIds();
			});
		}
		this.keysBeforeIndex = [];
		return this.run(async () => {
			this.settings = await this.backend.getSettings().catch(() => defaultSettings);
			const page = await this.backend.queryKeys({ sort: this.list.sort, offset: 0, limit: this.listHeight });
			this.list.rows = page.rows;
			this.list.total = page.total;
			this.list.loaded = true;
		}).then(() => {
			// After the current turn, in which the console draws its first frame.
			setImmediate(() => void this.loadIndex());
		});
	}

	/** Polls the backend's change mark, where it has one, and reloads the list when it moved. */
	private watchChanges(): void {
		if (!this.backend.changeMark || this.changeTimer) return;
		this.seenChangeMark = this.changeMarkNow();
		this.changeTimer = setInterval(() => void this.followChanges(), changePollMs);
		this.changeTimer.unref();
	}

	private changeMarkNow(): string | undefined {
		try {
			return this.backend.changeMark?.();
		} catch {
			return undefined;
		}
	}

	private async followChanges(): Promise<void> {
		if (this.busy || this.followingChanges) return;
		this.followingChanges = true;
		try {
			if (this.backend.changeMark?.() === this.seenChangeMark) return;
			await this.reloadIds();
			if (this.screen === "detail" && this.detail) await this.loadDetail(this.detail.id);
		} catch (error) {
			const before = this.message?.text;
			this.fail(error);
			if (this.message?.text !== before) this.changed();
			return;
		} finally {
			this.followingChanges = false;
		}
		this.changed();
	}

	/**
	 * Without the busy spinner: the list is already on screen and usable, and each spinner frame
	 * is a full render (two of them before a key pressed meanwhile was answered).
	 */
	private async loadIndex(): Promise<void> {
		try {
			await this.reloadIds();
		} catch (error) {
			this.fail(error);
			this.changed();
		}
		const pressed = this.keysBeforeIndex ?? [];
		this.keysBeforeIndex = undefined;
		for (const name of pressed) this.press(name);
	}

	setListHeight(height: number): void {
		if (height === this.listHeight) return;
		this.listHeight = Math.max(1, height);
		this.placeWindow();
		// A message that takes or gives back a row changes the height: with a remote instance down,
		// this read fails too, and is said on the message line like any other.
		void this.loadRows().catch((e: unknown) => {
			this.fail(e);
			this.changed();
		});
	}

	/** Runs a store operation with the busy flag, turning any failure into the message line. */
	private async run(operation: () => Promise<void>): Promise<void> {
		this.busy = true;
		this.changed();
		try {
			await operation();
		} catch (error) {
			this.fail(error);
		} finally {
			this.busy = false;
			this.changed();
		}
	}

	private fail(error: unknown): void {
		const text =
			error instanceof RuleError
				? error.errors.map((e) => `${e.field}: ${e.message}`).join("; ")
				: error instanceof AppError
					? `${error.message}${error.kind === "unavailable" ? " (Ctrl-R retries)" : ""}`
					: `unexpected error: ${(error as Error).message}`;
		this.message = { text, kind: "error" };
	}

	private info(text: string): void {
		this.message = { text, kind: "info" };
	}

	private async reloadIds(): Promise<void> {
		const keepId = this.list.ids[this.list.selected];
		// Read first: what commits after it is still seen, and the console's own changes, already
		// reloaded here, are not reloaded again by the next look for changes made elsewhere.
		const mark = this.changeMarkNow();
		const ids = await this.backend.keyIds({ filter: this.list.filter, sort: this.list.sort });
		this.seenChangeMark = mark;
		this.list.ids = ids;
		this.indexIn = true;
		this.list.total = ids.length;
		const index = keepId === undefined ? -1 : ids.indexOf(keepId);
		this.list.selected = clampIndex(index >= 0 ? index : this.list.selected, ids.length);
		for (const id of this.list.marked) if (!ids.includes(id)) this.list.marked.delete(id);
		this.list.loaded = true;
		this.placeWindow();
		await this.loadRows();
	}

	private placeWindow(): void {
		this.list.start = windowStart(this.list.selected, this.list.ids.length, this.listHeight, this.list.start);
	}

	private async loadRows(): Promise<void> {
		if (!this.indexIn) return;
		const ids = this.list.ids.slice(this.list.start, this.list.start + this.listHeight);
		const rows = await this.backend.keysByIds(ids);
		this.list.rows = rows;
		this.changed();
	}

	private moveSelection(to: number): void {
		const before = this.list.start;
		this.list.selected = clampIndex(to, this.list.ids.length);
		this.placeWindow();
		if (this.list.start !== before) void this.loadRows().catch((e: unknown) => this.fail(e));
	}

	private goTo(screen: Screen): void {
		this.under.push(this.screen);
		this.screen = screen;
	}

	private back(): void {
		this.stopFollowing();
		this.screen = this.under.pop() ?? "list";
	}

	/** The lines beyond the rows of the scrolling page drawn (help, a key's detail, a log entry), at the terminal's size. */
	setScrollOverflow(lines: number): void {
		this.scrollOverflow = lines;
	}

	/** A scrolling page's offset after a move key: it stops at the page's ends, so the way back starts at once. */
	private scrolled(from: number, command: Command, page: number): number {
		const by: Partial<Record<Command, number>> = { down: 1, up: -1, "page-down": page, "page-up": -page };
		const to = command === "top" ? 0 : command === "bottom" ? this.scrollOverflow : Math.min(from, this.scrollOverflow) + (by[command] ?? 0);
		return Math.max(0, Math.min(to, this.scrollOverflow));
	}

	/** The screen keys are read for: an access-log entry, opened over the log, has its own, as has a field being typed. */
	keyScreen(screen: Screen = this.screen): Screen {
		if (screen === this.screen && this.typingField()) return "field";
		return screen === "logs" && this.logs?.open ? "entry" : screen;
	}

	/** Whether keys go to a filter or a setting's value (the wizard's fields have hints of their own). */
	private typingField(): boolean {
		if (this.screen === "list") return this.list.editingFilter;
		if (this.screen === "logs") return this.logs?.editingFilter === true;
		return this.screen === "settings" && this.settingsScreen.editing !== undefined;
	}

	/** The screen the help overlay describes: the one under it. */
	helpOf(): Screen {
		return this.screen === "help" ? this.keyScreen(this.under.at(-1) ?? "list") : this.keyScreen();
	}

	/**
	 * One key, by name (see keys/key-names.ts). Ctrl-C quits from anywhere, even a text field; in
	 * the wizard with values typed, it asks first (a second Ctrl-C or y quits).
	 */
	press(name: string): void {
		// The help overlay opened from the wizard quits as the wizard does: it asks, back in the wizard.
		const overWizard = this.screen === "help" && this.under.at(-1) === "create";
		const quitting = name === "ctrl+c" || (overWizard && commandFor(name, "help") === "quit");
		if (quitting && (this.screen === "create" || overWizard) && this.wizard && !this.wizard.askedToQuit && this.wizardChanged()) {
			if (overWizard) this.back();
			this.wizard.askedToQuit = true;
			this.changed();
			return;
		}
		if (name === "ctrl+c" || (name === "y" && this.screen === "create" && this.wizard?.askedToQuit)) {
			this.stopFollowing();
			this.options.quit();
			return;
		}
		if (this.keysBeforeIndex) {
			this.keysBeforeIndex.push(name);
			return;
		}
		// A message answers the last key; the next one replaces it.
		this.message = undefined;
		if (this.list.editingFilter && this.screen === "list") this.typeListFilter(name);
		else if (this.logs?.editingFilter && this.screen === "logs") this.typeLogsFilter(name);
		else if (this.screen === "create") this.wizardKey(name);
		else if (this.screen === "settings" && this.settingsScreen.editing !== undefined) this.typeSetting(name);
		else if (this.screen === "secret") this.secretKey(name);
		else {
			const command = commandFor(name, this.keyScreen());
			if (command) this.runCommand(command);
		}
		this.changed();
	}

	private runCommand(command: Command): void {
		const reason = this.disabledReason(command);
		if (reason) {
			this.message = { text: `${command.replace(/-/g, " ")}: ${reason}`, kind: "error" };
			return;
		}
		switch (command) {
			case "quit":
				this.stopFollowing();
				this.options.quit();
				return;
			case "help":
				this.helpScroll = 0;
				this.goTo("help");
				return;
			case "back":
				if (this.screen === "logs" && this.logs?.open) this.logs.open = undefined;
				else this.back();
				return;
			case "down":
			case "up":
			case "page-down":
			case "page-up":
			case "top":
			case "bottom":
				this.move(command);
				return;
			case "open":
				this.open();
				return;
			case "filter":
				if (this.screen === "list") {
					this.list.editingFilter = true;
					this.focusText(this.list.filter);
				} else if (this.logs) {
					this.logs.editingFilter = true;
					this.focusText(this.logs.filterText);
				}
				return;
			case "sort": {
				const next = sortOrder[(sortOrder.indexOf(this.list.sort.column) + 1) % sortOrder.length] as KeySortColumn;
				this.list.sort = { column: next, descending: false };
				void this.run(() => this.reloadIds());
				return;
			}
			case "reverse":
				this.list.sort = { ...this.list.sort, descending: !this.list.sort.descending };
				void this.run(() => this.reloadIds());
				return;
			case "mark": {
				const id = this.list.ids[this.list.selected];
				if (id === undefined) return;
				if (this.list.marked.has(id)) this.list.marked.delete(id);
				else this.list.marked.add(id);
				this.moveSelection(this.list.selected + 1);
				return;
			}
			case "delete":
				this.askDelete();
				return;
			case "confirm-yes":
				this.confirmed();
				return;
			case "confirm-no": {
				const action = this.confirm?.action;
				this.confirm = undefined;
				this.back();
				this.info(action === "delete" ? "nothing was deleted" : "nothing was changed");
				return;
			}
			case "toggle-enabled":
				this.toggleEnabled();
				return;
			case "roll":
				this.askRoll();
				return;
			case "convert":
				this.askConvert();
				return;
			case "create":
				this.startWizard();
				return;
			case "edit":
				this.startEdit();
				return;
			case "settings":
				this.settingsScreen = { selected: 0, editing: undefined };
				this.goTo("settings");
				void this.run(async () => {
					this.settings = await this.backend.getSettings();
				});
				return;
			case "change-setting":
				this.changeSetting();
				return;
			case "logs-for-key": {
				const key = this.selectedKey();
				if (key) this.openLogs(key.id);
				return;
			}
			case "logs-all":
				this.openLogs(undefined);
				return;
			case "follow":
				this.toggleFollow();
				return;
			case "refresh":
				void this.refresh();
				return;
		}
	}

	async refresh(): Promise<void> {
		await this.run(async () => {
			await this.reloadIds();
			if (this.screen === "detail" && this.detail) await this.loadDetail(this.detail.id);
			if (this.logs) await this.loadLogs(false);
		});
	}

	private move(command: Command): void {
		const page = Math.max(1, this.listHeight - 1);
		const step: Partial<Record<Command, number>> = { down: 1, up: -1, "page-down": page, "page-up": -page };
		if (this.screen === "list") {
			const to =
				command === "top" ? 0 : command === "bottom" ? this.list.ids.length - 1 : this.list.selected + (step[command] ?? 0);
			this.moveSelection(to);
		} else if (this.screen === "logs" && this.logs) {
			const logs = this.logs;
			if (logs.open) {
				logs.openScroll = this.scrolled(logs.openScroll, command, page);
				return;
			}
			const last = logs.entries.length - 1;
			const from = logs.selected + logs.pendingMove;
			// The oldest entry may be pages away: reading on until the log ends gets there.
			const oldest = logs.nextBefore !== undefined ? Number.POSITIVE_INFINITY : last;
			const target = command === "top" ? 0 : command === "bottom" ? oldest : from + (step[command] ?? 0);
			// Moves past what is loaded wait for the next page instead of being lost.
			logs.pendingMove = logs.nextBefore !== undefined ? Math.max(0, target - last) : 0;
			this.placeLogSelection(target);
			if (logs.selected >= last - 2 && logs.nextBefore !== undefined && !this.loadingMoreLogs) {
				this.loadingMoreLogs = true;
				void this.run(() => this.loadLogs(true)).finally(() => {
					this.loadingMoreLogs = false;
				});
			}
		} else if (this.screen === "settings") {
			const count = settingSpecs.length;
			const to = command === "top" ? 0 : command === "bottom" ? count - 1 : this.settingsScreen.selected + Math.sign(step[command] ?? 0);
			this.settingsScreen.selected = clampIndex(to, count);
		} else if (this.screen === "detail" && this.detail) {
			this.detail.scroll = this.scrolled(this.detail.scroll, command, page);
		} else if (this.screen === "help") this.helpScroll = this.scrolled(this.helpScroll, command, page);
	}

	private open(): void {
		if (this.screen === "list") {
			const key = this.selectedKey();
			if (!key) return;
			this.goTo("detail");
			this.detail = { id: key.id, record: key, audit: [], logs: [], read: false, scroll: 0 };
			void this.run(() => this.loadDetail(key.id));
		} else if (this.screen === "logs" && this.logs) {
			this.logs.open = this.logs.entries[this.logs.selected];
			this.logs.openScroll = 0;
		}
	}

	private async loadDetail(id: number): Promise<void> {
		const record = await this.backend.getKey(id);
		const audit = this.backend.capabilities.audit.available ? await this.backend.auditTrail(id, 20) : [];
		const logs = this.backend.capabilities.accessLogs.available
			? (await this.backend.queryAccessLog({ keyId: id }, { limit: 10 })).entries
			: [];
		if (this.detail?.id === id) this.detail = { ...this.detail, record, audit, logs, read: true };
		if (!record) this.message = { text: `key ${id} no longer exists`, kind: "error" };
	}

	private ask(action: ConfirmAction, prompt: string, ids: number[]): void {
		this.confirm = { action, prompt, ids };
		this.goTo("confirm");
	}

	private askDelete(): void {
		const ids = this.list.marked.size > 0 && this.screen === "list" ? [...this.list.marked].sort((a, b) => a - b) : [this.selectedKey()?.id].filter((id): id is number => id !== undefined);
		if (ids.length === 0) return;
		const key = this.selectedKey();
		if (ids.length === 1 && key && key.id === ids[0]) {
			this.ask("delete", `Delete ${keyTitle(key)}? Whatever uses it stops working.${this.ownKeyWarning(ids)}`, ids);
			return;
		}
		// The marked keys by name (the first few): a count alone does not say which keys go.
		const named = ids.slice(0, ids.length > 4 ? 3 : 4);
		void this.run(async () => {
			const records = await this.backend.keysByIds(named);
			const titles = records.map(keyTitle);
			const more = ids.length - titles.length;
			const list = more > 0 ? `${titles.join(", ")} and ${more} more` : titles.join(" and ").replace(/ and (?=.* and )/g, ", ");
			const prompt =
				ids.length === 1
					? `Delete ${list || `key ${ids[0]}`}? Whatever uses it stops working.${this.ownKeyWarning(ids)}`
					: `Delete ${ids.length} marked keys: ${list}? Whatever uses them stops working.${this.ownKeyWarning(ids)}`;
			this.ask("delete", prompt, ids);
		});
	}

	/** The warning for a question that would cut this console off its own instance, or "". */
	private ownKeyWarning(ids: readonly number[]): string {
		const own = this.backend.ownKeyId?.();
		if (own === undefined || !ids.includes(own)) return "";
		return ` Key ${own} is the key this console signs in with: the console loses access to ${safeLine(this.backend.location)}.`;
	}

	private askRoll(): void {
		const key = this.selectedKey();
		if (!key) return;
		this.ask("roll", `Roll ${keyTitle(key)}? It gets a new secret; whatever uses the old one stops working.`, [key.id]);
	}

	private askConvert(): void {
		const key = this.selectedKey();
		if (!key) return;
		if (key.type !== "other") {
			this.message = { text: "convert: only legacy (pre-2024) keys can be converted", kind: "error" };
			return;
		}
		this.ask("convert", `Convert ${keyTitle(key)} into its 2024 equivalent? It is rewritten in place, same secret.`, [key.id]);
	}

	/** Yes to the question on screen: back to where it was asked, then the change. */
	private confirmed(): void {
		const confirm = this.confirm;
		this.confirm = undefined;
		this.back();
		if (!confirm) return;
		const [id] = confirm.ids;
		if (confirm.action === "delete") {
			if (this.screen === "detail") this.back();
			this.deleteKeys(confirm.ids);
		} else if (id !== undefined && confirm.action === "roll") this.roll(id);
		else if (id !== undefined && confirm.action === "disable") this.setEnabled(id, false);
		else if (id !== undefined) this.convert(id);
	}

	private deleteKeys(ids: number[]): void {
		void this.run(async () => {
			let deleted = 0;
			for (const id of ids) {
				await this.backend.deleteKey(id, this.options.actor);
				deleted++;
				this.list.marked.delete(id);
			}
			this.info(deleted === 1 ? `deleted key ${ids[0]}` : `deleted ${deleted} keys`);
			await this.reloadIds();
		});
	}

	private toggleEnabled(): void {
		const key = this.selectedKey();
		if (!key) return;
		// Disabling is one keystroke, as enabling again is; but not for the key this console uses.
		const warning = key.enabled ? this.ownKeyWarning([key.id]) : "";
		if (warning) this.ask("disable", `Disable ${keyTitle(key)}?${warning}`, [key.id]);
		else this.setEnabled(key.id, !key.enabled);
	}

	private setEnabled(id: number, enabled: boolean): void {
		void this.run(async () => {
			const updated = await this.backend.setEnabled(id, enabled, this.options.actor);
			this.info(`key ${id} ${updated.enabled ? "enabled" : "disabled"}`);
			await this.reloadIds();
			if (this.detail?.id === id) await this.loadDetail(id);
		});
	}

	private roll(id: number): void {
		void this.run(async () => {
			const rolled = await this.backend.rollKey(id, this.options.actor);
			this.showSecret(`New secret for key ${id}: the old one no longer works`, rolled.key);
			await this.reloadIds();
		});
	}

	private convert(id: number): void {
		void this.run(async () => {
			const converted = await this.backend.convertLegacyKey(id, this.options.actor);
			this.info(`key ${id} is now ${withArticle(converted.type)} key, with the same secret`);
			await this.reloadIds();
			if (this.detail?.id === id) await this.loadDetail(id);
		});
	}

	private showSecret(title: string, key: string): void {
		this.secret = { title, key, copied: undefined, askedToLeave: false };
		this.under = ["list"];
		this.screen = "secret";
	}

	private secretKey(name: string): void {
		const secret = this.secret;
		if (!secret) return;
		const command = commandFor(name, "secret");
		if (command === "copy") secret.copied = this.options.copy(secret.key);
		else if (command === "leave-secret") secret.askedToLeave = true;
		else if (command === "saved-secret" && secret.askedToLeave) {
			this.secret = undefined;
			this.screen = "list";
			this.under = [];
			this.info("the key is no longer shown anywhere");
		} else secret.askedToLeave = false;
	}

	/** A text field takes the keys: its cursor starts after its text. */
	private focusText(text: string, replaceOnType = false): void {
		this.textCursor = [...text].length;
		this.replaceOnType = replaceOnType;
	}

	/** `text` after an editing key, through the one line editor every field uses; undefined for other keys. */
	private editField(text: string, name: string, maxLength?: number): string | undefined {
		const edited = editText({ text, cursor: this.textCursor, replace: this.replaceOnType }, name, maxLength);
		if (!edited) return undefined;
		this.textCursor = edited.cursor;
		this.replaceOnType = false;
		return edited.text;
	}

	private typeListFilter(name: string): void {
		if (name === "enter") this.list.editingFilter = false;
		else if (name === "esc") {
			this.list.editingFilter = false;
			this.list.filter = "";
		} else {
			const edited = this.editField(this.list.filter, name);
			if (edited === undefined || edited === this.list.filter) return;
			this.list.filter = edited;
		}
		void this.run(() => this.reloadIds());
	}

	private openLogs(keyId: number | undefined): void {
		this.goTo("logs");
		this.logs = {
			keyId,
			entries: [],
			nextBefore: undefined,
			selected: 0,
			start: 0,
			filterText: "",
			editingFilter: false,
			follow: false,
			pendingMove: 0,
			open: undefined,
			openScroll: 0,
			loaded: false,
		};
		void this.run(() => this.loadLogs(false));
	}

	/** The log filter typed as words: `status:4xx method:post path:/api since:24h key:1001`; a bare word is anywhere in the path. */
	logFilter(): ReturnType<typeof parseLogFilter> {
		const text: LogFilterText = {};
		if (this.logs?.keyId !== undefined) text.key = String(this.logs.keyId);
		for (const word of (this.logs?.filterText ?? "").split(/\s+/).filter(Boolean)) {
			const colon = word.indexOf(":");
			const field = colon > 0 ? word.slice(0, colon).toLowerCase() : "contains";
			const value = colon > 0 ? word.slice(colon + 1) : word;
			if (["key", "status", "method", "path", "contains", "since", "until"].includes(field)) text[field as keyof LogFilterText] = value;
			else return { ok: false, field: "path", error: `unknown filter "${field}": use key, status, method, path, since, until` };
		}
		return parseLogFilter(text, new Date());
	}

	/** Rows of entries the access-log screen shows: one line fewer than the key list (its position line). */
	logRows(): number {
		return Math.max(1, this.listHeight - 1);
	}

	private placeLogSelection(target: number): void {
		const logs = this.logs;
		if (!logs) return;
		logs.selected = clampIndex(target, logs.entries.length);
		logs.start = windowStart(logs.selected, logs.entries.length, this.logRows(), logs.start);
	}

	private async loadLogs(more: boolean): Promise<void> {
		const logs = this.logs;
		if (!logs) return;
		const filter = this.logFilter();
		if (!filter.ok) {
			this.message = { text: `${filter.field}: ${filter.error}`, kind: "error" };
			return;
		}
		if (!more) this.logsLoads++;
		const load = this.logsLoads;
		const before = more ? logs.nextBefore : undefined;
		const page = await this.backend.queryAccessLog(filter.filter, {
			// Reading on to the oldest entry (G) goes a thousand at a time, the most a page may hold.
			limit: logs.pendingMove === Number.POSITIVE_INFINITY ? 1000 : Math.max(50, this.listHeight * 2),
			...(before !== undefined ? { before } : {}),
		});
		// A first page loaded since (another filter, a follow refresh) replaces whatever this was for,
		// and of two next pages asked for at once (reading on, and scrolling) only the first is kept.
		if (this.logs !== logs || load !== this.logsLoads || (more && logs.nextBefore !== before)) return;
		// Appended in place: copying the whole list for every page would grow with each page read.
		if (more) logs.entries.push(...page.entries);
		else logs.entries = page.entries;
		logs.loaded = true;
		// Set before any further page is asked for, which starts from it.
		logs.nextBefore = page.nextBefore;
		if (more && logs.pendingMove > 0) {
			const target = logs.selected + logs.pendingMove;
			logs.pendingMove = 0;
			this.placeLogSelection(target);
			if (logs.selected >= logs.entries.length - 3 && logs.nextBefore !== undefined) {
				logs.pendingMove = Math.max(0, target - (logs.entries.length - 1));
				await this.loadLogs(true);
			}
		}
		if (!more) {
			logs.selected = clampIndex(logs.selected, logs.entries.length);
			logs.start = windowStart(logs.selected, logs.entries.length, this.logRows(), logs.start);
		}
		// A filter no index serves (a path, a method, 2xx) is answered a window of entries at a
		// time, maybe with none in it: read on until the screen is full or the log ends.
		if (logs.entries.length < this.logRows() && logs.nextBefore !== undefined) await this.loadLogs(true);
	}

	private typeLogsFilter(name: string): void {
		const logs = this.logs;
		if (!logs) return;
		if (name === "enter") {
			// A filter that does not parse stays open to be mended, rather than shown over entries it did not select.
			const filter = this.logFilter();
			if (!filter.ok) {
				this.message = { text: `${filter.field}: ${filter.error}`, kind: "error" };
				return;
			}
			logs.editingFilter = false;
		} else if (name === "esc") {
			logs.editingFilter = false;
			logs.filterText = "";
		} else {
			const edited = this.editField(logs.filterText, name);
			if (edited === undefined || edited === logs.filterText) return;
			logs.filterText = edited;
		}
		// As you type, as the key list's filter does; a word still being typed ("status:4") that
		// does not parse yet keeps the entries of the last one that did, without an error.
		if (name === "enter" || name === "esc" || this.logFilter().ok) void this.run(() => this.loadLogs(false));
	}

	private toggleFollow(): void {
		const logs = this.logs;
		if (!logs) return;
		logs.follow = !logs.follow;
		if (logs.follow) {
			this.followTimer = setInterval(() => {
				if (this.screen !== "logs" || !this.logs) return this.stopFollowing();
				void this.loadLogs(false)
					.then(() => this.changed())
					.catch((e: unknown) => {
						this.fail(e);
						this.changed();
					});
			}, 1000);
		} else this.stopFollowing();
	}

	private stopFollowing(): void {
		if (this.followTimer) clearInterval(this.followTimer);
		this.followTimer = undefined;
		if (this.logs) this.logs.follow = false;
	}

	/* The settings screen. */

	private changeSetting(): void {
		const spec = settingSpecs[this.settingsScreen.selected];
		if (!spec) return;
		const current = this.settings[spec.name];
		if (spec.kind === "boolean") this.saveSetting(spec.name, !current);
		else {
			this.settingsScreen.editing = current === null ? "" : String(current);
			this.focusText(this.settingsScreen.editing, true);
		}
	}

	private typeSetting(name: string): void {
		const screen = this.settingsScreen;
		const spec = settingSpecs[screen.selected];
		if (screen.editing === undefined || !spec) return;
		if (name === "esc") screen.editing = undefined;
		else if (name === "enter") {
			const text = screen.editing.trim() === "" ? "none" : screen.editing;
			// A value the setting refuses stays open to be mended, as a log filter does.
			const parsed = parseSettingValue(spec, text);
			if (!parsed.ok) {
				this.message = { text: parsed.error, kind: "error" };
				return;
			}
			screen.editing = undefined;
			// Enter on the value as it was changes nothing, and says so rather than "is now".
			if (parsed.value === this.settings[spec.name]) this.info(`${spec.cliName} stays ${formatSettingValue(parsed.value)}: nothing changed`);
			else this.saveSetting(spec.name, text);
		} else screen.editing = this.editField(screen.editing, name, 20) ?? screen.editing;
	}

	private saveSetting(name: SettingName, value: unknown): void {
		void this.run(async () => {
			this.settings = await this.backend.updateSettings({ [name]: value }, this.options.actor);
			this.info(`${settingSpecs.find((s) => s.name === name)?.cliName} is now ${formatSettingValue(this.settings[name])}`);
		});
	}

	/* The create wizard. */

	wizardSteps(): Step[] {
		return this.wizard ? wizardSteps(this.catalog, this.wizard.values, this.settings, this.wizard.mode) : [];
	}

	/** How many steps the wizard has; on the type step, as many as the highlighted type will have. */
	wizardStepCount(): number {
		const wizard = this.wizard;
		const step = this.wizardSteps()[wizard?.step ?? 0];
		if (!wizard || step?.id !== "type") return this.wizardSteps().length;
		const highlighted = step.choices?.[wizard.cursor]?.value as KeyType | undefined;
		return wizardSteps(this.catalog, { ...wizard.values, type: highlighted ?? wizard.values.type }, this.settings, wizard.mode).length;
	}

	private startWizard(): void {
		const values = emptyValues(this.catalog);
		this.wizard = { mode: "create", editId: undefined, originalExpiration: "", values, initial: structuredClone(values), askedToQuit: false, revealed: false, jumpedFrom: undefined, step: 0, cursor: 0, problem: undefined };
		this.enterStep(0);
		this.goTo("create");
	}

	private startEdit(): void {
		const key = this.selectedKey();
		if (!key) return;
		const values = valuesFromKey(this.catalog, key);
		this.wizard = { mode: "edit", editId: key.id, originalExpiration: values.expiration, values, initial: structuredClone(values), askedToQuit: false, revealed: false, jumpedFrom: undefined, step: 0, cursor: 0, problem: undefined };
		// Editing opens on the review, a picker of the key's fields: change one and come back.
		this.enterStep(this.wizardSteps().length - 1);
		this.wizard.cursor = 0;
		this.goTo("create");
	}

	/** Puts the wizard on step `index`: its choice highlighted, or its text field's cursor after the text. */
	private enterStep(index: number): void {
		const wizard = this.wizard;
		const step = this.wizardSteps()[index];
		if (!wizard || !step) return;
		wizard.step = index;
		wizard.cursor = this.cursorFor(step);
		wizard.problem = undefined;
		// A kept date is shown for change, as a setting's value is: the first key typed replaces it
		// (an arrow or Home/End keeps it); names and descriptions are amended where they end.
		const text = step.kind === "text" || step.kind === "secret" ? wizard.values[step.id as TextFieldName] : undefined;
		if (text !== undefined) this.focusText(text, step.id === "expiration" && text !== "");
	}

	/** Whether anything was typed or chosen in the wizard since it opened. */
	wizardChanged(): boolean {
		const wizard = this.wizard;
		return wizard !== undefined && JSON.stringify(wizard.values) !== JSON.stringify(wizard.initial);
	}

	private wizardKey(name: string): void {
		const wizard = this.wizard;
		if (!wizard) return;
		if (wizard.askedToQuit) {
			// Any key but y (handled in press) is "no": back to the wizard, the key otherwise unused.
			wizard.askedToQuit = false;
			this.info("nothing was lost: still in the wizard");
			return;
		}
		const steps = this.wizardSteps();
		const step = steps[wizard.step];
		if (!step) return;
		const command = commandFor(name, "create");
		const typing = step.kind === "text" || step.kind === "secret";
		if (command === "help" && !typing) {
			this.helpScroll = 0;
			this.goTo("help");
			return;
		}
		if (command === "back" && wizard.jumpedFrom !== undefined) {
			this.returnToReview();
			return;
		}
		if (command === "back") {
			if (wizard.step === 0 || (wizard.mode === "edit" && step.kind === "review")) {
				this.back();
				this.info(wizard.mode === "edit" ? "nothing was changed" : "nothing was created");
			} else this.enterStep(wizard.step - 1);
			return;
		}
		if (step.kind === "choice" || step.kind === "multi") {
			const count = step.choices?.length ?? 0;
			if (command === "down" || command === "up" || command === "top" || command === "bottom") wizard.cursor = stepCursor(command, wizard.cursor, count);
			else if (command === "choose" && step.kind === "multi") this.toggleMulti(step, wizard);
			else if (command === "next") {
				if (step.kind === "choice") this.setChoice(step, wizard);
				this.nextStep();
			}
		} else if (typing) {
			const field = step.id as TextFieldName;
			if (command === "next") this.nextStep();
			else if (command === "reveal" && step.kind === "secret") wizard.revealed = !wizard.revealed;
			else {
				const edited = this.editField(wizard.values[field], name);
				if (edited === undefined) return;
				wizard.values[field] = edited;
				wizard.problem = stepProblem(step, wizard.values, this.settings, new Date());
			}
		} else if (step.kind === "review") this.reviewKey(command);
	}

	/** The review's rows: the fields, each opening its step, then the action (create or save). */
	reviewRows(): ReviewRow[] {
		const wizard = this.wizard;
		return wizard ? reviewRows(this.wizardSteps(), wizard.values, wizard.initial, new Date()) : [];
	}

	private reviewKey(command: Command | undefined): void {
		const wizard = this.wizard;
		if (!wizard) return;
		const rows = this.reviewRows();
		if (command === "down" || command === "up" || command === "top" || command === "bottom") wizard.cursor = stepCursor(command, wizard.cursor, rows.length + 1);
		if (command !== "next") return;
		const row = rows[wizard.cursor];
		if (!row) {
			this.createFromWizard();
			return;
		}
		this.enterStep(this.wizardSteps().findIndex((s) => s.id === row.stepId));
		wizard.jumpedFrom = row.stepId;
	}

	/** Back on the review after a field it jumped to, on that field's row. */
	private returnToReview(): void {
		const wizard = this.wizard;
		if (!wizard) return;
		const from = wizard.jumpedFrom;
		wizard.jumpedFrom = undefined;
		this.enterStep(this.wizardSteps().length - 1);
		wizard.cursor = Math.max(0, this.reviewRows().findIndex((row) => row.stepId === from));
		wizard.problem = this.reviewProblem();
	}

	private cursorFor(step: Step): number {
		const wizard = this.wizard;
		// The review opens on its action (create or save), below the fields.
		if (wizard && step.kind === "review") return this.reviewRows().length;
		if (!wizard || !step.choices) return 0;
		const current = chosenValue(step.id, wizard.values);
		return Math.max(0, step.choices.findIndex((c) => c.value === current));
	}

	private setChoice(step: Step, wizard: WizardState): void {
		const value = step.choices?.[wizard.cursor]?.value;
		if (value === undefined) return;
		const values = wizard.values;
		if (step.id === "type") values.type = value as WizardValues["type"];
		if (step.id === "feedScope") values.feedScope = value as WizardValues["feedScope"];
		if (step.id === "logging") values.logging = value as WizardValues["logging"];
		if (step.id === "keySource") values.keySource = value as WizardValues["keySource"];
		if (step.id === "expirationPreset") {
			if (value !== "custom") values.expiration = value;
			else if (["30d", "90d", "1y", "never"].includes(values.expiration)) values.expiration = "";
		}
	}

	private toggleMulti(step: Step, wizard: WizardState): void {
		const value = step.choices?.[wizard.cursor]?.value;
		if (value === undefined) return;
		const field = step.id === "systemApis" ? "systemApis" : "packagePermissions";
		const chosen = new Set(wizard.values[field]);
		if (chosen.has(value)) chosen.delete(value);
		else {
			chosen.add(value);
			// Full control stands alone: choosing it clears the others, choosing another clears it.
			const full = this.catalog.systemApis.fullControl.value;
			if (field === "systemApis" && value === full) for (const other of [...chosen]) if (other !== full) chosen.delete(other);
			if (field === "systemApis" && value !== full) chosen.delete(full);
		}
		const order = (step.choices ?? []).map((c) => c.value);
		wizard.values[field] = [...chosen].sort((a, b) => order.indexOf(a) - order.indexOf(b));
		wizard.problem = undefined;
	}

	private nextStep(): void {
		const wizard = this.wizard;
		if (!wizard) return;
		const steps = this.wizardSteps();
		const step = steps[wizard.step];
		if (!step) return;
		const problem = stepProblem(step, wizard.values, this.settings, new Date());
		if (problem) {
			wizard.problem = problem;
			return;
		}
		const nextSteps = this.wizardSteps();
		const nextIndex = Math.min(nextSteps.findIndex((s) => s.id === step.id) + 1, nextSteps.length - 1);
		// From the review, a field goes back to it, unless its answer opened a step of its own (a
		// feed's name after "one feed", a date after "a date…", the custom key after "type one").
		if (wizard.jumpedFrom !== undefined && nextSteps[nextIndex]?.id !== opensStep[step.id]) {
			this.returnToReview();
			return;
		}
		this.enterStep(nextIndex);
		wizard.problem = nextSteps[nextIndex]?.kind === "review" ? this.reviewProblem() : undefined;
	}

	/** The rules' verdict on the whole draft, shown on the review step. */
	reviewProblem(): string | undefined {
		const wizard = this.wizard;
		if (!wizard || wizard.mode === "edit") return undefined;
		const result = draftFromInput(wizardInput(wizard.values), { catalog: this.catalog, settings: this.settings, now: new Date() }, "create");
		return result.ok ? undefined : result.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
	}

	private createFromWizard(): void {
		const wizard = this.wizard;
		if (!wizard) return;
		const problem = this.reviewProblem();
		if (problem) {
			wizard.problem = problem;
			return;
		}
		const values = wizard.values;
		if (wizard.mode === "edit" && wizard.editId !== undefined) {
			const id = wizard.editId;
			const changed = this.reviewRows().filter((row) => row.changed).map((row) => row.label);
			if (changed.length === 0) {
				this.wizard = undefined;
				this.back();
				this.info("nothing was changed");
				return;
			}
			const { type: _type, ...patch } = wizardInput(values);
			if (values.expiration === wizard.originalExpiration) delete patch.expiration;
			void this.run(async () => {
				await this.backend.updateKey(id, patch, this.options.actor);
				this.wizard = undefined;
				this.back();
				this.info(`key ${id} updated: ${changed.join(", ")}`);
				await this.reloadIds();
				if (this.detail?.id === id) await this.loadDetail(id);
			});
			return;
		}
		void this.run(async () => {
			const created = await this.backend.createKey(
				wizardInput(values),
				values.keySource === "custom" ? { key: values.customKey, actor: this.options.actor } : { actor: this.options.actor },
			);
			this.wizard = undefined;
			this.list.filter = "";
			await this.reloadIds();
			const index = this.list.ids.indexOf(created.record.id);
			if (index >= 0) this.moveSelection(index);
			this.showSecret(`Key ${created.record.id} created. This is the only time it is shown:`, created.key);
		});
	}

	dispose(): void {
		this.stopFollowing();
		if (this.changeTimer) clearInterval(this.changeTimer);
		this.changeTimer = undefined;
	}
}
