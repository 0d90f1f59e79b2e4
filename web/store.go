package web

import (
	"context"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
)

// Store is what the dashboard reads: the queries of store.Dashboard, which
// both of the store package's engines implement. Per-day figures (Days,
// SourceDays) split each report's window over its days by report.Summary's
// rule, so the dashboard and `domainauth report summary` agree to the
// message. Tests may pass any implementation.
type Store interface {
	Domains(ctx context.Context, limit int) ([]string, error)
	OrgNames(ctx context.Context, f store.Filter, limit int) ([]string, error)
	Days(ctx context.Context, f store.Filter, limit int) ([]store.DayCounts, error)
	Total(ctx context.Context, f store.Filter) (report.Counts, error)
	SourceDays(ctx context.Context, f store.Filter, ip string) ([]store.DayCounts, error)
	Sources(ctx context.Context, f store.Filter, limit int) ([]store.SourceCounts, error)
	FailingSources(ctx context.Context, f store.Filter, limit int) ([]store.FailingSource, error)
	Source(ctx context.Context, f store.Filter, ip string) (store.FailingSource, error)
	SourceReports(ctx context.Context, f store.Filter, ip string, p store.Page) ([]store.ReportInfo, error)
	Orgs(ctx context.Context, f store.Filter, limit int) ([]store.OrgCounts, error)
	Policies(ctx context.Context, f store.Filter, limit int) ([]store.PolicyPeriod, error)
	Reports(ctx context.Context, f store.Filter, p store.Page) ([]store.ReportInfo, error)
	Report(ctx context.Context, id int64) (*store.ReportDetail, error)
	ReportHead(ctx context.Context, id int64, limit int) (*store.ReportDetail, report.Counts, error)
	TLSDays(ctx context.Context, f store.Filter, limit int) ([]store.TLSDayCounts, error)
	TLSDayTotals(ctx context.Context, f store.Filter, limit int) ([]store.TLSDayCounts, error)
	TLSTotal(ctx context.Context, f store.Filter) (store.TLSDayCounts, error)
	TLSDomains(ctx context.Context, f store.Filter, limit int) ([]string, error)
	TLSFailures(ctx context.Context, f store.Filter, limit int) ([]store.TLSFailure, error)
	Failures(ctx context.Context, f store.Filter, p store.Page) ([]store.FailureInfo, error)
	FailureCount(ctx context.Context, f store.Filter) (int, error)
	Failure(ctx context.Context, id int64) (*store.FailureDetail, error)
	LastIngest(ctx context.Context) (time.Time, error)
	Ping(ctx context.Context) error
}

var _ Store = store.Dashboard(nil)

// FromStore returns the dashboard's view of a store opened with
// store.Open, or an error when its engine lacks the dashboard's queries.
func FromStore(s store.Store) (Store, error) {
	d, ok := s.(Store)
	if !ok {
		return nil, &ConfigError{"store", "this store has no dashboard queries", nil}
	}
	return d, nil
}
