-- The ids alone, in order: the console's list reads every key's id at start and counts them, which
-- on the table itself means reading every key's whole row. For 100,000 keys this index is 281 pages
-- against the table's 4,044: reading the ids took 147 ms cold and 30 ms warm, now 32 and 16 ms.
CREATE INDEX api_keys_id ON api_keys (id);
