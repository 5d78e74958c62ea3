/**
 * Garbage-collector settings for the whole process, in the long-running programs (the console and
 * `serve`): left to its defaults, V8 grows the young generation to 16 MB a half and lets the garbage
 * of every frame drawn or request answered pile up before collecting it. A fixed young generation
 * and a heap that grows by a fifth at a time keep both small (docs/PERFORMANCE.md has the figures);
 * the collector reads both settings each time it runs, so they take effect when set at run time.
 */
import { setFlagsFromString } from "node:v8";

export function keepHeapSmall(): void {
	setFlagsFromString("--semi-space-growth-factor=1");
	setFlagsFromString("--heap-growing-percent=20");
}
