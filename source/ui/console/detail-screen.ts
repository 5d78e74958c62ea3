/** A key's detail: its fields, audit trail and latest requests, scrolled when they do not fit. */
import type { AccessLogEntry, AuditEntry } from "../../core/backend.js";
import type { KeyRecord } from "../../core/model.js";
import type { ConsoleModel } from "../console-model.js";
import { type Controller, type Handlers, type MoveCommand, moveHandlers } from "./controller.js";
import { keyActions } from "./key-actions.js";

export interface DetailState {
	id: number;
	record: KeyRecord | undefined;
	audit: AuditEntry[];
	logs: AccessLogEntry[];
	/** Whether the audit trail and the recent requests were read: until then, empty says nothing. */
	read: boolean;
	scroll: number;
}

export class DetailScreen implements Controller<"detail"> {
	state: DetailState | undefined;
	readonly run: Handlers<"detail">;

	constructor(private readonly c: ConsoleModel) {
		this.run = {
			...moveHandlers((command) => this.move(command)),
			...keyActions(c),
			help: () => c.screens.help.open(),
			back: () => c.back(),
			quit: () => c.quit(),
		};
	}

	open(key: KeyRecord): void {
		this.c.goTo("detail");
		this.state = { id: key.id, record: key, audit: [], logs: [], read: false, scroll: 0 };
		void this.c.run(() => this.load(key.id));
	}

	async load(id: number): Promise<void> {
		const backend = this.c.backend;
		const record = await backend.getKey(id);
		const audit = backend.capabilities.audit.available ? await backend.auditTrail(id, 20) : [];
		const logs = backend.capabilities.accessLogs.available ? (await backend.queryAccessLog({ keyId: id }, { limit: 10 })).entries : [];
		if (this.state?.id === id) this.state = { ...this.state, record, audit, logs, read: true };
		if (!record) this.c.error(`key ${id} no longer exists`);
	}

	private move(command: MoveCommand): void {
		if (this.state) this.state.scroll = this.c.scrolled(this.state.scroll, command);
	}
}
