-- A revision of the keys and the settings, moved on by every change to them, but not by the access
-- log or a key's last use. What is derived from keys and settings alone (the server's key list, the
-- keys verification keeps) stays valid while requests are being logged, which commits every 200 ms.
-- A migration that adds a column to api_keys must add it to api_keys_changed below.
CREATE TABLE keys_revision (
	only  INTEGER PRIMARY KEY CHECK (only = 1),
	value INTEGER NOT NULL
);
INSERT INTO keys_revision (only, value) VALUES (1, 0);

CREATE TRIGGER api_keys_added AFTER INSERT ON api_keys
BEGIN UPDATE keys_revision SET value = value + 1; END;
CREATE TRIGGER api_keys_removed AFTER DELETE ON api_keys
BEGIN UPDATE keys_revision SET value = value + 1; END;
CREATE TRIGGER api_keys_changed AFTER UPDATE OF
	type, key_digest, key_hint, display_name, description, system_apis, package_permissions, feed,
	feed_group, user_name, expiration, logging, enabled, created_at, created_by, updated_at
ON api_keys
BEGIN UPDATE keys_revision SET value = value + 1; END;

CREATE TRIGGER settings_added AFTER INSERT ON settings
BEGIN UPDATE keys_revision SET value = value + 1; END;
CREATE TRIGGER settings_removed AFTER DELETE ON settings
BEGIN UPDATE keys_revision SET value = value + 1; END;
CREATE TRIGGER settings_changed AFTER UPDATE ON settings
BEGIN UPDATE keys_revision SET value = value + 1; END;
