-- Schema version 3 partitions SQLite's index of records by source address
-- into blocks of 256 reports (see the SQLite migration of this version).
-- PostgreSQL keeps the index on the address alone: it inserts index
-- entries without rewriting whole pages at each commit, and its planner,
-- which cannot skip through the leading column of an index (before
-- version 18), would scan the table for an address's records instead.
-- The queries' conditions on the block are mere filters here.
COMMENT ON INDEX aggregate_records_source IS 'records by source address (schema version 3: not partitioned by report block on PostgreSQL)';
