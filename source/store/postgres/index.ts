/**
 * The PostgreSQL store (issue 22): several `serve` nodes on one database, each verifying against
 * its own in-memory index of keys kept current from the ordered change feed. PostgresStore is the
 * engine (the server's `ServedStore` seam); not yet wired: no command reaches this folder until
 * `--db=postgres://…` lands. Beside it: the schema and its migrations, the store's shared facts
 * (profile, secret check), the change feed, the key index, and the access log's daily partitions.
 */
export { changesAfter, databaseIdentity, followChanges, headRevision, type ChangeBatch, type ChangeFollower, type FollowedBatch, type FollowOptions, type KeyChange, type RevocationNotice } from "./change-feed.js";
export { changeChannel, keptChanges, lockNamespace, lockPurpose } from "./coordination.js";
export { isPostgresUrl, redactedUrl } from "./database-url.js";
export { dropAccessLogPartitionsBefore, ensureAccessLogPartitions, partitionName } from "./access-log-partitions.js";
export { PostgresKeyIndex, type KeyIndexOptions } from "./key-index.js";
export { latestSchema, prepareSchema, readableFrom, readSchema, type SchemaState } from "./schema.js";
export { PostgresStore } from "./postgres-store.js";
export type { PostgresOpenOptions } from "./open-database.js";
