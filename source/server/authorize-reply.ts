/**
 * The authorize route's answer (authorize.ts reads what the gateway forwarded): 204 with the key's
 * headers when the forwarded key allows what the gateway's query asks, 401 without a key, 403 or
 * a throttled 429 otherwise. The failure throttle counts the forwarded client (behind a trusted
 * proxy) as for any other route.
 */
import type { ServedStore } from "../core/served-store.js";
import { allowedHeaders, authorizeCheck } from "./authorize.js";
import { BoundedMemo } from "./bounded-memo.js";
import type { Exchange } from "./exchange.js";
import type { FailureThrottle } from "./failure-throttle.js";
import { forbiddenText, type Reply, tooManyFailures } from "./reply.js";

/**
 * A gateway carries many clients' keys on one connection, so digests are remembered by key, only
 * for keys that exist (a guess never enters; a lookup of one is a hash of the guess, then a
 * compare only on a hash collision), so a gateway's checks skip the HMAC.
 */
export class GatewayDigests extends BoundedMemo<string> {
	constructor() {
		super(10_000);
	}
}

/** What to answer the gateway; throws what the store or the query refuses (answered as an error). */
export function authorizeReply(
	exchange: Exchange,
	presented: string | undefined,
	store: ServedStore,
	digests: GatewayDigests,
	throttle: FailureThrottle,
	clientOf: (exchange: Exchange) => string,
): Reply {
	const check = authorizeCheck(exchange.url, store.catalog);
	exchange.presented = presented;
	if (presented === undefined) {
		return { status: 401, body: "An API key is required.", headers: { "WWW-Authenticate": 'Basic realm="apikeys-tui", charset="UTF-8"' } };
	}
	const wait = throttle.isEmpty() ? 0 : throttle.waitBefore(clientOf(exchange));
	if (wait > 0) {
		exchange.refused = true;
		return tooManyFailures(wait);
	}
	const digest = digests.get(presented) ?? store.digestOf(presented);
	const result = store.verifyDigestNow(digest, check.requirement);
	exchange.caller = result.record;
	if (result.record) digests.set(presented, digest);
	if (result.outcome === "valid" && result.record && (check.allowPersonal || result.record.type !== "personal")) {
		if (!throttle.isEmpty()) throttle.recordSuccess(clientOf(exchange));
		return { status: 204, body: "", headers: allowedHeaders(result.record) };
	}
	exchange.refused = true;
	const hold = throttle.recordFailure(clientOf(exchange));
	return hold > 0 ? { status: 403, body: forbiddenText, heldMs: hold } : { status: 403, body: forbiddenText };
}
