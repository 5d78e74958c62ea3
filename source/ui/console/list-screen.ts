/** The key list (home): its window over the ordered ids, the filter, sort and marks, and its keys. */
import { type KeySortColumn, keySortColumns } from "../../core/backend.js";
import type { KeyRecord } from "../../core/model.js";
import type { ConsoleModel } from "../console-model.js";
import type { Command } from "../keys/bindings.js";
import { clampIndex, windowStart } from "../list/window.js";
import type { TextField } from "../text-field.js";
import { type Controller, type Handlers, type MoveCommand, moveHandlers } from "./controller.js";
import { keyActions } from "./key-actions.js";

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

export class ListScreen implements Controller<"list"> {
	readonly state: ListState = {
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

	/** Whether the ordered ids are in; until then the rows are the first page start() loaded. */
	private indexIn = false;

	readonly run: Handlers<"list">;

	constructor(private readonly c: ConsoleModel) {
		this.run = {
			...moveHandlers((command) => this.move(command)),
			open: () => {
				const key = this.selected();
				if (key) this.c.screens.detail.open(key);
			},
			filter: () => {
				this.state.editingFilter = true;
				this.c.editor.focus(this.state.filter);
			},
			sort: () => {
				// `s` steps through core's columns in their order.
				const next = keySortColumns[(keySortColumns.indexOf(this.state.sort.column) + 1) % keySortColumns.length] as KeySortColumn;
				this.state.sort = { column: next, descending: false };
				void this.c.run(() => this.reload());
			},
			reverse: () => {
				this.state.sort = { ...this.state.sort, descending: !this.state.sort.descending };
				void this.c.run(() => this.reload());
			},
			mark: () => {
				const id = this.state.ids[this.state.selected];
				if (id === undefined) return;
				if (this.state.marked.has(id)) this.state.marked.delete(id);
				else this.state.marked.add(id);
				this.moveSelection(this.state.selected + 1);
			},
			create: () => this.c.screens.create.start(),
			settings: () => this.c.screens.settings.open(),
			...keyActions(this.c),
			help: () => this.c.screens.help.open(),
			quit: () => this.c.quit(),
		};
	}

	private readonly filterField: TextField = {
		value: () => this.state.filter,
		set: (text) => {
			if (text === this.state.filter) return;
			this.state.filter = text;
			void this.c.run(() => this.reload());
		},
		done: () => {
			this.state.editingFilter = false;
			void this.c.run(() => this.reload());
		},
		cancel: () => {
			this.state.editingFilter = false;
			this.state.filter = "";
			void this.c.run(() => this.reload());
		},
	};

	field(): TextField | undefined {
		return this.state.editingFilter ? this.filterField : undefined;
	}

	selected(): KeyRecord | undefined {
		const id = this.state.ids[this.state.selected];
		return this.state.rows.find((r) => r.id === id);
	}

	/** The first page and the count, before the ordered ids are in (a local store's fast start). */
	async loadFirstPage(): Promise<void> {
		const page = await this.c.backend.queryKeys({ sort: this.state.sort, offset: 0, limit: this.c.listHeight });
		this.state.rows = page.rows;
		this.state.total = page.total;
		this.state.loaded = true;
	}

	/** Reads the ordered ids again, keeping the selected key selected where it still matches. */
	async reload(): Promise<void> {
		const list = this.state;
		const keepId = list.ids[list.selected];
		// Read first: what commits after it is still seen, and the console's own changes, already
		// reloaded here, are not reloaded again by the next look for changes made elsewhere.
		const mark = this.c.changeMarkNow();
		const ids = await this.c.backend.keyIds({ filter: list.filter, sort: list.sort });
		this.c.seenChangeMark = mark;
		list.ids = ids;
		this.indexIn = true;
		list.total = ids.length;
		const index = keepId === undefined ? -1 : ids.indexOf(keepId);
		list.selected = clampIndex(index >= 0 ? index : list.selected, ids.length);
		for (const id of list.marked) if (!ids.includes(id)) list.marked.delete(id);
		list.loaded = true;
		this.placeWindow();
		await this.loadRows();
	}

	/** The window's rows after the height changed. */
	resized(): void {
		this.placeWindow();
		// A message that takes or gives back a row changes the height: with a remote instance down,
		// this read fails too, and is said on the message line like any other.
		void this.loadRows().catch(this.c.failLater);
	}

	private placeWindow(): void {
		this.state.start = windowStart(this.state.selected, this.state.ids.length, this.c.listHeight, this.state.start);
	}

	private async loadRows(): Promise<void> {
		if (!this.indexIn) return;
		const ids = this.state.ids.slice(this.state.start, this.state.start + this.c.listHeight);
		this.state.rows = await this.c.backend.keysByIds(ids);
		this.c.changed();
	}

	moveSelection(to: number): void {
		const before = this.state.start;
		this.state.selected = clampIndex(to, this.state.ids.length);
		this.placeWindow();
		if (this.state.start !== before) void this.loadRows().catch((e: unknown) => this.c.fail(e));
	}

	private move(command: MoveCommand): void {
		const page = this.c.page();
		const step: Partial<Record<Command, number>> = { down: 1, up: -1, "page-down": page, "page-up": -page };
		const last = this.state.ids.length - 1;
		this.moveSelection(command === "top" ? 0 : command === "bottom" ? last : this.state.selected + (step[command] ?? 0));
	}
}
