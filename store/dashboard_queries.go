package store

import "context"

// Dashboard is a Store with the queries of the dashboard's source pages
// (the web package) and its health check. Both engines implement it: a
// Store from Open is a Dashboard.
type Dashboard interface {
	Store
	// Source returns one source address's counts, provider, header From
	// domains and diagnoses over the filter (as FailingSources gives them
	// for the failing ones); zero counts when it has no records there.
	Source(ctx context.Context, f Filter, ip string) (FailingSource, error)
	// SourceReports lists the reports that hold records of the source
	// address, newest window first.
	SourceReports(ctx context.Context, f Filter, ip string, p Page) ([]ReportInfo, error)
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
}

var _ Dashboard = (*sqlStore)(nil)

// Source returns one source address's figures.
func (s *sqlStore) Source(ctx context.Context, f Filter, ip string) (FailingSource, error) {
	src := FailingSource{SourceIP: ip}
	if err := f.Validate(); err != nil {
		return src, err
	}
	as, err := s.sourceReports(ctx, f, ip)
	if err != nil {
		return src, err
	}
	src.summarise(as)
	return src, nil
}

// SourceReports lists the reports holding records of one source address;
// the index aggregate_records_source finds the records (in the blocks of
// the selected reports), whose ids give their reports.
func (s *sqlStore) SourceReports(ctx context.Context, f Filter, ip string, p Page) ([]ReportInfo, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("a.policy_domain", "a.day", "a.org_name")
	bw, bargs := sourceBlocks(f)
	return collect(ctx, s, scanInfo, "SELECT "+reportInfoCols+" FROM aggregate_reports a WHERE a.id IN (SELECT r.id / 16777216 FROM aggregate_records r WHERE "+bw+" AND r.source_ip = ?) AND "+w+
		" ORDER BY a.day DESC, a.end_ts DESC, a.id DESC LIMIT ? OFFSET ?", append(append(append(bargs, ip), args...), limitOf(p.Limit), max(p.Offset, 0))...)
}

// Ping reports whether the database answers.
func (s *sqlStore) Ping(ctx context.Context) error { return s.err(s.db.PingContext(ctx)) }
