/**
 * pgutil signs in with a user and password by sending `user:password` where a key goes
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/Inedo.ProGet/ProGetClient.cs#L30-L36).
 * This server has no user accounts: such a value is a key that matches nothing and gets ProGet's
 * 403. Its access-log entry says what it was, with the user name and never the password.
 */

/** The longest user name written into a log entry: the rest of a pasted page is cut. */
const maxUserLength = 64;

/** The client column of a refused request that presented `user:password`; the address alone otherwise. */
export function clientWithPseudoKey(address: string, presented: string | undefined, matched: boolean): string {
	if (matched || presented === undefined) return address;
	const colon = presented.indexOf(":");
	if (colon <= 0 || colon === presented.length - 1) return address;
	const user = [...presented.slice(0, colon)].slice(0, maxUserLength).join("");
	return `${address} (user:password pseudo-key for ${JSON.stringify(user)}; no such key here)`;
}
