/** Which PostgreSQL server answered a connection, for `status` (a multi-host URL reaches one of several). */
import type { ISql } from "postgres";

export interface AnsweringServer {
	/** host:port, or a unix socket's folder and port. */
	address: string;
	version: string;
}

/** The server's address as it sees this connection (a unix socket has none: its folder and port), and its version; undefined if it said nothing. */
export async function answeringServer(sql: ISql): Promise<AnsweringServer | undefined> {
	// pg_settings leaves out what the role may not read (the socket folder needs pg_read_all_settings), where current_setting() fails.
	const [row] = await sql<{ address: string | null; port: number; sockets: string | null; version: string }[]>`
		SELECT host(inet_server_addr()) AS address, current_setting('port')::int AS port,
			(SELECT setting FROM pg_settings WHERE name = 'unix_socket_directories') AS sockets,
			split_part(current_setting('server_version'), ' ', 1) AS version`;
	if (!row) return undefined;
	const socket = row.sockets === null ? "a unix socket" : `unix socket ${row.sockets}`;
	const address = row.address === null ? `${socket} port ${row.port}` : `${row.address.includes(":") ? `[${row.address}]` : row.address}:${row.port}`;
	return { address, version: row.version };
}
