package web

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/store"
	"github.com/domainauth/domainauth/tlsrpt"
)

// tlsDomains returns a TLS report of n policy domains d0000.example,
// d0001.example and so on (sorted by name as by number).
func tlsDomains(n int) *tlsrpt.Report {
	r := &tlsrpt.Report{OrganizationName: "example.net", ReportID: "tls-domains",
		DateRange: tlsrpt.DateRange{Start: day(2025, 3, 1), End: day(2025, 3, 1).Add(24*time.Hour - time.Second)}}
	for i := range n {
		r.Policies = append(r.Policies, tlsrpt.PolicyResult{
			Policy:  tlsrpt.Policy{Type: tlsrpt.PolicyTypeSTS, Domain: fmt.Sprintf("d%04d.example", i)},
			Summary: tlsrpt.SessionCounts{Successful: 1}})
	}
	return r
}

// offered returns the values of the domain list's options (the "All
// domains" one left out) and the selected one.
func offered(t *testing.T, page string) (values []string, selected string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`<option value="([^"]+)"( selected)?>`).FindAllStringSubmatch(section(t, page, `<select name="domain">`), -1) {
		values = append(values, m[1])
		if m[2] != "" {
			selected = m[1]
		}
	}
	return values, selected
}

// TestPageDomainsBound: with DefaultPageDomains+1 policy domains (one TLS
// report may name a million), the overview's and the TLS page's domain
// lists offer the first DefaultPageDomains by name and say that they
// left some out, a domain past them stays selected when chosen, and the
// export lists them all; with DefaultPageDomains nothing is said.
func TestPageDomainsBound(t *testing.T) {
	for _, tc := range atAndPast(DefaultPageDomains) {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := openStore(t)
			if _, err := st.AddTLS(context.Background(), tlsDomains(tc.n), store.Source{}); err != nil {
				t.Fatal(err)
			}
			h, err := NewHandler(Config{Store: st})
			if err != nil {
				t.Fatal(err)
			}
			first := make([]string, DefaultPageDomains)
			for i := range first {
				first[i] = fmt.Sprintf("d%04d.example", i)
			}
			for _, path := range []string{"/", "/tls"} {
				page := get(h, path).Body.String()
				if values, _ := offered(t, page); !slices.Equal(values, first) {
					t.Errorf("%s offers %d domains, want the first %d by name", path, len(values), DefaultPageDomains)
				}
				note := fmt.Sprintf(`id="domains-cut">Only the first %d domains by name are offered`, DefaultPageDomains)
				if got := strings.Contains(page, note); got != tc.cut {
					t.Errorf("%s says it left domains out: %v, want %v", path, got, tc.cut)
				}
				last := fmt.Sprintf("d%04d.example", tc.n-1)
				values, selected := offered(t, get(h, path+"?domain="+last).Body.String())
				if selected != last || len(values) != DefaultPageDomains+btoi(tc.cut) {
					t.Errorf("%s?domain=%s: %d domains offered, %q selected; want %s selected", path, last, len(values), selected, last)
				}
			}
			var over struct {
				Domains     []string `json:"domains"`
				MoreDomains bool     `json:"more_domains"`
			}
			getJSON(t, h, "/api/overview", &over)
			if !slices.Equal(over.Domains, first) || over.MoreDomains != tc.cut {
				t.Errorf("/api/overview: %d domains, more_domains %v; want %d, %v", len(over.Domains), over.MoreDomains, DefaultPageDomains, tc.cut)
			}
			if rows := getCSV(t, h, "/api/domains.csv"); len(rows) != tc.n {
				t.Errorf("/api/domains.csv: %d rows, want all %d", len(rows), tc.n)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// boundCase is a test of a page bound: n items, cut when past it.
type boundCase struct {
	name string
	n    int
	cut  bool
}

// atAndPast returns the cases of n items at the bound and just past it.
func atAndPast(bound int) []boundCase {
	return []boundCase{{"at the bound", bound, false}, {"just past the bound", bound + 1, true}}
}
