-- Aggregate and TLS reports (schema version 1).

CREATE TABLE aggregate_reports (
	id                 INTEGER PRIMARY KEY,
	org_name           TEXT    NOT NULL,
	report_id          TEXT    NOT NULL,
	policy_domain      TEXT    NOT NULL,
	begin_ts           INTEGER NOT NULL,
	end_ts             INTEGER NOT NULL,
	day                TEXT    NOT NULL,
	email              TEXT    NOT NULL,
	extra_contact_info TEXT    NOT NULL,
	generator          TEXT    NOT NULL,
	version            TEXT    NOT NULL,
	xmlns              TEXT    NOT NULL,
	errors             TEXT    NOT NULL,
	extension          TEXT    NOT NULL,
	policy             TEXT    NOT NULL,
	messages           INTEGER NOT NULL,
	records            INTEGER NOT NULL,
	warnings           TEXT    NOT NULL,
	warning_count      INTEGER NOT NULL,
	digest             TEXT    NOT NULL,
	signature          INTEGER NOT NULL,
	signed_by          TEXT    NOT NULL,
	source             TEXT    NOT NULL,
	ingested_at        INTEGER NOT NULL,
	UNIQUE (org_name, report_id, policy_domain, begin_ts, end_ts)
);
CREATE INDEX aggregate_reports_domain_day ON aggregate_reports (policy_domain, day);
CREATE INDEX aggregate_reports_day ON aggregate_reports (day);
CREATE INDEX aggregate_reports_end ON aggregate_reports (end_ts);
CREATE INDEX aggregate_reports_ingested ON aggregate_reports (ingested_at);

CREATE TABLE aggregate_days (
	report        INTEGER NOT NULL,
	day           TEXT    NOT NULL,
	policy_domain TEXT    NOT NULL,
	org_name      TEXT    NOT NULL,
	messages      INTEGER NOT NULL,
	dmarc_pass    INTEGER NOT NULL,
	dmarc_fail    INTEGER NOT NULL,
	dkim_aligned  INTEGER NOT NULL,
	spf_aligned   INTEGER NOT NULL,
	quarantined   INTEGER NOT NULL,
	rejected      INTEGER NOT NULL,
	PRIMARY KEY (report, day)
) WITHOUT ROWID;
CREATE INDEX aggregate_days_domain_day ON aggregate_days (policy_domain, day);

-- The rest of a record (policy evaluated, identifiers, authentication
-- results), as the JSON of report.Record, stored once however many
-- records share it: a sender's records repeat theirs day after day.
CREATE TABLE aggregate_details (
	id     INTEGER PRIMARY KEY,
	detail TEXT    NOT NULL UNIQUE
);

-- One row per record. id is the report's id times 2^24 plus the record's
-- number (from 1), so that a report's records are one range of the
-- primary key: no index on the report is needed.
CREATE TABLE aggregate_records (
	id            INTEGER PRIMARY KEY,
	source_ip     TEXT    NOT NULL,
	count         INTEGER NOT NULL,
	outcome       INTEGER NOT NULL,
	-- the rest of the record (aggregate_details)
	detail        INTEGER NOT NULL
);

-- By source address, covering the counts: the per-source page reads one
-- range of it, and the sources ranking scans it without the records' JSON.
CREATE INDEX aggregate_records_source ON aggregate_records (source_ip, count, outcome);

-- The records that failed DMARC (neither aligned DKIM nor aligned SPF
-- passed), ordered by domain and source address, for the failing-sources
-- ranking (which then sums each address's rows without sorting them).
CREATE TABLE aggregate_failing (
	policy_domain TEXT    NOT NULL,
	day           TEXT    NOT NULL,
	source_ip     TEXT    NOT NULL,
	record        INTEGER NOT NULL,
	org_name      TEXT    NOT NULL,
	count         INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, source_ip, day, record)
) WITHOUT ROWID;

-- aggregate_failing summed per domain and address over all time: the
-- failing-sources ranking of an unfiltered period reads this instead.
CREATE TABLE aggregate_failing_totals (
	policy_domain TEXT    NOT NULL,
	source_ip     TEXT    NOT NULL,
	count         INTEGER NOT NULL,
	PRIMARY KEY (policy_domain, source_ip)
) WITHOUT ROWID;

CREATE TABLE aggregate_conflicts (
	report      INTEGER NOT NULL,
	digest      TEXT    NOT NULL,
	source      TEXT    NOT NULL,
	messages    INTEGER NOT NULL,
	records     INTEGER NOT NULL,
	ingested_at INTEGER NOT NULL,
	PRIMARY KEY (report, digest)
);

CREATE TABLE tls_reports (
	id            INTEGER PRIMARY KEY,
	org_name      TEXT    NOT NULL,
	report_id     TEXT    NOT NULL,
	begin_ts      INTEGER NOT NULL,
	end_ts        INTEGER NOT NULL,
	day           TEXT    NOT NULL,
	contact_info  TEXT    NOT NULL,
	warnings      TEXT    NOT NULL,
	digest        TEXT    NOT NULL,
	signature     INTEGER NOT NULL,
	signed_by     TEXT    NOT NULL,
	source        TEXT    NOT NULL,
	ingested_at   INTEGER NOT NULL,
	UNIQUE (org_name, report_id)
);
CREATE INDEX tls_reports_end ON tls_reports (end_ts);
CREATE INDEX tls_reports_ingested ON tls_reports (ingested_at);

CREATE TABLE tls_conflicts (
	report      INTEGER NOT NULL,
	digest      TEXT    NOT NULL,
	source      TEXT    NOT NULL,
	ingested_at INTEGER NOT NULL,
	PRIMARY KEY (report, digest)
);

CREATE TABLE tls_policies (
	report        INTEGER NOT NULL,
	seq           INTEGER NOT NULL,
	policy_domain TEXT    NOT NULL,
	day           TEXT    NOT NULL,
	org_name      TEXT    NOT NULL,
	policy_type   TEXT    NOT NULL,
	policy_string TEXT    NOT NULL,
	mx_host       TEXT    NOT NULL,
	successful    INTEGER NOT NULL,
	failure       INTEGER NOT NULL,
	PRIMARY KEY (report, seq)
);
CREATE INDEX tls_policies_domain_day ON tls_policies (policy_domain, day);

CREATE TABLE tls_failures (
	report              INTEGER NOT NULL,
	policy              INTEGER NOT NULL,
	seq                 INTEGER NOT NULL,
	policy_domain       TEXT    NOT NULL,
	day                 TEXT    NOT NULL,
	org_name            TEXT    NOT NULL,
	result_type         TEXT    NOT NULL,
	sending_ip          TEXT    NOT NULL,
	receiving_mx        TEXT    NOT NULL,
	receiving_helo      TEXT    NOT NULL,
	receiving_ip        TEXT    NOT NULL,
	failed_sessions     INTEGER NOT NULL,
	additional_info     TEXT    NOT NULL,
	failure_reason_code TEXT    NOT NULL,
	PRIMARY KEY (report, policy, seq)
);
CREATE INDEX tls_failures_domain_day ON tls_failures (policy_domain, day);
