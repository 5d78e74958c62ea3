/**
 * A change that can only make a key refused sooner names itself in its notification, so a node can
 * refuse the key at once instead of a query later (key-index.ts; the ordered change feed still
 * confirms it). The payload is `<revision> <key id> <what>`, what being `deleted`, `rolled` (the
 * old text no longer matches), `disabled` or `expires <epoch ms>` (an expiration brought forward);
 * any other change keeps the empty payload. Nothing secret goes in it: any role that may connect to
 * the database may LISTEN, and ids and expirations are what every key list shows. Only the
 * notification changes, so programs of schema 3 keep working (they ignore payloads).
 */
import { changeChannel, keptChanges, lockNamespace, lockPurpose } from "../coordination.js";
import type { Migration } from "./migration.js";

export const revocationNoticesMigration: Migration = {
	version: 4,
	compatibleFrom: 3,
	sql: `
CREATE FUNCTION apikeys_record_change(changed_key integer, refusal text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	numbered bigint;
BEGIN
	PERFORM pg_advisory_xact_lock(${lockNamespace}, ${lockPurpose.changeOrder});
	INSERT INTO key_changes (key_id) VALUES (changed_key) RETURNING revision INTO numbered;
	IF numbered % 1000 = 0 AND numbered > ${keptChanges} THEN
		DELETE FROM key_changes WHERE revision <= numbered - ${keptChanges};
		UPDATE store_meta SET value = (numbered - ${keptChanges})::text WHERE name = 'changes_pruned_through';
	END IF;
	PERFORM pg_notify('${changeChannel}', CASE WHEN refusal IS NULL THEN '' ELSE numbered || ' ' || changed_key || ' ' || refusal END);
END $$;

CREATE OR REPLACE FUNCTION apikeys_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' THEN
		PERFORM apikeys_record_change(OLD.id, 'deleted');
	ELSIF TG_OP = 'INSERT' THEN
		PERFORM apikeys_record_change(NEW.id, NULL);
	ELSIF NEW.key_digest <> OLD.key_digest THEN
		PERFORM apikeys_record_change(NEW.id, 'rolled');
	ELSIF OLD.enabled AND NOT NEW.enabled THEN
		PERFORM apikeys_record_change(NEW.id, 'disabled');
	ELSIF NEW.expiration < coalesce(OLD.expiration, 'infinity') THEN
		PERFORM apikeys_record_change(NEW.id, 'expires ' || floor(extract(epoch FROM NEW.expiration) * 1000)::bigint);
	ELSE
		PERFORM apikeys_record_change(NEW.id, NULL);
	END IF;
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION apikeys_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM apikeys_record_change(NULL, NULL);
	RETURN NULL;
END $$;

DROP FUNCTION apikeys_record_change(integer);
`,
};
