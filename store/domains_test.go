package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// checkDomainsBounded stores a TLS report of n policy domains and two
// aggregate reports (one for a domain the TLS report names too, one for
// example.com, sorted after them) and checks that Domains lists each
// domain once, sorted, and stops at each limit of cases (the cap MaxLimit
// past it).
func checkDomainsBounded(t *testing.T, n int, cases map[int]int) {
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
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
// limit.
func TestDomainsBounded(t *testing.T) {
	checkDomainsBounded(t, DefaultLimit+1, map[int]int{0: DefaultLimit, 3: 3, DefaultLimit + 2: DefaultLimit + 2, MaxLimit: DefaultLimit + 2})
}

// TestDomainsAtMaxLimit: MaxLimit TLS policy domains and an aggregate
// report's domain are just past the cap. Storing them takes seconds under
// the race detector: skipped there and under -short (CI runs it without
// -race).
func TestDomainsAtMaxLimit(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("slow under -race and -short; run without them")
	}
	checkDomainsBounded(t, MaxLimit, map[int]int{0: DefaultLimit, MaxLimit: MaxLimit, MaxLimit + 1: MaxLimit})
}
