/**
 * How often Ink may draw. Ink holds a frame back until 1000/fps ms after the last one, so a key
 * that arrives just after a frame waits that long: at Ink's default of 30 fps up to 34 ms, at 120
 * up to 9 ms — most of a key's latency. A frame of the key list takes about 5 ms to build, so 250
 * (4 ms) lets each key press draw its own frame at once while a held key or a paste still
 * coalesces into frames no more often than the terminal can show them.
 */
export const renderFps = 250;
