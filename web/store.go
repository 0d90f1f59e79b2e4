package web

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/domainauth/domainauth/report"
)

// Store is what the dashboard reads: the queries behind its pages. The
// store package's database satisfies it through an adapter (see FromStore);
// tests use an in-memory one. Every method is called with the request's
// context and must be safe for concurrent use.
type Store interface {
	// Domains returns the policy domains that have reports, sorted.
	Domains(ctx context.Context) ([]string, error)
	// Days returns the counts per UTC day for the filter, oldest first.
	// A report whose window spans several days is split over them by
	// report.Summary's rule (Summary.ByDay), so that the days agree with
	// `domainauth report summary` to the message.
	Days(ctx context.Context, f Filter) ([]Day, error)
	// Sources returns up to limit source addresses, most DMARC failures
	// first (ties by address), each with its diagnoses.
	Sources(ctx context.Context, f Filter, limit int) ([]Source, error)
	// Orgs returns the reporting organisations with their counts, most
	// messages first.
	Orgs(ctx context.Context, f Filter) ([]Org, error)
	// Policies returns the distinct published policies with the first
	// and last report window that saw each, oldest first.
	Policies(ctx context.Context, f Filter) ([]Policy, error)
	// Reports returns up to limit reports, newest window first.
	Reports(ctx context.Context, f Filter, limit int) ([]ReportInfo, error)
	// Report returns one report by its store id, or an error that
	// matches ErrNotFound.
	Report(ctx context.Context, id int64) (*ReportDetail, error)
	// LastIngest returns the time of the last ingest, the zero time when
	// nothing was ever ingested.
	LastIngest(ctx context.Context) (time.Time, error)
	// Ping reports whether the store answers (the health endpoint).
	Ping(ctx context.Context) error
}

// ErrNotFound is what a Store returns (wrapped or not) for a report that
// does not exist.
var ErrNotFound = errors.New("web: not found")

// Filter selects the reports and days a page covers. Zero fields select
// everything.
type Filter struct {
	// Domain is a policy domain (<policy_published><domain>), lower case.
	Domain string
	// Org is a reporting organisation's name (<org_name>) as reported.
	Org string
	// From and To bound the UTC days, both inclusive; the zero time leaves
	// that end open. Days covers exactly these days; the other queries
	// cover the reports whose window overlaps them.
	From, To time.Time
	// IP limits the rows to one source address (the page of a source);
	// the zero Addr selects every source.
	IP netip.Addr
}

// Day is the counts of one UTC day.
type Day struct {
	Day string `json:"day"` // 2006-01-02
	report.Counts
}

// Source is one source address with its counts over the filter.
type Source struct {
	IP netip.Addr `json:"source_ip"`
	// PTR is the address's reverse DNS name, "" when unknown.
	PTR string `json:"ptr,omitempty"`
	// Provider names the sending service, "" when unknown.
	Provider string `json:"provider,omitempty"`
	report.Counts
	// Diagnoses explain the failures (report.Summary's diagnoses over
	// this source's rows).
	Diagnoses []report.Diagnosis `json:"diagnoses,omitempty"`
}

// Org is one reporting organisation with its counts over the filter.
type Org struct {
	Name    string `json:"org_name"`
	Reports int    `json:"reports"`
	report.Counts
}

// Policy is one published policy and when reports saw it.
type Policy struct {
	report.PolicyPublished
	// First and Last are the begin of the earliest and the end of the
	// latest report window that saw the policy.
	First   time.Time `json:"first"`
	Last    time.Time `json:"last"`
	Reports int       `json:"reports"`
}

// ReportInfo is a report's identity and totals.
type ReportInfo struct {
	ID       int64     `json:"id"` // the store's id, used in links
	OrgName  string    `json:"org_name"`
	ReportID string    `json:"report_id"`
	Domain   string    `json:"policy_domain"`
	Begin    time.Time `json:"begin"`
	End      time.Time `json:"end"`
	report.Counts
	Records  int `json:"records"`
	Warnings int `json:"warnings"`
	// DKIMVerified says whether the report arrived by email with a valid
	// DKIM signature of the reporting organisation's domain.
	DKIMVerified bool      `json:"dkim_verified"`
	Ingested     time.Time `json:"ingested"`
}

// ReportDetail is one report in full.
type ReportDetail struct {
	ReportInfo
	// Report holds the metadata, policy, rows and the decoder's warnings.
	Report *report.Aggregate `json:"report"`
}
