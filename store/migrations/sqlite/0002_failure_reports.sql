-- Failure reports (RFC 9991 / ARF), keyed by the SHA-256 of their
-- feedback part (schema version 2). The report is kept as the JSON of
-- report.Failure, redacted (report.Redactor) unless the store was told
-- otherwise; the redacted column says which. Failure reports have their
-- own retention.

CREATE TABLE failure_reports (
	id              INTEGER PRIMARY KEY,
	digest          TEXT    NOT NULL UNIQUE,
	reported_domain TEXT    NOT NULL,
	arrival_ts      INTEGER NOT NULL,
	day             TEXT    NOT NULL,
	source_ip       TEXT    NOT NULL,
	feedback_type   TEXT    NOT NULL,
	auth_failure    TEXT    NOT NULL,
	delivery_result TEXT    NOT NULL,
	incidents       INTEGER NOT NULL,
	report          TEXT    NOT NULL,
	redacted        INTEGER NOT NULL,
	signature       INTEGER NOT NULL,
	signed_by       TEXT    NOT NULL,
	source          TEXT    NOT NULL,
	ingested_at     INTEGER NOT NULL
);
CREATE INDEX failure_reports_domain_day ON failure_reports (reported_domain, day);
CREATE INDEX failure_reports_ingested ON failure_reports (ingested_at);

-- Values the store keeps for itself, such as the redaction key.
CREATE TABLE settings (
	name  TEXT NOT NULL PRIMARY KEY,
	value TEXT NOT NULL
);
