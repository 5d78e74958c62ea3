/** An access-log entry for tests: a plain GET that succeeded, with whatever the test cares about. */
import type { NewAccessLogEntry } from "../../source/core/backend.js";

export function accessEntry(fields: Partial<NewAccessLogEntry>): NewAccessLogEntry {
	return {
		at: Date.now(),
		keyId: null,
		method: "GET",
		path: "/",
		status: 200,
		durationMs: 1,
		client: "::1",
		userAgent: null,
		requestBody: null,
		responseBody: null,
		...fields,
	};
}
