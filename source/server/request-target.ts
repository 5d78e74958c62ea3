/** Where a request goes: its path and query, split from the request line's target. */

export interface RequestTarget {
	pathname: string;
	/** The query as sent, with its "?" (empty when there is none), for the access log. */
	search: string;
	query: URLSearchParams;
}

/** A path of plain segments and a query of plain characters: what URL parsing would leave as it is. */
const plainTarget = /^(\/[A-Za-z0-9_-]+)+\/?(\?[A-Za-z0-9._~%=&+-]*)?$/;

/**
 * The request's path and query. Nearly every request is plain and is split as it stands (URL
 * parsing costs more than a microsecond); anything else goes through URL, which resolves dot
 * segments and escapes what needs it.
 */
export function requestTarget(raw: string): RequestTarget {
	if (plainTarget.test(raw)) {
		const mark = raw.indexOf("?");
		const search = mark < 0 || mark === raw.length - 1 ? "" : raw.slice(mark);
		return { pathname: mark < 0 ? raw : raw.slice(0, mark), search, query: new URLSearchParams(search) };
	}
	const url = new URL(raw, "http://localhost");
	return { pathname: url.pathname, search: url.search, query: url.searchParams };
}
