-- The ids alone, in order: the console's list reads every key's id at start and counts them, which on
-- the table itself means reading every key's whole row (figures: docs/PERFORMANCE.md, journal).
CREATE INDEX api_keys_id ON api_keys (id);
