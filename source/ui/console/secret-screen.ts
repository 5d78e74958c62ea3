/** A new key's secret, shown once: y copies it; leaving asks whether it was saved. */
import type { ConsoleModel } from "../console-model.js";
import type { Command } from "../keys/bindings.js";
import type { Controller, Handlers } from "./controller.js";

export interface SecretState {
	title: string;
	key: string;
	copied: string | undefined;
	askedToLeave: boolean;
}

export class SecretScreen implements Controller<"secret"> {
	state: SecretState | undefined;

	constructor(private readonly c: ConsoleModel) {}

	readonly run: Handlers<"secret"> = {
		copy: () => {
			if (this.state) this.state.copied = this.c.options.copy(this.state.key);
		},
		"leave-secret": () => {
			if (this.state) this.state.askedToLeave = true;
		},
		"saved-secret": () => {
			if (this.state?.askedToLeave !== true) return;
			this.state = undefined;
			this.c.replaceStack("list", []);
			this.c.info("the key is no longer shown anywhere");
		},
	};

	/** Any other key takes the question back. */
	other(): void {
		if (this.state) this.state.askedToLeave = false;
	}

	/** On the new key's screen Enter asks whether the key was saved, and after that only Y leaves. */
	notNow(command: Command): boolean {
		if (command === "leave-secret") return this.state?.askedToLeave === true;
		if (command === "saved-secret") return this.state?.askedToLeave !== true;
		return false;
	}

	show(title: string, key: string): void {
		this.state = { title, key, copied: undefined, askedToLeave: false };
		this.c.replaceStack("secret", ["list"]);
	}
}
