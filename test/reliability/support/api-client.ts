/** A small HTTP client for the server's API-key routes, on loopback, with the key in X-ApiKey. */
import { Agent, request } from "node:http";

export interface ApiAnswer {
	status: number;
	text: string;
}

export interface ApiClient {
	call: (method: string, path: string, body?: unknown) => Promise<ApiAnswer>;
	close: () => void;
}

/** `keepAlive` connections, as pgutil and gateways use; each request fails after `timeoutMs`. */
export function apiClient(port: number, key: string, timeoutMs = 30_000): ApiClient {
	const agent = new Agent({ keepAlive: true, maxSockets: 1 });
	const call = (method: string, path: string, body?: unknown) =>
		new Promise<ApiAnswer>((resolve, reject) => {
			const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
			const req = request(
				{
					host: "127.0.0.1",
					port,
					method,
					path,
					agent,
					timeout: timeoutMs,
					headers: {
						"X-ApiKey": key,
						...(payload ? { "Content-Type": "application/json", "Content-Length": payload.length } : {}),
					},
				},
				(response) => {
					let text = "";
					response.setEncoding("utf8").on("data", (d: string) => {
						text += d;
					});
					response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
					response.on("error", reject);
				},
			);
			req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
			req.on("error", reject);
			req.end(payload);
		});
	return { call, close: () => agent.destroy() };
}
