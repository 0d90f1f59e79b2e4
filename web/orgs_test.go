package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
)

// spreadReports returns n one-record reports, the i-th on day i of 2025
// with i+1 messages, by reporter org(i) for policy domain domain(i).
func spreadReports(n int, org, domain func(int) string) []*report.Aggregate {
	var out []*report.Aggregate
	for i := range n {
		begin := day(2025, 1, 1).AddDate(0, 0, i)
		out = append(out, &report.Aggregate{
			Metadata: report.Metadata{OrgName: org(i), ReportID: fmt.Sprintf("r-%d", i),
				DateRange: report.DateRange{Begin: begin, End: begin.Add(time.Hour)}},
			Policy:  report.PolicyPublished{Domain: domain(i), P: report.DispositionReject},
			Records: []report.Record{rec("192.0.2.5", uint64(i+1), report.DMARCResultPass, report.DMARCResultPass, domain(i))},
		})
	}
	return out
}

// overviewOf returns the default handler over the reports and its
// overview page.
func overviewOf(t *testing.T, reports []*report.Aggregate) (http.Handler, string) {
	t.Helper()
	st, _ := openStore(t, reports...)
	h, err := NewHandler(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return h, get(h, "/").Body.String()
}

func numbered(format string) func(int) string {
	return func(i int) string { return fmt.Sprintf(format, i) }
}
func fixed(s string) func(int) string { return func(int) string { return s } }

// TestPageOrgsBound: with DefaultPageOrgs+1 reporters, the overview's
// reporter list offers the first DefaultPageOrgs by name and its table
// the DefaultPageOrgs with the most messages, each saying it left one
// out; the export lists them all; with DefaultPageOrgs nothing is said.
func TestPageOrgsBound(t *testing.T) {
	for _, tc := range atAndPast(DefaultPageOrgs) {
		t.Run(tc.name, func(t *testing.T) {
			h, page := overviewOf(t, spreadReports(tc.n, numbered("org%03d"), fixed("example.org")))
			list := section(t, page, `<select name="org">`)
			if n := strings.Count(list, `<option value="org`); n != DefaultPageOrgs || tc.cut && strings.Contains(list, fmt.Sprintf(`"org%03d"`, tc.n-1)) {
				t.Errorf("the reporter list offers %d reporters, want the first %d by name", n, DefaultPageOrgs)
			}
			table := section(t, page, `<table id="orgs">`)
			if n := strings.Count(table, `<tr><td class="org">`); n != DefaultPageOrgs || tc.cut && strings.Contains(table, ">org000<") {
				t.Errorf("the reporter table lists %d reporters, want the %d with the most messages", n, DefaultPageOrgs)
			}
			for _, id := range []string{`id="org-names-cut"`, `id="orgs-cut"`} {
				if got := strings.Contains(page, id); got != tc.cut {
					t.Errorf("%s shown: %v, want %v", id, got, tc.cut)
				}
			}
			var over struct {
				OrgNames     []string          `json:"org_names"`
				MoreOrgNames bool              `json:"more_org_names"`
				Orgs         []json.RawMessage `json:"orgs"`
				MoreOrgs     bool              `json:"more_orgs"`
			}
			getJSON(t, h, "/api/overview", &over)
			if len(over.OrgNames) != DefaultPageOrgs || len(over.Orgs) != DefaultPageOrgs || over.MoreOrgNames != tc.cut || over.MoreOrgs != tc.cut {
				t.Errorf("/api/overview: %d org names (more %v), %d orgs (more %v); want %d, %v", len(over.OrgNames), over.MoreOrgNames,
					len(over.Orgs), over.MoreOrgs, DefaultPageOrgs, tc.cut)
			}
			if rows := getCSV(t, h, "/api/orgs.csv"); len(rows) != tc.n {
				t.Errorf("/api/orgs.csv: %d rows, want all %d", len(rows), tc.n)
			}
		})
	}
}

// TestPagePoliciesBound: with DefaultPagePolicies+1 published policies,
// the overview lists the DefaultPagePolicies seen last and says it left
// one out; the export lists them all.
func TestPagePoliciesBound(t *testing.T) {
	for _, tc := range atAndPast(DefaultPagePolicies) {
		t.Run(tc.name, func(t *testing.T) {
			h, page := overviewOf(t, spreadReports(tc.n, fixed("example.net"), numbered("d%03d.example")))
			table := section(t, page, `<table id="policies">`)
			if n := strings.Count(table, `<tr><td>`); n != DefaultPagePolicies || tc.cut && strings.Contains(table, ">d000.example<") {
				t.Errorf("the policy table lists %d policies, want the %d seen last", n, DefaultPagePolicies)
			}
			if got := strings.Contains(page, `id="policies-cut"`); got != tc.cut {
				t.Errorf("the page says it left policies out: %v, want %v", got, tc.cut)
			}
			if rows := getCSV(t, h, "/api/policies.csv"); len(rows) != tc.n {
				t.Errorf("/api/policies.csv: %d rows, want all %d", len(rows), tc.n)
			}
		})
	}
}

// TestLeastRecentPolicy: of policies sorted by when they were first seen,
// the one left out is the one last seen the longest ago, not the first.
func TestLeastRecentPolicy(t *testing.T) {
	ps := []store.PolicyPeriod{
		{Domain: "a.example", First: "2020-01-01", Last: "2025-01-01"},
		{Domain: "b.example", First: "2021-01-01", Last: "2021-02-01"},
		{Domain: "c.example", First: "2022-01-01", Last: "2024-01-01"},
	}
	got := leastRecent(ps)
	if len(got) != 2 || got[0].Domain != "a.example" || got[1].Domain != "c.example" || ps[1].Domain != "b.example" {
		t.Errorf("leastRecent kept %+v (of %+v); want a.example and c.example, the input unchanged", got, ps)
	}
}
