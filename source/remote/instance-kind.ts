/**
 * Which kind of instance answers: apikeys-tui's `serve` (every extension) or ProGet (list, create
 * and delete only, the rest unavailable with the reason shown).
 */
import type { Capabilities, Capability } from "../core/backend.js";
import type { RemoteReply } from "./http-client.js";

function noApi(what: string): Capability {
	return { available: false, reason: `ProGet has no API to ${what}` };
}

export const progetCapabilities: Capabilities = {
	update: noApi("change a key: delete it and create it again (a custom key keeps its text)"),
	enable: noApi("enable or disable a key"),
	roll: noApi("roll a key's secret"),
	accessLogs: noApi("read access logs (see Administration > API Keys in ProGet)"),
	settings: noApi("read or change the API-access settings"),
	audit: noApi("read an audit trail"),
	lastUsed: noApi("report a key's last use"),
	convert: noApi("convert a legacy key"),
};

/**
 * Whether `GET /health` was answered by apikeys-tui: it names itself and sends its version header
 * (with 503 from a node whose key index may be stale).
 */
export function isOurServer(reply: RemoteReply | undefined): boolean {
	if (!reply || (reply.status !== 200 && reply.status !== 503) || reply.header("x-apikeys-tui-version") === null) return false;
	try {
		const health = JSON.parse(reply.text) as { applicationName?: unknown };
		return typeof health === "object" && health !== null && health.applicationName === "apikeys-tui";
	} catch {
		return false;
	}
}
