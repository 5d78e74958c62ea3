/**
 * Replies held until the end of the event-loop turn that made them, then written back to back.
 * A reply written to a client that sleeps in the kernel wakes it, and the writer pays for the
 * wake-up (in a VM an inter-processor interrupt, dearer than the rest of a verify request);
 * written together, all but the first find their clients already awake. The requests of one turn
 * had all arrived before it began, so a held reply waits only for the rest of that turn's work,
 * and never for more than `maxHeld` replies: under no load it goes out at once. The whole write is
 * held, not the socket corked: ServerResponse.end() uncorks its socket fully, whatever the caller did.
 */
export class EndOfTurnWrites {
	private held: (() => void)[] = [];
	private scheduled = false;

	constructor(private readonly maxHeld = 32) {}

	/** Queues a write; `write` must not throw (the server passes guarded steps). */
	add(write: () => void): void {
		this.held.push(write);
		if (this.held.length >= this.maxHeld) this.writeHeld();
		else if (!this.scheduled) {
			this.scheduled = true;
			setImmediate(() => {
				this.scheduled = false;
				this.writeHeld();
			});
		}
	}

	private writeHeld(): void {
		const held = this.held;
		this.held = [];
		for (const write of held) write();
	}
}
