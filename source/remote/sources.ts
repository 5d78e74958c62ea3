/**
 * Named remote instances: pgutil's own config file (read, never written) and ours,
 * `$XDG_CONFIG_HOME/apikeys-tui/sources.json` (0600). Both keep API keys and passwords obfuscated
 * the way pgutil does — AES-128-CBC under a fixed, public key
 * (https://github.com/Inedo/pgutil/blob/34a7ed51627dea56fb448830b6290f410cf9c3b8/pgutil/Config/PgUtilSource.cs) —
 * which only keeps them from being read at a glance: it is not encryption, and the files'
 * permissions are what protects them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { AppError } from "../core/errors.js";
import type { Credentials } from "./http-client.js";

const pgutilKey = Buffer.from([207, 133, 227, 29, 231, 23, 59, 35, 79, 120, 240, 230, 231, 15, 243, 173]);

export interface Source {
	name: string;
	url: string;
	/** The API key, un-obfuscated, if one is stored. */
	token?: string;
	username?: string;
	/** The password for `username`, un-obfuscated, if one is stored. */
	password?: string;
	origin: "apikeys-tui" | "pgutil";
}

interface StoredSource {
	name: string;
	url: string;
	defaultFeed?: string;
	username?: string;
	password?: string;
	token?: string;
	encryptedPassword?: string;
	encryptedToken?: string;
}

export function obfuscate(text: string): string {
	const iv = randomBytes(16);
	const cipher = createCipheriv("aes-128-cbc", pgutilKey, iv);
	return Buffer.concat([iv, cipher.update(text, "utf8"), cipher.final()]).toString("base64");
}

export function deobfuscate(stored: string): string | undefined {
	try {
		const bytes = Buffer.from(stored, "base64");
		if (bytes.length < 32) return undefined;
		const decipher = createDecipheriv("aes-128-cbc", pgutilKey, bytes.subarray(0, 16));
		return Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]).toString("utf8");
	} catch {
		return undefined;
	}
}

function configHome(env: NodeJS.ProcessEnv): string {
	return env.XDG_CONFIG_HOME?.trim() ? env.XDG_CONFIG_HOME : join(homedir(), ".config");
}

export function pgutilConfigPath(env: NodeJS.ProcessEnv): string {
	return join(configHome(env), "pgutil", "pgutil.config");
}

export function ourSourcesPath(env: NodeJS.ProcessEnv): string {
	return join(configHome(env), "apikeys-tui", "sources.json");
}

function readSources(path: string, origin: Source["origin"], strict: boolean): Source[] {
	let parsed: { sources?: StoredSource[] };
	try {
		parsed = JSON.parse(readFileSync(path, "utf8")) as { sources?: StoredSource[] };
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "ENOENT" || !strict) return [];
		throw new AppError(`${path}: cannot be read as a sources file (${(error as Error).message})`, "invalid");
	}
	return (Array.isArray(parsed.sources) ? parsed.sources : [])
		.filter((s) => typeof s?.name === "string" && typeof s?.url === "string")
		.map((s) => {
			const token = s.encryptedToken ? deobfuscate(s.encryptedToken) : s.token;
			const source: Source = { name: s.name, url: s.url, origin };
			const password = s.encryptedPassword ? deobfuscate(s.encryptedPassword) : s.password;
			if (token) source.token = token;
			if (s.username) source.username = s.username;
			if (s.username && password) source.password = password;
			return source;
		});
}

/** Our sources first, then pgutil's (which pgutil itself reads leniently, as we do). */
export function allSources(env: NodeJS.ProcessEnv): Source[] {
	return [...readSources(ourSourcesPath(env), "apikeys-tui", true), ...readSources(pgutilConfigPath(env), "pgutil", false)];
}

/** A source's stored credentials as pgutil uses them: its key, else its user and password. */
export function sourceCredentials(source: Pick<Source, "token" | "username" | "password">): Credentials {
	if (source.token) return { apiKey: source.token };
	if (source.username) return { username: source.username, password: source.password ?? "" };
	return {};
}

export function findSource(name: string, env: NodeJS.ProcessEnv): Source | undefined {
	return allSources(env).find((s) => s.name.toLowerCase() === name.toLowerCase());
}

/** A source as our file keeps it: the key and the password obfuscated as pgutil's file keeps them. */
function storedForm(source: Pick<Source, "name" | "url" | "token" | "username" | "password">): StoredSource {
	const entry: StoredSource = { name: source.name, url: source.url };
	if (source.username) entry.username = source.username;
	if (source.username && source.password) entry.encryptedPassword = obfuscate(source.password);
	if (source.token) entry.encryptedToken = obfuscate(source.token);
	return entry;
}

/** Adds or replaces one of our sources, secrets obfuscated; the file is written 0600, atomically. */
export function saveSource(source: Pick<Source, "name" | "url" | "token" | "username" | "password">, env: NodeJS.ProcessEnv): void {
	const path = ourSourcesPath(env);
	const kept = readSources(path, "apikeys-tui", true).filter((s) => s.name.toLowerCase() !== source.name.toLowerCase());
	writeSources(path, [...kept, source].map(storedForm));
}

export function removeSource(name: string, env: NodeJS.ProcessEnv): boolean {
	const path = ourSourcesPath(env);
	const all = readSources(path, "apikeys-tui", true);
	const kept = all.filter((s) => s.name.toLowerCase() !== name.toLowerCase());
	if (kept.length === all.length) return false;
	writeSources(path, kept.map(storedForm));
	return true;
}

function writeSources(path: string, sources: StoredSource[]): void {
	mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
	const temporary = `${path}.${process.pid}.tmp`;
	writeFileSync(temporary, `${JSON.stringify({ sources }, null, 2)}\n`, { mode: 0o600 });
	chmodSync(temporary, 0o600);
	renameSync(temporary, path);
}
