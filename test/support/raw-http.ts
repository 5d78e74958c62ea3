/**
 * HTTP/1.1 as exact bytes on one kept-alive loopback connection, for tests of what `serve` makes of
 * them. The connection stays open in both directions until the answers are in, as pgutil's does:
 * Node's HTTP server drops a request still being answered when the client half-closes, which a
 * store that answers after a database round trip (PostgreSQL) would show as no answer at all.
 */
import { connect } from "node:net";

export interface RawConnection {
	/** Sends the bytes and resolves to the raw text of the next `answers` responses. */
	send: (bytes: string, answers?: number) => Promise<string>;
	/** Sends a GET presenting `key` and resolves to its status. */
	status: (path: string, key: string) => Promise<number>;
	close: () => void;
}

/** The length of the first whole response at the start of `text` (serve frames each by Content-Length), or -1. */
function responseLength(text: string): number {
	const end = text.indexOf("\r\n\r\n");
	if (end < 0) return -1;
	const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
	return text.length < end + 4 + length ? -1 : end + 4 + length;
}

export function rawConnection(port: number): RawConnection {
	const socket = connect(port, "127.0.0.1");
	let received = "";
	let waiting: { answers: number; taken: string; done: (text: string) => void; fail: (error: Error) => void } | undefined;
	const take = () => {
		while (waiting) {
			const length = responseLength(received);
			if (length < 0) return;
			waiting.taken += received.slice(0, length);
			received = received.slice(length);
			if (--waiting.answers === 0) {
				const { done, taken } = waiting;
				waiting = undefined;
				done(taken);
			}
		}
	};
	// latin1 keeps one character per byte, so Content-Length counts characters.
	socket.setEncoding("latin1").on("data", (chunk: string) => {
		received += chunk;
		take();
	});
	const fail = (error: Error) => waiting?.fail(error);
	socket.on("error", fail).on("close", () => fail(new Error("the server closed the connection before it answered")));
	const send = (bytes: string, answers = 1) =>
		new Promise<string>((resolve, reject) => {
			waiting = { answers, taken: "", done: resolve, fail: reject };
			socket.write(bytes);
			take();
		});
	return {
		send,
		status: async (path, key) => Number((await send(`GET ${path} HTTP/1.1\r\nHost: x\r\nX-ApiKey: ${key}\r\n\r\n`)).slice(9, 12)),
		close: () => socket.destroy(),
	};
}

/** Sends the bytes on a new connection and resolves to the raw text of `answers` responses; the connection is then closed. */
export async function rawExchange(port: number, bytes: string, answers = 1): Promise<string> {
	const connection = rawConnection(port);
	try {
		return await connection.send(bytes, answers);
	} finally {
		connection.close();
	}
}

/** The body of a raw response. */
export function bodyOf(response: string): string {
	return response.slice(response.indexOf("\r\n\r\n") + 4);
}
