-- Failure reports (RFC 9991 / ARF), keyed by the SHA-256 of their
-- feedback part (schema version 2). Personal data (addresses, header
-- fields) is stored redacted unless the ingest was told otherwise; the
-- redacted column says which.

CREATE TABLE failure_reports (
	id                 INTEGER PRIMARY KEY,
	digest             TEXT    NOT NULL UNIQUE,
	reported_domain    TEXT    NOT NULL,
	arrival_ts         INTEGER NOT NULL,
	day                TEXT    NOT NULL,
	source_ip          TEXT    NOT NULL,
	feedback_type      TEXT    NOT NULL,
	auth_failure       TEXT    NOT NULL,
	delivery_result    TEXT    NOT NULL,
	original_mail_from TEXT    NOT NULL,
	original_rcpt_to   TEXT    NOT NULL,
	dkim_domain        TEXT    NOT NULL,
	dkim_selector      TEXT    NOT NULL,
	spf_dns            TEXT    NOT NULL,
	reporting_mta      TEXT    NOT NULL,
	user_agent         TEXT    NOT NULL,
	headers            TEXT    NOT NULL,
	redacted           INTEGER NOT NULL,
	signature          INTEGER NOT NULL,
	signed_by          TEXT    NOT NULL,
	source             TEXT    NOT NULL,
	ingested_at        INTEGER NOT NULL
);
CREATE INDEX failure_reports_domain_day ON failure_reports (reported_domain, day);
CREATE INDEX failure_reports_ingested ON failure_reports (ingested_at);
