/**
 * The access log, in daily partitions of `at` (access-log-partitions.ts makes and drops them), so
 * retention drops whole days instead of deleting rows. Entries are numbered by one sequence in the
 * order they are written; the indexes are the SQLite store's lean set (db/002_lean_access_log_indexes.sql).
 */
import type { Migration } from "./migration.js";

export const accessLogMigration: Migration = {
	version: 3,
	compatibleFrom: 2,
	sql: `
CREATE SEQUENCE access_log_ids AS bigint;
CREATE TABLE access_log (
	id            bigint NOT NULL DEFAULT nextval('access_log_ids'),
	at            timestamptz NOT NULL,
	key_id        integer,
	method        text NOT NULL,
	path          text NOT NULL,
	status        smallint NOT NULL,
	duration_ms   real NOT NULL,
	client        text NOT NULL,
	user_agent    text,
	request_body  text,
	response_body text
) PARTITION BY RANGE (at);
ALTER SEQUENCE access_log_ids OWNED BY access_log.id;
CREATE INDEX access_log_id ON access_log (id);
CREATE INDEX access_log_key ON access_log (key_id, id);
CREATE INDEX access_log_unusual_status ON access_log ((status / 100), id) WHERE status / 100 <> 2;
`,
};
