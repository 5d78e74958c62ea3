/**
 * The binding table drives the console: every row has its screen's handler (a missing one does
 * not compile), read-only turns off exactly the rows that change the store, and a row that needs
 * a capability the backend lacks is off with the backend's reason, in the footer, the help overlay
 * and when its key is pressed.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Capabilities } from "../source/core/backend.js";
import { RemoteBackend } from "../source/remote/remote-backend.js";
import type { LocalStore } from "../source/store/local-store.js";
import type { Handlers } from "../source/ui/console/controller.js";
import { footerHints } from "../source/ui/components/footer.js";
import { hintText } from "../source/ui/format/footer-hints.js";
import { type Binding, bindings, bindingsFor, type Command, keyLabel, type Screen } from "../source/ui/keys/bindings.js";
import { type ScreenViews, screenViews } from "../source/ui/screens/views.js";
import { keys, mountConsole } from "./support/console-harness.js";
import { startProGetStandIn } from "./support/proget-standin.js";

const screens = [...new Set(bindings.flatMap((b) => b.screens))];

async function twoKeys(store: LocalStore): Promise<void> {
	await store.createKey({ type: "system", systemApis: ["full-control"], displayName: "Admin key" }, { actor: "setup" });
	await store.createKey({ type: "feed", packagePermissions: ["view"], feed: "npm", displayName: "CI npm" }, { actor: "setup" });
}

describe("every binding has a handler", () => {
	test("each screen's controller handles exactly the commands the table binds on it", async (t) => {
		const ui = await mountConsole(t);
		for (const screen of screens) {
			const bound = [...new Set(bindingsFor(screen).map((b) => b.command))].sort();
			const handled = Object.keys(ui.model.screens[screen].run).sort();
			assert.deepEqual(handled, bound, screen);
		}
	});

	test("a controller without a handler for a bound command does not compile (checked by npm run typecheck)", () => {
		// @ts-expect-error "confirm-no" is bound on the confirm screen: leaving out its handler is a type error
		const withoutNo: Handlers<"confirm"> = { "confirm-yes": () => undefined };
		const withStray: Handlers<"confirm"> = {
			"confirm-yes": () => undefined,
			"confirm-no": () => undefined,
			// @ts-expect-error "delete" is not bound on the confirm screen: a handler for it is a type error too
			delete: () => undefined,
		};
		assert.deepEqual([Object.keys(withoutNo).length, Object.keys(withStray).length], [1, 3]);
	});

	test("no key runs two rows on one screen (the first row would take it and the other would never run)", () => {
		const taken = new Map<string, Command>();
		const twice: string[] = [];
		for (const binding of bindings) {
			for (const screen of binding.screens) {
				for (const key of binding.keys) {
					const first = taken.get(`${screen} ${key}`);
					if (first) twice.push(`${screen}: ${keyLabel(key)} is ${first} and ${binding.command}`);
					else taken.set(`${screen} ${key}`, binding.command);
				}
			}
		}
		assert.deepEqual(twice, []);
	});

	test("a screen without a view does not compile (checked by npm run typecheck)", () => {
		const { settings: _, ...withoutSettings } = screenViews;
		// @ts-expect-error "settings" is a screen of the binding table: a views table without it is a type error
		const views: ScreenViews = withoutSettings;
		assert.equal(Object.keys(views).length, screens.length - 1);
	});
});

/** The hint a row would show in a footer wide enough for every hint. */
function footerShows(hints: string, binding: Binding): boolean {
	return binding.footer !== undefined && hints.split("  ").includes(hintText(binding));
}

describe("read-only turns off exactly the rows marked mutates", () => {
	test("on every screen, only a mutates row is off, and its hint leaves the footer", async (t) => {
		const readOnly = await mountConsole(t, { readOnly: true, setup: twoKeys });
		const writable = await mountConsole(t, { setup: twoKeys });
		for (const screen of screens) {
			for (const binding of bindingsFor(screen)) {
				const reason = readOnly.model.offReason(binding) ?? "";
				assert.equal(/read-only/.test(reason), binding.mutates === true, `${screen}: ${binding.command}`);
				assert.equal(writable.model.offReason(binding), undefined, `${screen}: ${binding.command}`);
			}
		}
		const listHints = footerHints(readOnly.model, "list", 400);
		for (const binding of bindingsFor("list").filter((b) => b.footer !== undefined)) {
			assert.equal(footerShows(listHints, binding), binding.mutates !== true, binding.command);
			assert.ok(footerShows(footerHints(writable.model, "list", 400), binding), binding.command);
		}
	});

	test("the help overlay says which rows are off and why; their keys say it too", async (t) => {
		const ui = await mountConsole(t, { readOnly: true, setup: twoKeys, columns: 160, rows: 50 });
		await ui.press("?");
		const help = ui.frame();
		for (const binding of bindingsFor("list")) {
			const off = help.includes(`${binding.label} (off: read-only (started with --readonly))`);
			assert.equal(off, binding.mutates === true, binding.command);
		}
		await ui.press(keys.escape, "x");
		assert.match(ui.frame(), /toggle enabled: read-only \(started with --readonly\)/);
		assert.equal((await ui.store.getKey(1000))?.enabled, true);
	});
});

describe("a row that needs a capability the backend lacks is off with the backend's reason", () => {
	test("on ProGet (no update, enable, roll, convert or access logs), each such row says ProGet's reason", async (t) => {
		const adminKey = "admin-key-0123456789";
		const standIn = await startProGetStandIn(t, {
			apiKey: adminKey,
			keys: [{ id: 1000, type: "System", displayName: "deploy bot", systemApis: ["feeds"], logging: "None" }],
		});
		const backend = await RemoteBackend.connect(standIn.url, { credentials: { apiKey: adminKey }, discover: true });
		const ui = await mountConsole(t, { backend, columns: 100, rows: 24 });
		const needing = (screen: Screen) => bindingsFor(screen).filter((b) => b.needs !== undefined);
		assert.deepEqual([...new Set(needing("list").map((b) => b.needs))].sort(), ["accessLogs", "convert", "enable", "roll", "update"]);
		for (const screen of ["list", "detail"] as const) {
			for (const binding of needing(screen)) {
				const capability = backend.capabilities[binding.needs as keyof Capabilities];
				assert.equal(capability.available, false, binding.command);
				const expected = capability.available ? "" : capability.reason;
				assert.match(expected, /ProGet/);
				assert.equal(ui.model.disabledReason(binding.command, screen), expected, `${screen}: ${binding.command}`);
			}
		}
		const hints = footerHints(ui.model, "list", 400);
		for (const binding of needing("list")) assert.equal(footerShows(hints, binding), false, binding.command);
		assert.ok(footerShows(hints, bindingsFor("list").find((b) => b.command === "delete") as Binding), "delete needs nothing ProGet lacks");
		await ui.press("e");
		assert.match(ui.frame(), /edit: ProGet has no API/);
		assert.equal(ui.model.screen, "list", "no wizard opened for a change that can only fail");
	});
});
