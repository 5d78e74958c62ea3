/** The store's worker threads: starting one, and a failure crossing back as its parts. */
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import { AppError } from "../core/errors.js";
import { packageFile } from "./package-root.js";

/** A failure in a worker, as its parts (an Error does not cross threads whole). */
export interface ThreadReply {
	message: string;
	code: string | undefined;
	kind: AppError["kind"] | undefined;
}

export function replyOf(error: unknown): ThreadReply {
	return {
		message: (error as Error).message,
		code: (error as { code?: string }).code,
		kind: error instanceof AppError ? error.kind : undefined,
	};
}

export function errorOf(reply: ThreadReply): Error {
	if (reply.kind !== undefined) return new AppError(reply.message, reply.kind);
	return Object.assign(new Error(reply.message), { code: reply.code });
}

/** Starts the bundled `dist/NAME.js`, or `NAME.ts` beside this file under tsx. */
export function startWorker(name: string, options: WorkerOptions): Worker {
	if (!import.meta.url.endsWith(".ts")) return new Worker(pathToFileURL(packageFile("dist", `${name}.js`)), options);
	// Run from the sources (under tsx, as the tests do): on Node 20 a worker does not inherit the
	// loader, so it registers tsx itself before importing the .ts file beside this one.
	const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
	const source = JSON.stringify(new URL(`./${name}.ts`, import.meta.url).href);
	return new Worker(`import(${tsx}).then((api) => { api.register(); return import(${source}); })`, { ...options, eval: true });
}
