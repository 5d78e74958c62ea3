/**
 * The PostgreSQL store (issue 22): several `serve` nodes on one database, each verifying against
 * its own in-memory index of keys kept current from the ordered change feed. Not yet wired: no
 * command reaches this folder until issue 22's `--db=postgres://…` lands with the engine that
 * implements the server's `ServedStore` seam (issue 20). What is here: the schema and its
 * migrations, the store's shared facts (profile, secret check), the change feed, the in-memory
 * key index verification will read, and the access log's daily partitions.
 */
export { changesAfter, databaseIdentity, followChanges, headRevision, type ChangeBatch, type ChangeFollower, type FollowOptions, type KeyChange } from "./change-feed.js";
export { changeChannel, keptChanges, lockNamespace, lockPurpose } from "./coordination.js";
export { isPostgresUrl, redactedUrl } from "./database-url.js";
export { dropAccessLogPartitionsBefore, ensureAccessLogPartitions, partitionName } from "./access-log-partitions.js";
export { PostgresKeyIndex, type KeyIndexOptions } from "./key-index.js";
export { latestSchema, prepareSchema, readSchema, type SchemaState } from "./schema.js";
export { settleMeta, settleSecret } from "./store-meta.js";
