package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/tlsrpt"
)

// Store keeps DMARC aggregate reports and SMTP TLS reports and answers the
// dashboard's questions about them. Both engines (SQLite and PostgreSQL)
// implement it with the same schema and queries; a Store is safe for
// concurrent use.
type Store interface {
	// AddAggregate stores one aggregate report. A report already stored
	// under the same key (reporting org, report ID, policy domain, begin,
	// end) changes nothing: identical content is OutcomeDuplicate,
	// different content OutcomeConflict (recorded in the report's
	// conflicts, never replacing the first).
	AddAggregate(ctx context.Context, a *report.Aggregate, src Source) (Added, error)
	// AddAggregateStream is AddAggregate for a report read record by
	// record: its records are never all in memory. It reads st to its end.
	AddAggregateStream(ctx context.Context, st *report.Stream, src Source) (Added, error)
	// AddTLS stores one SMTP TLS report, keyed by (organization, report
	// ID), one row per policy.
	AddTLS(ctx context.Context, r *tlsrpt.Report, src Source) (Added, error)
	// AddFailure stores one failure report, keyed by the SHA-256 of its
	// feedback part, redacted (report.Redactor) unless the store was
	// opened with Options.KeepFailuresUnredacted.
	AddFailure(ctx context.Context, f *report.Failure, src Source) (Added, error)
	// Begin starts a Batch: aggregate reports added in one transaction,
	// each under a savepoint of its own (see Batch).
	Begin(ctx context.Context) (Batch, error)

	// Domains lists the policy domains with stored reports (aggregate
	// and TLS), sorted, at most limit (0: DefaultLimit): one TLS report
	// may name MaxRecords policy domains. Sorted by name, the query walks
	// the policy-domain indexes in order and stops at the limit; ranked by
	// volume, it would have to sum every report's row first.
	Domains(ctx context.Context, limit int) ([]string, error)
	// OrgNames lists the reporting organisations, sorted by their bytes
	// (whatever a PostgreSQL database's collation), at most limit (0:
	// DefaultLimit): every report may name another.
	OrgNames(ctx context.Context, f Filter, limit int) ([]string, error)
	// Days returns the counts per UTC day, split over the days of each
	// report's window by report.Summary's rule, so that they equal the
	// ByDay of report.Summary over the same reports: the latest limit
	// days (0: DefaultLimit), oldest first. Every report may add
	// report.MaxSplitDays days of its own; Total sums them all.
	Days(ctx context.Context, f Filter, limit int) ([]DayCounts, error)
	// Total returns the sum of Days.
	Total(ctx context.Context, f Filter) (report.Counts, error)
	// Sources returns counts per source address, most messages first, at
	// most limit (0: DefaultLimit). Reports count whole on their Day.
	Sources(ctx context.Context, f Filter, limit int) ([]SourceCounts, error)
	// SourceDays returns the counts of one source address per UTC day
	// (each report's share split as Days does).
	SourceDays(ctx context.Context, f Filter, ip string) ([]DayCounts, error)
	// Orgs returns counts per reporting organisation, most messages
	// first (then by name, as OrgNames sorts), at most limit (0:
	// DefaultLimit).
	Orgs(ctx context.Context, f Filter, limit int) ([]OrgCounts, error)
	// FailingSources returns the source addresses with the most messages
	// failing DMARC, at most limit (0: DefaultLimit), each with the
	// diagnoses report.Summary makes of its records.
	FailingSources(ctx context.Context, f Filter, limit int) ([]FailingSource, error)
	// Reports lists stored aggregate reports, newest window first.
	Reports(ctx context.Context, f Filter, p Page) ([]ReportInfo, error)
	// Report returns one stored aggregate report with its records (at
	// most Options.MaxRecords), warnings and conflicting duplicates (at
	// most MaxLimit); ErrNotFound if there is none.
	Report(ctx context.Context, id int64) (*ReportDetail, error)
	// ReportHead returns what Report does with only the first limit
	// records (0: DefaultLimit, at most MaxLimit; ReportInfo.Records
	// counts them all), and the report's counts over all its records, so
	// that a page can show a report of a million records without
	// reading them all.
	ReportHead(ctx context.Context, id int64, limit int) (*ReportDetail, report.Counts, error)
	// Policies returns each distinct published policy seen for the
	// domain(s), with when it was first and last seen, oldest first: the
	// limit (0: DefaultLimit) seen last when there are more (every report
	// may publish another).
	Policies(ctx context.Context, f Filter, limit int) ([]PolicyPeriod, error)
	// TLSDays returns TLS session counts per policy domain and UTC day
	// (a TLS report's day is its start date's), by day then domain, at
	// most limit rows (0: DefaultLimit): a day has a row per policy
	// domain, and one report may hold MaxRecords of them. When there are
	// more, the latest days are kept, as by Days (and of the earliest day
	// kept, its first domains, sorted by their bytes as OrgNames sorts).
	TLSDays(ctx context.Context, f Filter, limit int) ([]TLSDayCounts, error)
	// TLSDayTotals returns TLS session counts per UTC day, the selected
	// policy domains together (TLSDayCounts.Domain is ""): one row per
	// day, as Days has, the latest limit days (0: DefaultLimit), oldest
	// first.
	TLSDayTotals(ctx context.Context, f Filter, limit int) ([]TLSDayCounts, error)
	// TLSTotal returns the sum of TLSDayTotals over every day (Day and
	// Domain are "").
	TLSTotal(ctx context.Context, f Filter) (TLSDayCounts, error)
	// TLSDomains lists the policy domains of the selected TLS reports,
	// sorted, at most limit (0: DefaultLimit).
	TLSDomains(ctx context.Context, f Filter, limit int) ([]string, error)
	// TLSFailures returns TLS failure details grouped by result type,
	// receiving MX and sending address, most failed sessions first.
	TLSFailures(ctx context.Context, f Filter, limit int) ([]TLSFailure, error)
	// Failures lists stored failure reports, newest arrival first
	// (Filter.Domain is the reported domain; Filter.Org does not apply).
	Failures(ctx context.Context, f Filter, p Page) ([]FailureInfo, error)
	// FailureCount counts the failure reports Failures would list over
	// all pages.
	FailureCount(ctx context.Context, f Filter) (int, error)
	// Failure returns one stored failure report; ErrNotFound if there is
	// none.
	Failure(ctx context.Context, id int64) (*FailureDetail, error)
	// LastIngest returns when a report was last added (the zero time if
	// none was).
	LastIngest(ctx context.Context) (time.Time, error)

	// Prune deletes the aggregate and TLS reports whose window ended
	// before the given time.
	Prune(ctx context.Context, before time.Time) (Pruned, error)
	// PruneFailures deletes the failure reports that arrived before the
	// given time (their own retention: they hold personal data).
	PruneFailures(ctx context.Context, before time.Time) (int, error)
	// Close releases the database.
	Close() error
}

// DefaultLimit is the number of rows a ranking or listing returns when its
// limit is 0 or negative; MaxLimit bounds any limit (a larger one is taken
// as MaxLimit). Every method with a limit or a Page follows this rule.
const (
	DefaultLimit = 20
	MaxLimit     = 10_000
)

// Filter selects reports. The zero Filter selects everything.
type Filter struct {
	// Domain is the policy domain (<policy_published><domain>), "" for all.
	Domain string
	// From and To bound the UTC days, inclusive, as "2006-01-02"; "" is
	// open. Days selects day shares; the other queries select reports
	// whose Day (see ReportInfo.Day) is in range.
	From, To string
	// Org is the reporting organisation (<org_name>), "" for all.
	Org string
}

// Validate checks the filter's dates.
func (f Filter) Validate() error {
	for _, d := range []struct{ name, v string }{{"from", f.From}, {"to", f.To}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			return fmt.Errorf("store: filter %s %q: not a date (2006-01-02)", d.name, d.v)
		}
	}
	return nil
}

// Page selects a slice of a listing: Limit rows (0: DefaultLimit) after
// skipping Offset.
type Page struct {
	Limit, Offset int
}

// Source says where a report came from.
type Source struct {
	// Name is the file, or file and message number for an mbox or
	// Maildir, shown in the report list.
	Name string
	// Signature is the DKIM verdict on the email that carried the report;
	// SignatureNotEmail for a report read from a file.
	Signature Signature
	// SignedBy is the signing domain of the valid signature.
	SignedBy string
}

// Signature is what a report's email said about its origin.
type Signature uint8

// Signature verdicts.
const (
	// SignatureNotEmail: the report did not arrive in an email.
	SignatureNotEmail Signature = iota
	// SignatureUnverified: it did, but no check was made (no resolver).
	SignatureUnverified
	// SignaturePass: a valid DKIM signature by the reporting
	// organisation's domain (or a parent of it).
	SignaturePass
	// SignatureFail: no such valid signature.
	SignatureFail
	// SignatureTempError: a key lookup failed temporarily.
	SignatureTempError
)

// String returns not-email, unverified, pass, fail or temperror.
func (s Signature) String() string {
	switch s {
	case SignatureUnverified:
		return "unverified"
	case SignaturePass:
		return "pass"
	case SignatureFail:
		return "fail"
	case SignatureTempError:
		return "temperror"
	}
	return "not-email"
}

// MarshalText writes the verdict's name.
func (s Signature) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Outcome says what adding a report did.
type Outcome uint8

// Outcomes.
const (
	// OutcomeAdded: the report was new and is stored.
	OutcomeAdded Outcome = iota
	// OutcomeDuplicate: the same report was already stored; nothing changed.
	OutcomeDuplicate
	// OutcomeConflict: a report with the same key but other content was
	// already stored; the first is kept and the conflict recorded.
	OutcomeConflict
)

// String returns added, duplicate or conflict.
func (o Outcome) String() string {
	switch o {
	case OutcomeDuplicate:
		return "duplicate"
	case OutcomeConflict:
		return "conflict"
	}
	return "added"
}

// Added is the result of adding a report.
type Added struct {
	Outcome Outcome
	// ID is the stored report's ID (the first one's, for a duplicate).
	ID      int64
	Records int
}

// Errors.
var (
	// ErrNotFound: no report has that ID.
	ErrNotFound = errors.New("store: not found")
	// ErrNotAllowed: the report's policy domain is not in
	// Options.AllowDomains.
	ErrNotAllowed = errors.New("store: policy domain not allowed")
	// ErrTooLarge: a report exceeds a bound of Options.
	ErrTooLarge = errors.New("store: report too large")
	// ErrSchema: the database's schema is newer than this program knows.
	ErrSchema = errors.New("store: unknown schema version")
)

// DayCounts is one UTC day's counts ("2006-01-02", the key of
// report.Summary.ByDay).
type DayCounts struct {
	Day string `json:"day"`
	report.Counts
}

// SourceCounts is one source address's counts.
type SourceCounts struct {
	SourceIP string `json:"source_ip"`
	Reports  int    `json:"reports"`
	report.Counts
}

// OrgCounts is one reporting organisation's counts.
type OrgCounts struct {
	OrgName string `json:"org_name"`
	Reports int    `json:"reports"`
	report.Counts
}

// FailingSource is a source address whose messages failed DMARC.
type FailingSource struct {
	SourceIP string `json:"source_ip"`
	// Provider names the sending service report.Summary attributes the
	// most messages to (report.DefaultSenders, by the passing DKIM and SPF
	// domains), else the email service provider whose domains the records
	// name (report.KnownESPs); "" if none.
	Provider string `json:"provider,omitempty"`
	// HeaderFrom lists the header From domains of its records (at most
	// MaxSampleDomains, sorted).
	HeaderFrom []string `json:"header_from,omitempty"`
	report.Counts
	Diagnoses []report.Diagnosis `json:"diagnoses,omitempty"`
}

// MaxSampleDomains bounds FailingSource.HeaderFrom.
const MaxSampleDomains = 5

// ReportInfo describes one stored aggregate report.
type ReportInfo struct {
	ID           int64     `json:"id"`
	OrgName      string    `json:"org_name"`
	Email        string    `json:"email,omitempty"`
	ReportID     string    `json:"report_id"`
	PolicyDomain string    `json:"policy_domain"`
	Begin        time.Time `json:"begin"`
	End          time.Time `json:"end"`
	// Day is the UTC day the report counts on outside the per-day
	// figures: the day holding the middle of its window.
	Day        string    `json:"day"`
	Messages   uint64    `json:"messages"`
	Records    int       `json:"records"`
	Warnings   int       `json:"warnings"`
	Signature  Signature `json:"signature"`
	SignedBy   string    `json:"signed_by,omitempty"`
	Source     string    `json:"source"`
	IngestedAt time.Time `json:"ingested_at"`
	Conflicts  int       `json:"conflicts"`
}

// ReportDetail is a stored report with its records and warnings.
type ReportDetail struct {
	ReportInfo
	// Aggregate is the report as stored: metadata, policy, records and
	// the decoder's warnings.
	Aggregate *report.Aggregate `json:"report"`
	// ConflictList lists the other versions met under the same key, the
	// first MaxLimit met (ReportInfo.Conflicts counts them all: each
	// upload of a changed copy adds one).
	ConflictList []Conflict `json:"conflict_list,omitempty"`
}

// Conflict is a report met under the key of a stored one with other content.
type Conflict struct {
	Source     string    `json:"source"`
	Digest     string    `json:"digest"`
	Messages   uint64    `json:"messages"`
	Records    int       `json:"records"`
	IngestedAt time.Time `json:"ingested_at"`
}

// PolicyPeriod is one published policy and when reports saw it.
type PolicyPeriod struct {
	Domain string                 `json:"domain"`
	Policy report.PolicyPublished `json:"policy"`
	// First and Last are the first and last report Day that saw it.
	First    string `json:"first"`
	Last     string `json:"last"`
	Reports  int    `json:"reports"`
	Messages uint64 `json:"messages"`
}

// TLSDayCounts is one policy domain's TLS sessions on one UTC day (every
// selected domain's, Domain "", from TLSDayTotals).
type TLSDayCounts struct {
	Day        string `json:"day"`
	Domain     string `json:"policy_domain"`
	Successful uint64 `json:"successful"`
	Failure    uint64 `json:"failure"`
}

// TLSFailure is a group of TLS failure details.
type TLSFailure struct {
	Domain      string            `json:"policy_domain"`
	ResultType  tlsrpt.ResultType `json:"result_type"`
	ReceivingMX string            `json:"receiving_mx_hostname,omitempty"`
	SendingIP   string            `json:"sending_mta_ip,omitempty"`
	ReceivingIP string            `json:"receiving_ip,omitempty"`
	// FailureReasonCode is the reporter's free-form reason (RFC 8460
	// §4.4 "failure-reason-code").
	FailureReasonCode string `json:"failure_reason_code,omitempty"`
	FailedSessions    uint64 `json:"failed_sessions"`
	Reports           int    `json:"reports"`
}

// Pruned counts what Prune deleted.
type Pruned struct {
	Aggregate int `json:"aggregate"`
	TLS       int `json:"tls"`
}
