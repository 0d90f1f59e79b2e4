package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/domainauth/domainauth/report"
)

// fullScan matches a query plan step that reads a whole table or index:
// SQLite's "SCAN t" and "SCAN t USING [COVERING] INDEX i".
var fullScan = regexp.MustCompile(`^SCAN (\w+)`)

// allowedScans are the full scans the dashboard's queries may make, and
// why.
var allowedScans = map[string]string{
	// Sources sums per index block first, then adds up those sums.
	"Sources per_block": "",
	// The list of organisations is one row each (DISTINCT over an index
	// that leads with the name), whatever the filter.
	"OrgNames aggregate_reports": "",
	// The failing-sources ranking of a date range or organisation over
	// all domains reads the failing records of every domain: indexes by
	// day and by organisation on that table (a row per failing record)
	// cost ingest a fifth more CPU per record (migration 0003).
	"FailingSources aggregate_failing": "",
	// Counting the failure reports under a filter that does not apply
	// to them (a reporting organisation) counts them all, through the
	// narrowest index.
	"FailureCount failure_reports": "",
	// Policies, Days, TLSDayTotals and TLSDays sort the rows they keep
	// (the limit seen last, a subquery's rows) oldest first.
	"Policies latest":     "",
	"Days latest":         "",
	"TLSDayTotals latest": "",
	"TLSDays latest":      "",
	// Domains walks each table's policy-domain index in order, each side
	// stopping at the limit (first_aggregate, first_tls), and sorts the
	// union of those rows only.
	"Domains aggregate_reports": "",
	"Domains tls_policies":      "",
	"Domains first_aggregate":   "",
	"Domains first_tls":         "",
}

// TestQueriesUseIndexes: with any filter condition given, the dashboard's
// queries on SQLite find their rows through an index rather than reading
// a whole table (EXPLAIN QUERY PLAN of each query the methods run).
func TestQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, testEngines[0].dsn(t), Options{}).(*sqlStore)
	bt, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		if _, err := bt.AddAggregate(ctx, benchReport(benchOrgs[i%3], benchDay.AddDate(0, 0, i), string(rune('a'+i)), 20, i*20, 100), Source{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := bt.Commit(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	type run struct {
		query string
		args  []any
	}
	var runs []run
	s.trace = func(q string, args []any) {
		mu.Lock()
		defer mu.Unlock()
		runs = append(runs, run{q, append([]any(nil), args...)})
	}
	ip := benchAddr(10).String()
	day := benchDay.AddDate(0, 0, 5).Format("2006-01-02")
	filters := map[string]Filter{
		"domain":       {Domain: "example.com"},
		"domain+range": {Domain: "example.com", From: day, To: day},
		"domain+org":   {Domain: "example.com", Org: benchOrgs[1]},
		"org":          {Org: benchOrgs[1]},
		"range":        {From: day, To: day},
		"org+range":    {Org: benchOrgs[1], From: day},
	}
	methods := map[string]func(f Filter) error{
		"Domains":        func(Filter) error { _, err := s.Domains(ctx, MaxLimit); return err },
		"Days":           func(f Filter) error { _, err := s.Days(ctx, f, MaxLimit); return err },
		"Total":          func(f Filter) error { _, err := s.Total(ctx, f); return err },
		"Orgs":           func(f Filter) error { _, err := s.Orgs(ctx, f, 0); return err },
		"OrgNames":       func(f Filter) error { _, err := s.OrgNames(ctx, f, MaxLimit); return err },
		"Sources":        func(f Filter) error { _, err := s.Sources(ctx, f, 20); return err },
		"SourceDays":     func(f Filter) error { _, err := s.SourceDays(ctx, f, ip); return err },
		"Source":         func(f Filter) error { _, err := s.Source(ctx, f, ip); return err },
		"SourceReports":  func(f Filter) error { _, err := s.SourceReports(ctx, f, ip, Page{}); return err },
		"FailingSources": func(f Filter) error { _, err := s.FailingSources(ctx, f, 10); return err },
		"Reports":        func(f Filter) error { _, err := s.Reports(ctx, f, Page{}); return err },
		"Policies":       func(f Filter) error { _, err := s.Policies(ctx, f, 0); return err },
		"TLSDays":        func(f Filter) error { _, err := s.TLSDays(ctx, f, MaxLimit); return err },
		"TLSDayTotals":   func(f Filter) error { _, err := s.TLSDayTotals(ctx, f, MaxLimit); return err },
		"TLSDomains":     func(f Filter) error { _, err := s.TLSDomains(ctx, f, MaxLimit); return err },
		"TLSFailures":    func(f Filter) error { _, err := s.TLSFailures(ctx, f, 10); return err },
		"Failures":       func(f Filter) error { _, err := s.Failures(ctx, f, Page{}); return err },
		"FailureCount":   func(f Filter) error { _, err := s.FailureCount(ctx, f); return err },
		// A report's page: the filter does not apply.
		"ReportHead": func(Filter) error { _, _, err := s.ReportHead(ctx, 1, 0); return err },
	}
	for fname, f := range filters {
		for mname, m := range methods {
			runs = runs[:0]
			if err := m(f); err != nil {
				t.Fatalf("%s %s: %v", mname, fname, err)
			}
			for _, r := range runs {
				plan := queryPlan(t, s, r.query, r.args)
				for _, step := range plan {
					sm := fullScan.FindStringSubmatch(step)
					if sm == nil {
						continue
					}
					if _, ok := allowedScans[mname+" "+sm[1]]; ok {
						continue
					}
					if strings.Contains(step, " USING ") && strings.Contains(r.query, " LIMIT ") && !sorts(plan) {
						continue // walks an index in the output's order and stops at the limit
					}
					t.Errorf("%s, filter %s: %s\nin %s", mname, fname, step, strings.Join(strings.Fields(r.query), " "))
				}
			}
		}
	}
}

// sorts reports whether a plan sorts its output.
func sorts(plan []string) bool {
	for _, step := range plan {
		if strings.Contains(step, "FOR ORDER BY") {
			return true
		}
	}
	return false
}

// queryPlan returns the steps of SQLite's plan for query.
func queryPlan(t *testing.T, s *sqlStore, query string, args []any) []string {
	t.Helper()
	rows, err := s.db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	return steps
}

// TestDomainsPlanPostgres: on PostgreSQL, Domains reads each table's
// first policy domains through its index and stops at the limit, rather
// than hashing and sorting every row of both tables (a UNION of the tables
// whole did: one TLS report may name MaxRecords policy domains).
func TestDomainsPlanPostgres(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t, freshPostgres(t), Options{}).(*sqlStore)
	if _, err := s.AddTLS(ctx, tlsDomainsReport("t", benchDay, 3000), Source{}); err != nil {
		t.Fatal(err)
	}
	addBatch(t, s, 300, OutcomeAdded, func(i int) *report.Aggregate {
		a := benchReport(benchOrgs[0], benchDay.AddDate(0, 0, i), "r", 1, 0, 1)
		a.Policy.Domain = fmt.Sprintf("a%d.example", i)
		return a
	})
	if _, err := s.db.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	var query string
	var args []any
	s.trace = func(q string, a []any) { query, args = q, a }
	if got, err := s.Domains(ctx, 0); err != nil || len(got) != DefaultLimit {
		t.Fatalf("Domains = %d domains, %v; want %d", len(got), err, DefaultLimit)
	}
	s.trace = nil
	plan, err := s.strings(ctx, "EXPLAIN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	if p := strings.Join(plan, "\n"); strings.Contains(p, "Seq Scan") || strings.Count(p, "Index Only Scan") != 2 {
		t.Errorf("Domains reads a table whole, or not through both indexes:\n%s", p)
	}
}
