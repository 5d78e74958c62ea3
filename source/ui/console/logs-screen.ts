/** The access log (a key's or all), read a page at a time, its filter and follow mode; and one entry opened from it. */
import type { AccessLogEntry } from "../../core/backend.js";
import { type LogFilterResult, parseLogFilterWords } from "../../core/log-filter.js";
import type { ConsoleModel } from "../console-model.js";
import type { Command } from "../keys/bindings.js";
import { clampIndex, windowStart } from "../list/window.js";
import type { TextField } from "../text-field.js";
import { type Controller, type Handlers, type MoveCommand, moveHandlers } from "./controller.js";

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

export class LogsScreen implements Controller<"logs"> {
	state: LogsState | undefined;
	private loadingMore = false;
	/** Counts first pages asked for, so a page that arrives after a newer one is dropped. */
	private loads = 0;

	constructor(private readonly c: ConsoleModel) {}

	readonly run: Handlers<"logs"> = {
		...moveHandlers((command) => this.move(command)),
		open: () => {
			if (!this.state) return;
			this.state.open = this.state.entries[this.state.selected];
			this.state.openScroll = 0;
		},
		filter: () => {
			if (!this.state) return;
			this.state.editingFilter = true;
			this.c.editor.focus(this.state.filterText);
		},
		follow: () => this.toggleFollow(),
		refresh: () => void this.c.refresh(),
		help: () => this.c.screens.help.open(),
		back: () => this.c.back(),
		quit: () => this.c.quit(),
	};

	private readonly filterField: TextField = {
		value: () => this.state?.filterText ?? "",
		set: (text) => {
			if (!this.state || text === this.state.filterText) return;
			this.state.filterText = text;
			// As you type, as the key list's filter does; a word still being typed ("status:4") that
			// does not parse yet keeps the entries of the last one that did, without an error.
			if (this.filter().ok) this.reloadNow();
		},
		done: () => {
			// A filter that does not parse stays open to be mended, rather than shown over entries it did not select.
			const filter = this.filter();
			if (!filter.ok) return this.c.error(`${filter.field}: ${filter.error}`);
			if (this.state) this.state.editingFilter = false;
			this.reloadNow();
		},
		cancel: () => {
			if (!this.state) return;
			this.state.editingFilter = false;
			this.state.filterText = "";
			this.reloadNow();
		},
	};

	field(): TextField | undefined {
		return this.state?.editingFilter ? this.filterField : undefined;
	}

	open(keyId: number | undefined): void {
		this.c.goTo("logs");
		this.state = {
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
		this.reloadNow();
	}

	private reloadNow(): void {
		void this.c.run(() => this.load(false));
	}

	/** The log filter typed as words: `status:4xx method:post path:/api since:24h key:1001`; a bare word is anywhere in the path. */
	filter(): LogFilterResult {
		return parseLogFilterWords(this.state?.filterText ?? "", this.state?.keyId, new Date());
	}

	/** Rows of entries the screen shows: one line fewer than the key list (its position line). */
	rows(): number {
		return Math.max(1, this.c.listHeight - 1);
	}

	private place(target: number): void {
		const logs = this.state;
		if (!logs) return;
		logs.selected = clampIndex(target, logs.entries.length);
		logs.start = windowStart(logs.selected, logs.entries.length, this.rows(), logs.start);
	}

	/** The first page again (`more` false), or the next one. */
	async load(more: boolean): Promise<void> {
		const logs = this.state;
		if (!logs) return;
		const filter = this.filter();
		if (!filter.ok) return this.c.error(`${filter.field}: ${filter.error}`);
		if (!more) this.loads++;
		const load = this.loads;
		const before = more ? logs.nextBefore : undefined;
		const page = await this.c.backend.queryAccessLog(filter.filter, {
			// Reading on to the oldest entry (G) goes a thousand at a time, the most a page may hold.
			limit: logs.pendingMove === Number.POSITIVE_INFINITY ? 1000 : Math.max(50, this.c.listHeight * 2),
			...(before !== undefined ? { before } : {}),
		});
		// A first page loaded since (another filter, a follow refresh) replaces whatever this was for,
		// and of two next pages asked for at once (reading on, and scrolling) only the first is kept.
		if (this.state !== logs || load !== this.loads || (more && logs.nextBefore !== before)) return;
		// Appended in place: copying the whole list for every page would grow with each page read.
		if (more) logs.entries.push(...page.entries);
		else logs.entries = page.entries;
		logs.loaded = true;
		// Set before any further page is asked for, which starts from it.
		logs.nextBefore = page.nextBefore;
		if (more && logs.pendingMove > 0) {
			const target = logs.selected + logs.pendingMove;
			logs.pendingMove = 0;
			this.place(target);
			if (logs.selected >= logs.entries.length - 3 && logs.nextBefore !== undefined) {
				logs.pendingMove = Math.max(0, target - (logs.entries.length - 1));
				await this.load(true);
			}
		}
		if (!more) {
			logs.selected = clampIndex(logs.selected, logs.entries.length);
			logs.start = windowStart(logs.selected, logs.entries.length, this.rows(), logs.start);
		}
		// A filter no index serves (a path, a method, 2xx) is answered a window of entries at a
		// time, maybe with none in it: read on until the screen is full or the log ends.
		if (logs.entries.length < this.rows() && logs.nextBefore !== undefined) await this.load(true);
	}

	private toggleFollow(): void {
		const logs = this.state;
		if (!logs) return;
		if (logs.follow) return this.stopFollowing?.();
		logs.follow = true;
		this.stopFollowing = this.c.everyUntilBack(
			1000,
			() => {
				if (this.c.screen !== "logs" || this.state !== logs) return this.stopFollowing?.();
				void this.load(false)
					.then(() => this.c.changed())
					.catch(this.c.failLater);
			},
			() => {
				logs.follow = false;
				this.stopFollowing = undefined;
			},
		);
	}

	private stopFollowing: (() => void) | undefined;

	private move(command: MoveCommand): void {
		const logs = this.state;
		if (!logs) return;
		const page = this.c.page();
		const step: Partial<Record<Command, number>> = { down: 1, up: -1, "page-down": page, "page-up": -page };
		const last = logs.entries.length - 1;
		const from = logs.selected + logs.pendingMove;
		// The oldest entry may be pages away: reading on until the log ends gets there.
		const oldest = logs.nextBefore !== undefined ? Number.POSITIVE_INFINITY : last;
		const target = command === "top" ? 0 : command === "bottom" ? oldest : from + (step[command] ?? 0);
		// Moves past what is loaded wait for the next page instead of being lost.
		logs.pendingMove = logs.nextBefore !== undefined ? Math.max(0, target - last) : 0;
		this.place(target);
		if (logs.selected >= last - 2 && logs.nextBefore !== undefined && !this.loadingMore) {
			this.loadingMore = true;
			void this.c.run(() => this.load(true)).finally(() => {
				this.loadingMore = false;
			});
		}
	}
}

/** One access-log entry opened from the log: its fields and bodies, scrolled. */
export class EntryScreen implements Controller<"entry"> {
	constructor(
		private readonly c: ConsoleModel,
		private readonly logs: LogsScreen,
	) {}

	readonly run: Handlers<"entry"> = {
		...moveHandlers((command) => this.move(command)),
		help: () => this.c.screens.help.open(),
		back: () => {
			if (this.logs.state) this.logs.state.open = undefined;
		},
		quit: () => this.c.quit(),
	};

	private move(command: MoveCommand): void {
		const logs = this.logs.state;
		if (logs) logs.openScroll = this.c.scrolled(logs.openScroll, command);
	}
}
