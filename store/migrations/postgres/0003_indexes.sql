-- Schema version 3 partitions SQLite's index of records by source address
-- into blocks of 256 reports (see the SQLite migration of this version).
-- PostgreSQL keeps the index on the address alone: it inserts index
-- entries without rewriting whole pages at each commit, and its planner,
-- which cannot skip through the leading column of an index (before
-- version 18), would scan the table for an address's records instead.
-- The queries' conditions on the block are mere filters here.
COMMENT ON INDEX aggregate_records_source IS 'records by source address (schema version 3: not partitioned by report block on PostgreSQL)';

-- Indexes for the dashboard's filters without a policy domain: by day
-- (a date range over all domains) and by reporting organisation, on the
-- tables with a row per report or per day. Not on aggregate_failing, a
-- row per failing record: two such indexes cost ingest a fifth more CPU
-- per record, and its ranking over all domains reads it whole instead.
CREATE INDEX aggregate_days_day ON aggregate_days (day);
CREATE INDEX aggregate_days_org_day ON aggregate_days (org_name, day);
CREATE INDEX failure_reports_day ON failure_reports (day, arrival_ts);
CREATE INDEX tls_policies_day ON tls_policies (day);
CREATE INDEX tls_policies_org_day ON tls_policies (org_name, day);
CREATE INDEX tls_failures_day ON tls_failures (day);
CREATE INDEX tls_failures_org_day ON tls_failures (org_name, day);
