/**
 * A small file system of its own for storage-fault tests: a tmpfs mount (the tests run as root,
 * where file modes mean nothing, so read-only is a read-only remount), filled to the last byte
 * for a full disk. Unmounted after the test.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";

export interface SmallDisk {
	dir: string;
	/** Fills the disk until a write fails with ENOSPC; resolves to the filler file, to delete later. */
	fill: () => string;
	readOnly: () => void;
	writable: () => void;
}

function mount(...args: string[]): void {
	execFileSync("mount", args, { stdio: "pipe" });
}

/** A tmpfs of `size` (e.g. "4m"), or why one cannot be mounted here (then the test is skipped). */
export function smallDisk(t: TestContext, size: string): SmallDisk | string {
	const dir = mkdtempSync(join(tmpdir(), "apikeys-tui-disk-"));
	try {
		mount("-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir);
	} catch (error) {
		rmSync(dir, { recursive: true, force: true });
		return `cannot mount a tmpfs here (${(error as Error).message.split("\n")[0]}); needs root`;
	}
	t.after(() => {
		try {
			execFileSync("umount", [dir], { stdio: "pipe" });
		} catch {
			// A process of the test still holds a file: detach the mount, it goes when they end.
			execFileSync("umount", ["-l", dir], { stdio: "pipe" });
		}
		rmSync(dir, { recursive: true, force: true });
	});
	return {
		dir,
		fill: () => {
			const filler = join(dir, "filler");
			const fd = openSync(filler, "a");
			try {
				for (const chunk of [65_536, 4096, 512, 1]) {
					const bytes = Buffer.alloc(chunk);
					for (;;) {
						try {
							writeSync(fd, bytes);
						} catch (error) {
							if ((error as NodeJS.ErrnoException).code === "ENOSPC") break;
							throw error;
						}
					}
				}
			} finally {
				closeSync(fd);
			}
			return filler;
		},
		readOnly: () => mount("-o", "remount,ro", dir),
		writable: () => mount("-o", "remount,rw", dir),
	};
}
