/** The PostgreSQL store's migrations, in the order they apply; a new one is a new numbered module added here. */
import { keysMigration } from "./001-keys.js";
import { keyChangesMigration } from "./002-key-changes.js";
import { accessLogMigration } from "./003-access-log.js";
import { revocationNoticesMigration } from "./004-revocation-notices.js";
import type { Migration } from "./migration.js";

export type { Migration } from "./migration.js";

export const migrations: readonly Migration[] = [keysMigration, keyChangesMigration, accessLogMigration, revocationNoticesMigration];
