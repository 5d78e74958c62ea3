-- The first schema: keys, store metadata and settings, the audit trail, the access log.
-- Key text is never stored: key_digest is HMAC-SHA256 under a secret kept outside this file.

CREATE TABLE store_meta (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_keys (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	type                TEXT NOT NULL CHECK (type IN ('system', 'feed', 'personal', 'other')),
	key_digest          BLOB NOT NULL CHECK (length(key_digest) = 32),
	key_hint            TEXT NOT NULL,
	display_name        TEXT,
	description         TEXT,
	system_apis         TEXT,  -- JSON array
	package_permissions TEXT,  -- JSON array
	feed                TEXT,
	feed_group          TEXT,
	user_name           TEXT,
	expiration          TEXT,  -- ISO-8601 UTC
	logging             TEXT NOT NULL DEFAULT 'none' CHECK (logging IN ('none', 'request', 'response', 'both')),
	enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
	created_at          TEXT NOT NULL,
	created_by          TEXT NOT NULL,
	updated_at          TEXT,
	last_used_at        TEXT
);
CREATE UNIQUE INDEX api_keys_digest ON api_keys (key_digest);
CREATE INDEX api_keys_name ON api_keys (display_name COLLATE NOCASE, id);
CREATE INDEX api_keys_expiration ON api_keys (expiration, id);

-- ProGet numbers keys from 1000.
INSERT INTO sqlite_sequence (name, seq) VALUES ('api_keys', 999);

CREATE TABLE audit_log (
	id      INTEGER PRIMARY KEY,
	at      TEXT NOT NULL,
	actor   TEXT NOT NULL,
	action  TEXT NOT NULL,
	key_id  INTEGER,
	details TEXT NOT NULL DEFAULT '{}'  -- JSON; never a secret
);
CREATE INDEX audit_log_key ON audit_log (key_id, id);

CREATE TABLE access_log (
	id            INTEGER PRIMARY KEY,
	at            INTEGER NOT NULL,  -- milliseconds since the epoch
	key_id        INTEGER,
	method        TEXT NOT NULL,
	path          TEXT NOT NULL,
	status        INTEGER NOT NULL,
	status_class  INTEGER GENERATED ALWAYS AS (status / 100) VIRTUAL,
	duration_ms   REAL NOT NULL,
	client        TEXT NOT NULL,
	user_agent    TEXT,
	request_body  TEXT,
	response_body TEXT
);
CREATE INDEX access_log_key ON access_log (key_id, id);
CREATE INDEX access_log_status ON access_log (status_class, id);
CREATE INDEX access_log_method ON access_log (method, id);
CREATE INDEX access_log_at ON access_log (at);
