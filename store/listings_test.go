package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/tlsrpt"
)

// checkDomainsBounded stores a TLS report of n policy domains and two
// aggregate reports (one for a domain the TLS report names too, one for
// example.com, sorted after them) and checks that Domains lists each
// domain once, sorted, and stops at each limit of cases (the cap MaxLimit
// past it).
func checkDomainsBounded(t *testing.T, n int, cases map[int]int) {
	forEmptyStores(t, func(t *testing.T, ctx context.Context, s Store) {
		day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
		if _, err := s.AddTLS(ctx, tlsDomainsReport("t", day, n), Source{}); err != nil {
			t.Fatal(err)
		}
		shared := benchReport(benchOrgs[0], day, "a1", 1, 0, 1)
		shared.Policy.Domain = "d1.example"
		for _, a := range []string{"", "a2"} {
			r := shared
			if a != "" {
				r = benchReport(benchOrgs[0], day, a, 1, 0, 1) // example.com
			}
			if _, err := s.AddAggregate(ctx, r, Source{}); err != nil {
				t.Fatal(err)
			}
		}
		all := []string{"example.com"}
		for i := range n {
			all = append(all, fmt.Sprintf("d%d.example", i))
		}
		slices.Sort(all)
		for limit, want := range cases {
			got, err := s.Domains(ctx, limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, all[:want]) {
				t.Errorf("Domains, limit %d: %d domains; want the first %d of %d, sorted", limit, len(got), want, len(all))
			}
		}
	})
}

// TestDomainsBounded: DefaultLimit+1 TLS policy domains and an aggregate
// report's domain are DefaultLimit+2 domains, just past the default
// limit (taken for a limit of 0 or less).
func TestDomainsBounded(t *testing.T) {
	checkDomainsBounded(t, DefaultLimit+1, map[int]int{-1: DefaultLimit, 0: DefaultLimit, 3: 3, DefaultLimit + 2: DefaultLimit + 2, MaxLimit: DefaultLimit + 2})
}

// TestDefaultLimitDomainsAtMaxLimit: MaxLimit TLS policy domains and an
// aggregate report's domain are just past the cap. Storing them takes
// seconds under the race detector: skipped there and under -short (CI's
// bounds step runs it without -race).
func TestDefaultLimitDomainsAtMaxLimit(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("slow under -race and -short; run without them")
	}
	checkDomainsBounded(t, MaxLimit, map[int]int{0: DefaultLimit, MaxLimit: MaxLimit, MaxLimit + 1: MaxLimit})
}

// checkOrgsBounded stores n one-record reports, the i-th by org%05d for
// policy domain d%05d.example on day i with i+1 messages, and checks
// that with each limit of cases (want rows; the cap MaxLimit past it)
// OrgNames lists the first reporters by name, Orgs those with the most
// messages and Policies those seen last, oldest first.
func checkOrgsBounded(t *testing.T, n int, cases map[int]int) {
	forEmptyStores(t, func(t *testing.T, ctx context.Context, s Store) {
		addBatch(t, s, n, OutcomeAdded, func(i int) *report.Aggregate {
			a := benchReport(fmt.Sprintf("org%05d", i), benchDay.AddDate(0, 0, i), "r", 1, 0, 1)
			a.Policy.Domain = fmt.Sprintf("d%05d.example", i)
			a.Records[0].Row.Count = uint64(i + 1)
			return a
		})
		for limit, want := range cases {
			var byName, byMessages, lastSeen []string
			for i := range want {
				byName = append(byName, fmt.Sprintf("org%05d", i))
				byMessages = append(byMessages, fmt.Sprintf("org%05d", n-1-i))
				lastSeen = append(lastSeen, fmt.Sprintf("d%05d.example", n-want+i))
			}
			names, err := s.OrgNames(ctx, Filter{}, limit)
			if err != nil || !slices.Equal(names, byName) {
				t.Errorf("OrgNames, limit %d: %d names, %v; want the first %d by name", limit, len(names), err, want)
			}
			orgs, err := s.Orgs(ctx, Filter{}, limit)
			if got := keys(orgs, err, func(o OrgCounts) string { return o.OrgName }); !slices.Equal(got, byMessages) {
				t.Errorf("Orgs, limit %d: %d reporters, %v; want the %d with the most messages, most first", limit, len(got), err, want)
			}
			pols, err := s.Policies(ctx, Filter{}, limit)
			if got := keys(pols, err, func(p PolicyPeriod) string { return p.Domain }); !slices.Equal(got, lastSeen) {
				t.Errorf("Policies, limit %d: %d policies, %v; want the %d seen last, oldest first", limit, len(got), err, want)
			}
			days, err := s.Days(ctx, Filter{}, limit)
			got := keys(days, err, func(d DayCounts) string { return d.Day })
			if !slices.Equal(got, lastDays(n, want)) {
				t.Errorf("Days, limit %d: %d days, %v; want the latest %d, oldest first", limit, len(got), err, want)
			}
		}
		// The total counts every day's messages, 1 to n.
		if total, err := s.Total(ctx, Filter{}); err != nil || total.Messages != uint64(n*(n+1)/2) {
			t.Errorf("Total: %d messages, %v; want all %d", total.Messages, err, n*(n+1)/2)
		}
	})
}

// keys returns the key of each row of a query, nil if it failed.
func keys[T any](rows []T, err error, key func(T) string) []string {
	if err != nil {
		return nil
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = key(r)
	}
	return out
}

// lastDays returns the last want of n days from benchDay on, oldest
// first.
func lastDays(n, want int) []string {
	var out []string
	for i := n - want; i < n; i++ {
		out = append(out, benchDay.AddDate(0, 0, i).Format(time.DateOnly))
	}
	return out
}

// TestOrgsBounded: DefaultLimit+1 reporters, policies and days are just
// past the default limit (taken for a limit of 0 or less).
func TestOrgsBounded(t *testing.T) {
	checkOrgsBounded(t, DefaultLimit+1, map[int]int{-1: DefaultLimit, 0: DefaultLimit, 3: 3, DefaultLimit + 1: DefaultLimit + 1})
}

// TestDefaultLimitOrgsAtMaxLimit: MaxLimit+1 reporters, policies and days
// are just past the cap. Storing them takes some seconds, more under the race
// detector: skipped there and under -short (CI's bounds step runs it
// without -race).
func TestDefaultLimitOrgsAtMaxLimit(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("slow under -race and -short; run without them")
	}
	checkOrgsBounded(t, MaxLimit+1, map[int]int{0: DefaultLimit, MaxLimit: MaxLimit, MaxLimit + 1: MaxLimit})
}

// addBatch adds the n reports mk makes in one batch, each with the
// outcome want.
func addBatch(t *testing.T, s Store, n int, want Outcome, mk func(i int) *report.Aggregate) {
	t.Helper()
	ctx := context.Background()
	b, err := s.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Rollback()
	for i := range n {
		if res, err := b.AddAggregate(ctx, mk(i), Source{Name: fmt.Sprint("report-", i)}); err != nil || res.Outcome != want {
			t.Fatalf("report %d: %+v, %v; want %v", i, res, err, want)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
}

// forEmptyStores runs f on an empty store of each engine.
func forEmptyStores(t *testing.T, f func(t *testing.T, ctx context.Context, s Store)) {
	forEngines(t, func(t *testing.T, dsn string) {
		f(t, context.Background(), mustOpen(t, dsn, Options{}))
	})
}

// TestTLSDayTotalsBounded: TLS reports on DefaultLimit+1 days are just
// past the default limit of TLSDayTotals (the latest days, oldest first;
// taken for a limit of 0 or less), and TLSTotal counts them all.
func TestTLSDayTotalsBounded(t *testing.T) {
	const n = DefaultLimit + 1
	forEmptyStores(t, func(t *testing.T, ctx context.Context, s Store) {
		for i := range n {
			if _, err := s.AddTLS(ctx, tlsDomainsReport(fmt.Sprint(i), benchDay.AddDate(0, 0, i), 1), Source{}); err != nil {
				t.Fatal(err)
			}
		}
		for limit, want := range map[int]int{-1: DefaultLimit, 0: DefaultLimit, 3: 3, n: n} {
			days, err := s.TLSDayTotals(ctx, Filter{}, limit)
			got := keys(days, err, func(d TLSDayCounts) string { return d.Day })
			if !slices.Equal(got, lastDays(n, want)) {
				t.Errorf("TLSDayTotals, limit %d: %d days, %v; want the latest %d, oldest first", limit, len(got), err, want)
			}
		}
		if total, err := s.TLSTotal(ctx, Filter{}); err != nil || total != (TLSDayCounts{Successful: n, Failure: n}) {
			t.Errorf("TLSTotal = %+v, %v; want %d and %d sessions", total, err, n, n)
		}
	})
}

// TestOrgNamesBytewise: reporters' names sort by their bytes on both
// engines, also where PostgreSQL's collation would put "Zeta Mail" after
// "alpha.example" (the column is given an ICU en-US collation here, as a
// database created under that locale has): OrgNames' first names and
// Orgs' ties are the same on SQLite and PostgreSQL.
func TestOrgNamesBytewise(t *testing.T) {
	names := []string{"alpha.example", "Zeta Mail", "beta.example", "Acme"}
	want := slices.Clone(names)
	slices.Sort(want) // Acme, Zeta Mail, alpha.example, beta.example
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{}).(*sqlStore)
		if s.d.dollar {
			for _, table := range []string{"aggregate_reports", "aggregate_days"} {
				if _, err := s.db.ExecContext(ctx, `ALTER TABLE `+table+` ALTER COLUMN org_name TYPE TEXT COLLATE "en-US-x-icu"`); err != nil {
					t.Skipf("no ICU collation to test with: %v", err)
				}
			}
		}
		addBatch(t, s, len(names), OutcomeAdded, func(i int) *report.Aggregate {
			return benchReport(names[i], benchDay, "r", 1, 0, 1) // one message each: Orgs ties
		})
		got, err := s.OrgNames(ctx, Filter{}, 2)
		if err != nil || !slices.Equal(got, want[:2]) {
			t.Errorf("OrgNames, limit 2 = %q, %v; want %q", got, err, want[:2])
		}
		orgs, err := s.Orgs(ctx, Filter{}, 0)
		if got := keys(orgs, err, func(o OrgCounts) string { return o.OrgName }); !slices.Equal(got, want) {
			t.Errorf("Orgs = %q, %v; want %q (ties by name)", got, err, want)
		}
	})
}

// TestTLSDaysBytewise: a day's policy domains sort by their bytes on
// both engines, also where PostgreSQL's collation would put "a_b" before
// "a-b" (the column is given an ICU en-US collation here), so that a
// limit cutting into a day keeps the same domains on SQLite and
// PostgreSQL.
func TestTLSDaysBytewise(t *testing.T) {
	domains := []string{"a_b.example", "a-b.example", "a.example", "ab.example"}
	want := slices.Clone(domains)
	slices.Sort(want) // a-b, a., a_b, ab
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{}).(*sqlStore)
		if s.d.dollar {
			if _, err := s.db.ExecContext(ctx, `ALTER TABLE tls_policies ALTER COLUMN policy_domain TYPE TEXT COLLATE "en-US-x-icu"`); err != nil {
				t.Skipf("no ICU collation to test with: %v", err)
			}
		}
		r := tlsDomainsReport("1", day, 0)
		for _, d := range domains {
			r.Policies = append(r.Policies, tlsrpt.PolicyResult{Policy: tlsrpt.Policy{Type: tlsrpt.PolicyTypeSTS, Domain: d},
				Summary: tlsrpt.SessionCounts{Successful: 1}})
		}
		if _, err := s.AddTLS(ctx, r, Source{}); err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{2, len(domains)} {
			days, err := s.TLSDays(ctx, Filter{}, limit)
			if got := keys(days, err, func(d TLSDayCounts) string { return d.Domain }); !slices.Equal(got, want[:limit]) {
				t.Errorf("TLSDays, limit %d = %q, %v; want %q", limit, got, err, want[:limit])
			}
		}
	})
}
