/**
 * The footer's key hints: the highest-priority ones that fit the width, each whole or not at all,
 * shown in the binding table's order. A disabled command is left out (the help overlay gives its
 * reason, and pressing its key says it too), as lazygit does, so its room goes to one that works.
 */
import { type Binding, keyLabel } from "../keys/bindings.js";

const gap = "  ";

export function hintText(binding: Binding): string {
	return `${keyLabel(binding.keys[0] as string)} ${binding.short ?? binding.label}`;
}

export function fitHints(candidates: readonly Binding[], width: number): string {
	const shown = candidates.filter((b) => b.footer !== undefined);
	const kept = new Set<Binding>();
	let used = 0;
	for (const binding of [...shown].sort((a, b) => (b.footer ?? 0) - (a.footer ?? 0))) {
		const needed = hintText(binding).length + (kept.size > 0 ? gap.length : 0);
		if (used + needed > width) continue;
		kept.add(binding);
		used += needed;
	}
	return shown.filter((b) => kept.has(b)).map(hintText).join(gap);
}
