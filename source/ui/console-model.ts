/**
 * The console's state and behaviour, outside React: every key goes through `press`, which reads
 * and changes the state synchronously (so keys that arrive together are never lost to a stale
 * render) and starts store operations whose results arrive later. React only renders snapshots.
 */
import { withArticle } from "../core/article.js";
import type { AccessLogEntry, AuditEntry, Backend, KeySortColumn } from "../core/backend.js";
import { type Catalog, catalogFor } from "../core/catalog.js";
import { AppError, RuleError } from "../core/errors.js";
import type { KeyRecord, KeyType } from "../core/model.js";
import { type LogFilterText, parseLogFilter } from "../core/log-filter.js";
import { draftFromInput } from "../core/rules.js";
import { defaultSettings, formatSettingValue, parseSettingValue, type SettingName, settingSpecs, type StoreSettings } from "../core/settings.js";
import { safeLine } from "../core/terminal-text.js";
import { type Command, commandFor, type Screen } from "./keys/bindings.js";
import { isPrintable, textOf } from "./keys/key-names.js";
import { clampIndex, windowStart } from "./list/window.js";
import {
	emptyValues,
	type Step,
	stepProblem,
	valuesFromKey,
	type WizardMode,
	type WizardValues,
	wizardInput,
	wizardSteps,
} from "./wizard.js";

/** How often the console looks for changes made elsewhere: another console, a command, the server. */
export const changePollMs = 1000;

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
}

export interface ConfirmState {
	prompt: string;
	ids: number[];
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
		const mutating: Command[] = ["create", "edit", "toggle-enabled", "roll", "delete", "convert"];
		if (this.readOnly && mutating.includes(command)) return "read-only (started with --readonly)";
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
		return undefined;
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
		void this.loadRows();
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

	/** The screen the help overlay describes: the one under it. */
	helpOf(): Screen {
		return this.screen === "help" ? (this.under.at(-1) ?? "list") : this.screen;
	}

	/** One key, by name (see keys/key-names.ts). Ctrl-C quits from anywhere, even a text field. */
	press(name: string): void {
		if (name === "ctrl+c") {
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
			const command = commandFor(name, this.screen);
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
				if (this.screen === "list") this.list.editingFilter = true;
				else if (this.logs) this.logs.editingFilter = true;
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
				this.confirmDelete();
				return;
			case "confirm-no":
				this.confirm = undefined;
				this.back();
				this.info("nothing was deleted");
				return;
			case "toggle-enabled":
				this.toggleEnabled();
				return;
			case "roll":
				this.roll();
				return;
			case "convert":
				this.convert();
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
				logs.openScroll = Math.max(0, logs.openScroll + (step[command] ?? (command === "top" ? -1e9 : 1e9)));
				return;
			}
			const last = logs.entries.length - 1;
			const from = logs.selected + logs.pendingMove;
			const target = command === "top" ? 0 : command === "bottom" ? last : from + (step[command] ?? 0);
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
			this.detail.scroll = Math.max(0, this.detail.scroll + (step[command] ?? (command === "top" ? -1e9 : 1e9)));
		}
	}

	private open(): void {
		if (this.screen === "list") {
			const key = this.selectedKey();
			if (!key) return;
			this.goTo("detail");
			this.detail = { id: key.id, record: key, audit: [], logs: [], scroll: 0 };
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
		if (this.detail?.id === id) this.detail = { ...this.detail, record, audit, logs };
		if (!record) this.message = { text: `key ${id} no longer exists`, kind: "error" };
	}

	private askDelete(): void {
		const ids = this.list.marked.size > 0 && this.screen === "list" ? [...this.list.marked] : [this.selectedKey()?.id].filter((id): id is number => id !== undefined);
		if (ids.length === 0) return;
		const key = this.selectedKey();
		const name = key && key.id === ids[0] && key.displayName ? ` (${safeLine(key.displayName)})` : "";
		const prompt =
			ids.length === 1
				? `Delete key ${ids[0]}${name}? Whatever uses it stops working.`
				: `Delete ${ids.length} marked keys? Whatever uses them stops working.`;
		this.confirm = { prompt, ids };
		this.goTo("confirm");
	}

	private confirmDelete(): void {
		const ids = this.confirm?.ids ?? [];
		this.confirm = undefined;
		this.back();
		if (this.screen === "detail") this.back();
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
		void this.run(async () => {
			const updated = await this.backend.setEnabled(key.id, !key.enabled, this.options.actor);
			this.info(`key ${key.id} ${updated.enabled ? "enabled" : "disabled"}`);
			await this.reloadIds();
			if (this.detail?.id === key.id) await this.loadDetail(key.id);
		});
	}

	private roll(): void {
		const key = this.selectedKey();
		if (!key) return;
		void this.run(async () => {
			const rolled = await this.backend.rollKey(key.id, this.options.actor);
			this.showSecret(`New secret for key ${key.id}: the old one no longer works`, rolled.key);
			await this.reloadIds();
		});
	}

	private convert(): void {
		const key = this.selectedKey();
		if (!key) return;
		if (key.type !== "other") {
			this.message = { text: "convert: only legacy (pre-2024) keys can be converted", kind: "error" };
			return;
		}
		void this.run(async () => {
			const converted = await this.backend.convertLegacyKey(key.id, this.options.actor);
			this.info(`key ${key.id} is now ${withArticle(converted.type)} key, with the same secret`);
			await this.reloadIds();
			if (this.detail?.id === key.id) await this.loadDetail(key.id);
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

	private typeListFilter(name: string): void {
		if (name === "enter") this.list.editingFilter = false;
		else if (name === "esc") {
			this.list.editingFilter = false;
			this.list.filter = "";
		} else if (name === "backspace") this.list.filter = [...this.list.filter].slice(0, -1).join("");
		else if (isPrintable(name)) this.list.filter += textOf(name);
		else return;
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
		};
		void this.run(() => this.loadLogs(false));
	}

	/** The log filter typed as words: `status:4xx method:post path:/api since:24h key:1001`. */
	logFilter(): ReturnType<typeof parseLogFilter> {
		const text: LogFilterText = {};
		if (this.logs?.keyId !== undefined) text.key = String(this.logs.keyId);
		for (const word of (this.logs?.filterText ?? "").split(/\s+/).filter(Boolean)) {
			const colon = word.indexOf(":");
			const field = colon > 0 ? word.slice(0, colon).toLowerCase() : "path";
			const value = colon > 0 ? word.slice(colon + 1) : word;
			if (["key", "status", "method", "path", "since", "until"].includes(field)) text[field as keyof LogFilterText] = value;
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
			limit: Math.max(50, this.listHeight * 2),
			...(before !== undefined ? { before } : {}),
		});
		// A first page loaded since (another filter, a follow refresh) replaces whatever this was for,
		// and of two next pages asked for at once (reading on, and scrolling) only the first is kept.
		if (this.logs !== logs || load !== this.logsLoads || (more && logs.nextBefore !== before)) return;
		// Appended in place: copying the whole list for every page would grow with each page read.
		if (more) logs.entries.push(...page.entries);
		else logs.entries = page.entries;
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
		} else if (name === "backspace") logs.filterText = [...logs.filterText].slice(0, -1).join("");
		else if (isPrintable(name)) logs.filterText += textOf(name);
		else return;
		if (name === "enter" || name === "esc") void this.run(() => this.loadLogs(false));
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
		else this.settingsScreen.editing = current === null ? "" : String(current);
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
			this.saveSetting(spec.name, text);
		} else if (name === "backspace") screen.editing = [...screen.editing].slice(0, -1).join("");
		else if (isPrintable(name) && screen.editing.length < 20) screen.editing += textOf(name);
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
		this.wizard = { mode: "create", editId: undefined, originalExpiration: "", values, step: 0, cursor: 0, problem: undefined };
		this.goTo("create");
	}

	private startEdit(): void {
		const key = this.selectedKey();
		if (!key) return;
		const values = valuesFromKey(this.catalog, key);
		this.wizard = { mode: "edit", editId: key.id, originalExpiration: values.expiration, values, step: 0, cursor: 0, problem: undefined };
		this.wizard.cursor = this.cursorFor(this.wizardSteps()[0] as Step);
		this.goTo("create");
	}

	private wizardKey(name: string): void {
		const wizard = this.wizard;
		if (!wizard) return;
		const steps = this.wizardSteps();
		const step = steps[wizard.step];
		if (!step) return;
		if (name === "esc") {
			if (wizard.step === 0) {
				this.back();
				this.info(wizard.mode === "edit" ? "nothing was changed" : "nothing was created");
			} else {
				wizard.step--;
				wizard.cursor = this.cursorFor(steps[wizard.step] as Step);
				wizard.problem = undefined;
			}
			return;
		}
		if (step.kind === "choice" || step.kind === "multi") {
			const count = step.choices?.length ?? 0;
			if (name === "down" || name === "j" || name === "tab") wizard.cursor = (wizard.cursor + 1) % count;
			else if (name === "up" || name === "k" || name === "shift+tab") wizard.cursor = (wizard.cursor - 1 + count) % count;
			else if (name === "space" && step.kind === "multi") this.toggleMulti(step, wizard);
			else if (name === "enter") {
				if (step.kind === "choice") this.setChoice(step, wizard);
				this.nextStep();
			}
		} else if (step.kind === "text" || step.kind === "secret") {
			const field = step.id as "feedName" | "user" | "displayName" | "description" | "expiration" | "customKey";
			if (name === "enter") this.nextStep();
			else if (name === "backspace") wizard.values[field] = [...wizard.values[field]].slice(0, -1).join("");
			else if (isPrintable(name)) wizard.values[field] += textOf(name);
			wizard.problem = name === "enter" ? wizard.problem : stepProblem(step, wizard.values, this.settings, new Date());
		} else if (step.kind === "review" && name === "enter") this.createFromWizard();
	}

	private cursorFor(step: Step): number {
		const wizard = this.wizard;
		if (!wizard || !step.choices) return 0;
		const current: Record<string, string | undefined> = {
			type: wizard.values.type,
			feedScope: wizard.values.feedScope,
			expirationPreset: ["30d", "90d", "1y", "never"].includes(wizard.values.expiration) ? wizard.values.expiration : "custom",
			logging: wizard.values.logging,
			keySource: wizard.values.keySource,
		};
		return Math.max(0, step.choices.findIndex((c) => c.value === current[step.id]));
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
		wizard.step = nextIndex;
		wizard.cursor = this.cursorFor(nextSteps[nextIndex] as Step);
		wizard.problem =
			nextSteps[nextIndex]?.kind === "review" ? this.reviewProblem() : undefined;
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
			const { type: _type, ...patch } = wizardInput(values);
			if (values.expiration === wizard.originalExpiration) delete patch.expiration;
			void this.run(async () => {
				await this.backend.updateKey(id, patch, this.options.actor);
				this.wizard = undefined;
				this.back();
				this.info(`key ${id} updated`);
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
