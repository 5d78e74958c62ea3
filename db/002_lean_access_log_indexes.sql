-- Every access-log insert updated four indexes besides the table; two are enough.
-- Time bounds are found by bisecting ids (entries are written in time order, within the batches'
-- slack), and a method filter scans bounded windows of ids as a path filter does. Statuses are
-- indexed only outside 2xx: the usual answer costs no index update, the ones looked for are found
-- at once, and a 2xx filter fills a page within a short scan.
DROP INDEX access_log_at;
DROP INDEX access_log_method;
DROP INDEX access_log_status;
CREATE INDEX access_log_unusual_status ON access_log (status_class, id) WHERE status_class <> 2;
