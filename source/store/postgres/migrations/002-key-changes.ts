/**
 * Every change to a key or to the settings, in commit order: one row each, its revision the
 * row's number, so each node keeps its index of keys current by reading the changes after the last
 * revision it has seen. Revisions are numbered under an advisory lock taken before the first row
 * is touched and held to commit: a transaction numbered later cannot commit earlier, so a reader
 * that has seen revision N has seen every committed revision below N (gaps are rolled-back
 * transactions, never late ones). Last uses and the access log are not changes.
 * A migration that adds a column to api_keys must add it to the UPDATE OF lists below.
 */
import { changeChannel, keptChanges, lockNamespace, lockPurpose } from "../coordination.js";
import type { Migration } from "./migration.js";

const keyColumns =
	"type, key_digest, key_hint, display_name, description, system_apis, package_permissions, feed, feed_group, user_name, expiration, logging, enabled, created_at, created_by, updated_at";

const takeChangeLock = `PERFORM pg_advisory_xact_lock(${lockNamespace}, ${lockPurpose.changeOrder});`;

export const keyChangesMigration: Migration = {
	version: 2,
	compatibleFrom: 1,
	sql: `
CREATE TABLE key_changes (
	revision bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	key_id   integer  -- NULL: the settings
);
-- Changes up to this revision were pruned: a reader behind it reads every key again.
INSERT INTO store_meta (name, value) VALUES ('changes_pruned_through', '0');

-- Before any row is locked: a transaction holding a key's row lock then always holds this lock too,
-- so two writers cannot deadlock on it.
CREATE FUNCTION apikeys_take_change_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	${takeChangeLock}
	RETURN NULL;
END $$;

CREATE FUNCTION apikeys_record_change(changed_key integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	numbered bigint;
BEGIN
	${takeChangeLock}
	INSERT INTO key_changes (key_id) VALUES (changed_key) RETURNING revision INTO numbered;
	IF numbered % 1000 = 0 AND numbered > ${keptChanges} THEN
		DELETE FROM key_changes WHERE revision <= numbered - ${keptChanges};
		UPDATE store_meta SET value = (numbered - ${keptChanges})::text WHERE name = 'changes_pruned_through';
	END IF;
	PERFORM pg_notify('${changeChannel}', '');
END $$;

CREATE FUNCTION apikeys_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM apikeys_record_change(OLD.id);
	ELSE
		PERFORM apikeys_record_change(NEW.id);
	END IF;
	RETURN NULL;
END $$;

CREATE FUNCTION apikeys_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM apikeys_record_change(NULL);
	RETURN NULL;
END $$;

CREATE TRIGGER api_keys_change_lock BEFORE INSERT OR DELETE OR UPDATE OF ${keyColumns} ON api_keys
	FOR EACH STATEMENT EXECUTE FUNCTION apikeys_take_change_lock();
CREATE TRIGGER api_keys_changed AFTER INSERT OR DELETE OR UPDATE OF ${keyColumns} ON api_keys
	FOR EACH ROW EXECUTE FUNCTION apikeys_key_changed();
CREATE TRIGGER settings_change_lock BEFORE INSERT OR DELETE OR UPDATE ON settings
	FOR EACH STATEMENT EXECUTE FUNCTION apikeys_take_change_lock();
CREATE TRIGGER settings_changed AFTER INSERT OR DELETE OR UPDATE ON settings
	FOR EACH ROW EXECUTE FUNCTION apikeys_settings_changed();
`,
};
