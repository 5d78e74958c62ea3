/**
 * PostgreSQL connection URLs as `--db` gives them (libpq's form, several hosts allowed:
 * `postgres://user:password@db1:5432,db2:5432/keys?target_session_attrs=primary`), and as we may
 * print them: never with a password.
 */

/** Whether `--db` names a PostgreSQL database rather than a store file. */
export function isPostgresUrl(text: string): boolean {
	return /^postgres(ql)?:\/\//i.test(text);
}

/** The URL with its password, in the user part or in any `…pass…` parameter, replaced by `***`. */
export function redactedUrl(url: string): string {
	const schemeEnd = url.indexOf("://") + 3;
	const rest = url.slice(schemeEnd);
	const authorityEnd = rest.search(/[/?#]/);
	const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
	const tail = authorityEnd === -1 ? "" : rest.slice(authorityEnd);
	const at = authority.lastIndexOf("@");
	const userinfo = at === -1 ? "" : authority.slice(0, at);
	const colon = userinfo.indexOf(":");
	const redactedAuthority = colon === -1 ? authority : `${userinfo.slice(0, colon)}:***${authority.slice(at)}`;
	const redactedTail = tail.replace(/([?&][^=&#]*pass[^=&#]*=)[^&#]*/gi, "$1***");
	return `${url.slice(0, schemeEnd)}${redactedAuthority}${redactedTail}`;
}

/**
 * The URL as postgres.js 4.2 takes it, and the password of a `password` parameter (libpq's form,
 * https://www.postgresql.org/docs/15/libpq-connect.html#LIBPQ-PARAMKEYWORDS): postgres.js would
 * send that parameter to the server as a setting instead of signing in with it.
 */
export function driverUrl(url: string): { url: string; password?: string } {
	const query = url.indexOf("?");
	if (query === -1) return { url };
	const fragment = url.indexOf("#", query);
	const end = fragment === -1 ? url.length : fragment;
	let password: string | undefined;
	const kept = url
		.slice(query + 1, end)
		.split("&")
		.filter((part) => {
			if (!part.startsWith("password=")) return true;
			password = decodeURIComponent(part.slice("password=".length).replaceAll("+", " "));
			return false;
		});
	const rest = kept.length > 0 ? `?${kept.join("&")}` : "";
	return { url: `${url.slice(0, query)}${rest}${url.slice(end)}`, ...(password === undefined ? {} : { password }) };
}
