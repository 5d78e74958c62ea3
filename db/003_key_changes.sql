-- Every change to a key or to the settings, in order: one row each, its revision the row's id. It
-- moves on with those changes only, not with the access log or a key's last use, so what is derived
-- from keys and settings (the server's key list, verification's index of keys) outlives the
-- access-log commits of a busy server, and a reader that is behind re-reads just the keys changed.
-- A migration that adds a column to api_keys must add it to api_keys_changed below.
CREATE TABLE key_changes (
	revision INTEGER PRIMARY KEY AUTOINCREMENT,
	key_id   INTEGER  -- NULL: the settings
);

CREATE TRIGGER api_keys_added AFTER INSERT ON api_keys
BEGIN INSERT INTO key_changes (key_id) VALUES (NEW.id); END;
CREATE TRIGGER api_keys_removed AFTER DELETE ON api_keys
BEGIN INSERT INTO key_changes (key_id) VALUES (OLD.id); END;
CREATE TRIGGER api_keys_changed AFTER UPDATE OF
	type, key_digest, key_hint, display_name, description, system_apis, package_permissions, feed,
	feed_group, user_name, expiration, logging, enabled, created_at, created_by, updated_at
ON api_keys
BEGIN INSERT INTO key_changes (key_id) VALUES (NEW.id); END;

CREATE TRIGGER settings_added AFTER INSERT ON settings
BEGIN INSERT INTO key_changes (key_id) VALUES (NULL); END;
CREATE TRIGGER settings_removed AFTER DELETE ON settings
BEGIN INSERT INTO key_changes (key_id) VALUES (NULL); END;
CREATE TRIGGER settings_changed AFTER UPDATE ON settings
BEGIN INSERT INTO key_changes (key_id) VALUES (NULL); END;

-- The last 10,000 changes are kept; a reader further behind reads every key again.
CREATE TRIGGER key_changes_pruned AFTER INSERT ON key_changes WHEN NEW.revision % 1000 = 0
BEGIN DELETE FROM key_changes WHERE revision <= NEW.revision - 10000; END;
