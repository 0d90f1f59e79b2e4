// Package store keeps DMARC aggregate reports and SMTP TLS reports in a
// database and answers the report dashboard's questions about them. It is
// an I/O package: it touches the file system (a SQLite file) or the
// network (a PostgreSQL server); library packages never import it.
//
// # Engines
//
// Open takes a postgres:// (or postgresql://) URL for PostgreSQL, through
// pgx v5's database/sql driver, or else the path of a SQLite file: the
// embedded default, through modernc.org/sqlite (pure Go, no cgo, so
// `go install` keeps working). The SQLite driver version is pinned to
// v1.62.0 (with the modernc.org/libc version its go.mod names), which
// passes this package's tests under -race (checkptr). With no path,
// DefaultPath: $XDG_DATA_HOME/domainauth/reports.db, else
// ~/.local/share/domainauth/reports.db on Unix (the user configuration
// directory elsewhere); `domainauth report ingest` and `report serve` both
// use it, and both read the environment variable DOMAINAUTH_DB (EnvDB)
// when --db is not given. The file is created with mode 0600 in a folder
// created with 0700, in WAL mode (readers run beside a writer) with a busy
// timeout (Options.BusyTimeout, 10 s) so that an ingest and the dashboard
// can run at once.
//
// SQLite runs with synchronous=NORMAL: in WAL mode a commit is not synced
// to disk until the next checkpoint, so a committed report survives the
// program crashing but may be lost (never half-written: the database
// stays consistent) if the machine loses power or the operating system
// crashes soon after. Re-ingesting the same files restores it. Each
// connection keeps up to 64 MiB of page cache, so that ingest finds the
// source-address index's pages in memory on a database of millions of
// records.
//
// Both engines run the same schema and queries (placeholders are rewritten
// for PostgreSQL), and the tests run the same code against both.
//
// # Migrations
//
// The schema is versioned by numbered SQL files embedded per engine
// (migrations/sqlite, migrations/postgres). On Open, each migration not
// yet recorded in the schema_migrations table runs in its own
// transaction together with its record, so a failed migration leaves the
// previous version intact; concurrent openers are serialised by SQLite's
// write lock and by a PostgreSQL advisory lock. A database newer than the
// program is refused (ErrSchema). A migration library would bring its
// own driver registry, command-line tool and file-system abstraction for
// what is here a handful of ordered files and one table; the runner is
// about a hundred lines and is tested from an empty database and from each
// earlier version on both engines.
//
// # Schema
//
// An aggregate report is identified by (reporting org, report ID, policy
// domain, begin, end); a TLS report by (organization, report ID), with one
// row per policy; a failure report by the SHA-256 of its feedback part
// and the reported message's header fields (report.Failure.Identity, the
// rule by which report.Summary counts repeated copies once).
// Re-adding a report changes nothing (OutcomeDuplicate); a report under a
// stored key with other content (compared by a SHA-256 digest of its
// content, warnings excluded) is recorded as a conflict of the first
// (OutcomeConflict, ReportDetail.ConflictList).
//
// Every query is backed by an index. Per-day counts come from
// aggregate_days, one row per report and UTC day (index on policy domain
// and day). Records are one row each in aggregate_records, whose key is
// the report's id times 2^24 plus the record's number, so a report's
// records are one key range (no index on the report), with an index on the
// source address that covers the counts, for the per-source page and the
// sources ranking. On SQLite that index leads with the record's block of
// 256 reports (its id over 2^32, schema version 3): ingest then writes
// into the newest block's part of the index, a few hundred pages, instead
// of all over an index as large as the file, whose pages each commit
// would rewrite; a query by address reads one index range per block of
// the reports it selects. PostgreSQL, which adds index entries without
// rewriting pages at commit, keeps the index on the address alone. The rest of a record (policy evaluated, identifiers,
// authentication results) is kept as the JSON of report.Record in
// aggregate_details, once however many records share it (a sender's
// records repeat theirs day after day; details are not pruned). The
// records that failed DMARC are copied into
// the narrow aggregate_failing table, keyed by domain, address and day,
// for the failing-sources ranking of a period, and summed per domain and
// address in aggregate_failing_totals for the ranking over all time. The
// report list, policies and retention use aggregate_reports (indexes on
// domain and day, day, end of window, ingest time). A filter without a
// policy domain (a date range, a reporting organisation) finds its rows
// through indexes by day and by organisation on the per-day, TLS and
// failure tables; TestQueriesUseIndexes reads SQLite's plan of every
// dashboard query under each shape of filter and fails on a full scan
// it does not list. (The failing-sources ranking of such a filter reads
// aggregate_failing whole: indexes on that table, a row per failing
// record, would cost ingest a fifth more per record.) The sources ranking
// (Sources) reads the index entry of every record of the selected reports:
// it is the one query whose time grows with the records selected (about
// 1.5 s for a million on the reference machine).
//
// # Batches
//
// AddAggregate commits each report in a transaction of its own. A commit
// writes every index page the report touched, so reports of a few
// hundred records cost several times more per record that way than
// reports added together. Begin starts a Batch: reports added in one
// transaction, each under a SAVEPOINT of its own, so that one report
// failing (too large, not allowed, a broken stream, a database error)
// rolls back that report alone and the others commit. Idempotency and
// conflicts are exactly AddAggregate's, earlier reports of the batch
// included. On SQLite a batch holds the write lock until it commits;
// the ingest package commits every 64 reports or after 1 s. On
// PostgreSQL (ParallelWriter) ingest adds each report in its own
// transaction instead: its connections write side by side, which beats
// one batch writing its reports in turn. Ingest's
// statements are prepared once per connection and reused. On the
// reference machine (2 cores, whose speed varies by a third from hour to
// hour), ingesting the first million records in reports of 250 costs 10
// to 15 us of CPU per record one report per transaction and 6.4 to 11.9
// us in batches of 64, some 105,000 records a second (median; 68,000 to
// 128,000) into SQLite (BenchmarkIngestBatch with -benchtime 4000x;
// before the index blocks of schema version 3, 18 to 29 us and 12 to 17
// us, 50,000 to 69,000 a second). PostgreSQL takes some 60,000 records a
// second from one writer (COPY; BenchmarkIngest). The savepoint journals of a batch are kept in memory
// (temp_store, as are the temporary b-trees of queries).
//
// # Agreement with report summary
//
// A report's per-day shares are computed at ingest by report.Summary
// itself (its multi-day rule splits the report's totals over the days of
// its window), so Days over a set of reports equals the ByDay of
// report.Summary over the same files, to the message. SourceDays and the
// diagnoses of FailingSources likewise run report.Summary over the stored
// records. Orgs splits like Days; the other queries count a report whole
// on its Day (the UTC day of the middle of its window).
//
// # Trust
//
// Anyone can mail a rua= address. Source.Signature records whether a
// report that arrived by email carried a valid DKIM signature of the
// reporting organisation's domain (the ingest package checks it), and
// Options.AllowDomains limits the accepted policy domains.
//
// # Limits
//
//	Options.MaxReportMessages  2^40         messages of one aggregate report (sessions of a TLS report)
//	Options.MaxRecords         1,000,000    records of one aggregate report (policies and details of a TLS report)
//	Options.BusyTimeout        10 s         SQLite lock wait
//	(fixed)                    64 MiB       SQLite page cache per connection (4 connections)
//	DefaultLimit, MaxLimit     20, 10,000   rows of a ranking or listing (TLSDays: a row per policy domain and day;
//	                                        Domains, TLSDomains: one TLS report may name MaxRecords policy domains;
//	                                        OrgNames, Orgs, Policies: every report may name another;
//	                                        Days, TLSDays, TLSDayTotals: the latest days, every report may add its own;
//	                                        ReportHead: the first records of a report, Report giving them all)
//	MaxLimit                   10,000       conflicting copies listed with a report (ReportDetail.ConflictList)
//	MaxSourceRecords           20,000       records read for one source's days and diagnoses
//	MaxSampleDomains           5            header From domains listed per failing source
//	(fixed)                    100,000      record details whose ids a Store remembers (memory)
//	(fixed)                    512          statements a Store keeps prepared (ingest's; past it, per transaction)
//	(fixed)                    1,000        query texts whose PostgreSQL placeholders a Store remembers
//	(fixed)                    4            failing sources FailingSources reads at once
//
// # Testing
//
// The tests run the same code against both engines. PostgreSQL tests read
// a server URL from DOMAINAUTH_TEST_POSTGRES (each test works in a schema
// of its own there); without it they skip with a message, and fail when
// CI=true. .ci/run installs PostgreSQL from the distribution's packages,
// starts a throwaway cluster in a temporary folder and sets the variable.
//
// # Failure reports
//
// AddFailure keeps a failure report (RFC 9991) as the JSON of
// report.Failure beside its key fields, redacted by report.Redactor unless
// Options.KeepFailuresUnredacted: local parts of addresses become keyed
// tokens, the original's body and the content-bearing header fields are
// dropped. The Redactor's key is Options.RedactKey, or a random key the
// store makes once and keeps in its settings table (whoever holds the
// database can test a guessed address against a token). Failure reports
// have their own retention (PruneFailures; `report ingest
// --keep-failures`), apart from Prune's.
package store
