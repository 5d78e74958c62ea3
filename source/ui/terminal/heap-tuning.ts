/**
 * Garbage-collector settings for the long-running programs, the console and `serve`. Left to its
 * defaults, V8 grows the young generation to 16 MB a half and lets garbage pile up before collecting
 * it. In the console a held key draws a frame every few milliseconds, each leaving its layout and
 * text behind: 70 MB piled up (peak RSS 170 MB after 200 key presses on 100,000 keys, 105 MB with
 * these settings, for well under a millisecond a frame). In the server every request leaves its
 * parsed body and answer: over the reliability suite's 15,000 hostile requests RSS climbed by
 * 22-46 MB between the second and the last quarter (12-20 MB with these settings, at the same
 * requests/s). A fixed young generation and a heap that grows by a fifth at a time keep both
 * small; the collector reads both settings each time it runs, so they take effect when set at run
 * time.
 */
import { setFlagsFromString } from "node:v8";

export function keepHeapSmall(): void {
	setFlagsFromString("--semi-space-growth-factor=1");
	setFlagsFromString("--heap-growing-percent=20");
}
