/**
 * Errors every layer understands. Each maps to one exit code on the command line and one HTTP
 * status on the server; the message is one line meant for a person.
 */
import type { FieldError } from "./rules.js";

export type ErrorKind =
	| "invalid"
	| "not-found"
	| "conflict"
	| "forbidden"
	| "unavailable"
	| "store";

export class AppError extends Error {
	constructor(
		message: string,
		readonly kind: ErrorKind,
	) {
		super(message);
		this.name = "AppError";
	}
}

/** Input broke the key rules; `errors` says which field and why. */
export class RuleError extends AppError {
	constructor(readonly errors: FieldError[]) {
		super(errors.map((e) => `${e.field}: ${e.message}`).join("; "), "invalid");
		this.name = "RuleError";
	}
}

export function notFound(id: number): AppError {
	return new AppError(`no API key has id ${id}`, "not-found");
}
