package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
	"github.com/domainauth/domainauth/tlsrpt"
)

// reportsPast returns n one-record reports from source ip, the i-th on
// day i of 2025 (report ID "r-i"): the last one is the newest.
func reportsPast(n int, ip string) []*report.Aggregate {
	var out []*report.Aggregate
	for i := range n {
		begin := day(2025, 1, 1).AddDate(0, 0, i)
		out = append(out, &report.Aggregate{
			Metadata: report.Metadata{OrgName: "example.net", ReportID: fmt.Sprintf("r-%d", i),
				DateRange: report.DateRange{Begin: begin, End: begin.Add(time.Hour)}},
			Policy:  report.PolicyPublished{Domain: "example.org"},
			Records: []report.Record{rec(ip, 1, report.DMARCResultFail, report.DMARCResultFail, "example.org")},
		})
	}
	return out
}

// listedReports returns the report IDs of the page's report table.
func listedReports(t *testing.T, page string) []string {
	t.Helper()
	var ids []string
	for _, m := range regexp.MustCompile(`class="report" href="/report/\d+">([^<]*)<`).FindAllStringSubmatch(section(t, page, `<table id="reports">`), -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// TestPageReportsBound: the overview and a source's page list the newest
// DefaultPageReports reports of DefaultPageReports+1, say that they left
// some out, and the JSON says so too; with DefaultPageReports reports
// nothing is said.
func TestPageReportsBound(t *testing.T) {
	const ip = "192.0.2.5"
	for _, tc := range []struct {
		name    string
		reports int
		cut     bool
	}{
		{"at the bound", DefaultPageReports, false},
		{"just past the bound", DefaultPageReports + 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := openStore(t, reportsPast(tc.reports, ip)...)
			h, err := NewHandler(Config{Store: st})
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range []string{"/", "/source/" + ip} {
				page := get(h, path).Body.String()
				ids := listedReports(t, page)
				if len(ids) != DefaultPageReports {
					t.Errorf("%s lists %d reports, want %d", path, len(ids), DefaultPageReports)
				}
				newest := fmt.Sprintf("r-%d", tc.reports-1)
				if len(ids) > 0 && ids[0] != newest {
					t.Errorf("%s lists %s first, want the newest, %s", path, ids[0], newest)
				}
				if tc.cut && strings.Contains(strings.Join(ids, " ")+" ", "r-0 ") {
					t.Errorf("%s lists the oldest report, r-0, and leaves a newer one out", path)
				}
				note := fmt.Sprintf(`id="reports-cut">Only the latest %d reports are listed here`, DefaultPageReports)
				if got := strings.Contains(page, note); got != tc.cut {
					t.Errorf("%s: says it left reports out: %v, want %v", path, got, tc.cut)
				}
			}
			var over struct {
				Reports     []json.RawMessage `json:"reports"`
				MoreReports bool              `json:"more_reports"`
			}
			getJSON(t, h, "/api/overview", &over)
			if len(over.Reports) != DefaultPageReports || over.MoreReports != tc.cut {
				t.Errorf("/api/overview: %d reports, more_reports %v; want %d, %v", len(over.Reports), over.MoreReports, DefaultPageReports, tc.cut)
			}
			if rows := getCSV(t, h, "/api/reports.csv"); len(rows) != tc.reports {
				t.Errorf("/api/reports.csv: %d rows, want all %d", len(rows), tc.reports)
			}
		})
	}
}

// TestPageReportsConfigured: Config.PageReports replaces the default.
func TestPageReportsConfigured(t *testing.T) {
	st, _ := openStore(t, reportsPast(4, "192.0.2.5")...)
	h, err := NewHandler(Config{Store: st, PageReports: 3})
	if err != nil {
		t.Fatal(err)
	}
	page := get(h, "/").Body.String()
	if ids := listedReports(t, page); len(ids) != 3 || !strings.Contains(page, `id="reports-cut"`) {
		t.Errorf("PageReports 3 of 4 reports: listed %q, note shown %v", ids, strings.Contains(page, `id="reports-cut"`))
	}
}

// tlsFailureGroups returns a TLS report with n failure groups, the i-th
// with i+1 failed sessions at MX host mx-i.example.org.
func tlsFailureGroups(n int) *tlsrpt.Report {
	p := tlsrpt.PolicyResult{Policy: tlsrpt.Policy{Type: tlsrpt.PolicyTypeSTS, Domain: "example.org"}}
	for i := range n {
		p.FailureDetails = append(p.FailureDetails, tlsrpt.FailureDetail{ResultType: tlsrpt.ResultTypeCertificateExpired,
			ReceivingMXHostname: fmt.Sprintf("mx-%d.example.org", i), FailedSessionCount: uint64(i + 1)})
		p.Summary.Failure += uint64(i + 1)
	}
	return &tlsrpt.Report{OrganizationName: "example.net", ReportID: "tls-1",
		DateRange: tlsrpt.DateRange{Start: day(2025, 3, 1), End: day(2025, 3, 1).Add(24*time.Hour - time.Second)},
		Policies:  []tlsrpt.PolicyResult{p}}
}

// TestPageTLSFailuresBound: the TLS page lists the DefaultPageTLSFailures
// failure groups with the most failed sessions of DefaultPageTLSFailures+1
// and says that it left one out; the export has them all.
func TestPageTLSFailuresBound(t *testing.T) {
	for _, tc := range []struct {
		name   string
		groups int
		cut    bool
	}{
		{"at the bound", DefaultPageTLSFailures, false},
		{"just past the bound", DefaultPageTLSFailures + 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := openStore(t)
			if _, err := st.AddTLS(context.Background(), tlsFailureGroups(tc.groups), store.Source{}); err != nil {
				t.Fatal(err)
			}
			h, err := NewHandler(Config{Store: st})
			if err != nil {
				t.Fatal(err)
			}
			page := get(h, "/tls").Body.String()
			rows := section(t, page, `<table id="tls-failures">`)
			if n := strings.Count(rows, "<tr><td>"); n != DefaultPageTLSFailures {
				t.Errorf("/tls lists %d failure groups, want %d", n, DefaultPageTLSFailures)
			}
			// The group left out is the one with the fewest failed sessions.
			if got := strings.Contains(rows, ">mx-0.example.org<"); got == tc.cut {
				t.Errorf("/tls lists mx-0.example.org (1 failed session): %v, want %v", got, !tc.cut)
			}
			note := fmt.Sprintf(`id="failures-cut">Only the %d failure groups with the most failed sessions are listed here`, DefaultPageTLSFailures)
			if got := strings.Contains(page, note); got != tc.cut {
				t.Errorf("/tls says it left failure groups out: %v, want %v", got, tc.cut)
			}
			if rows := getCSV(t, h, "/api/tls/failures.csv"); len(rows) != tc.groups {
				t.Errorf("/api/tls/failures.csv: %d rows, want all %d", len(rows), tc.groups)
			}
		})
	}
}

// countingResolver answers every address's PTR query with ptrNames
// names under h<i>.example (i the address's last byte), each of which
// resolves back to the address, and counts the queries.
type countingResolver struct {
	ptrNames int

	mu       sync.Mutex
	ptr, fwd int
	fwdOf    map[string]int // forward queries by address
}

func (r *countingResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.ptr++
	r.mu.Unlock()
	var names []string
	for k := range r.ptrNames {
		names = append(names, fmt.Sprintf("n%d.h%d.example.", k, a.As4()[3]))
	}
	return names, nil
}

func (r *countingResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	m := regexp.MustCompile(`^n\d+\.h(\d+)\.example\.?$`).FindStringSubmatch(host)
	if m == nil {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	b, _ := strconv.Atoi(m[1])
	a := netip.AddrFrom4([4]byte{10, 0, 0, byte(b)})
	r.mu.Lock()
	r.fwd++
	if r.fwdOf == nil {
		r.fwdOf = map[string]int{}
	}
	r.fwdOf[a.String()]++
	r.mu.Unlock()
	return []netip.Addr{a}, nil
}

func (r *countingResolver) LookupTXT(context.Context, string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", IsNotFound: true}
}

func (r *countingResolver) LookupMX(context.Context, string) ([]*net.MX, error) {
	return nil, &net.DNSError{Err: "no such host", IsNotFound: true}
}

// TestPTRQueriesBound: naming the overview's failing sources asks at most
// DefaultMaxDNSQueries queries, and forward-confirms at most
// DefaultMaxPTRNames names of an address that has one more; the page
// says how many sources were left unnamed. 40 sources with 4
// names each would take 40 × (1 + 3) = 160 queries.
func TestPTRQueriesBound(t *testing.T) {
	const sources = 40
	a := &report.Aggregate{Metadata: report.Metadata{OrgName: "example.net", ReportID: "1",
		DateRange: report.DateRange{Begin: day(2025, 1, 1), End: day(2025, 1, 1).Add(time.Hour)}},
		Policy: report.PolicyPublished{Domain: "example.org"}}
	for i := range sources {
		a.Records = append(a.Records, rec(fmt.Sprintf("10.0.0.%d", i+1), uint64(i+1), report.DMARCResultFail, report.DMARCResultFail, "example.org"))
	}
	st, _ := openStore(t, a)
	res := &countingResolver{ptrNames: DefaultMaxPTRNames + 1}
	h, err := NewHandler(Config{Store: st, Resolver: res, TopSources: sources, DNSTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	page := get(h, "/").Body.String()
	if n := res.ptr + res.fwd; n != DefaultMaxDNSQueries {
		t.Errorf("%d DNS queries (%d PTR, %d forward), want the bound, %d", n, res.ptr, res.fwd, DefaultMaxDNSQueries)
	}
	for addr, n := range res.fwdOf {
		if n > DefaultMaxPTRNames {
			t.Errorf("%s: %d forward queries, want at most %d (MaxPTRNames)", addr, n, DefaultMaxPTRNames)
		}
	}
	skipped := sources - res.ptr
	if skipped <= 0 {
		t.Fatalf("every source was looked up (%d PTR queries): the test does not pass the bound", res.ptr)
	}
	note := fmt.Sprintf(`id="names-skipped">The page's %d DNS queries ran out before every source was named: %d of these sources were not looked up.`, DefaultMaxDNSQueries, skipped)
	if !strings.Contains(page, note) {
		t.Errorf("the overview does not say %q: %s", note, regexp.MustCompile(`id="names-skipped".*`).FindString(page))
	}
	// A source whose PTR query was answered may lack the forward queries
	// that would confirm its names.
	if named := strings.Count(page, ".example</small>"); named == 0 || named > res.ptr {
		t.Errorf("%d sources named, want some and at most the %d looked up", named, res.ptr)
	}

	// The JSON overview names no source: it asks nothing.
	res2 := &countingResolver{ptrNames: DefaultMaxPTRNames + 1}
	h, err = NewHandler(Config{Store: st, Resolver: res2, TopSources: sources, DNSTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var over struct {
		TopFailing []json.RawMessage `json:"top_failing"`
	}
	getJSON(t, h, "/api/overview", &over)
	if len(over.TopFailing) != sources || res2.ptr+res2.fwd != 0 {
		t.Errorf("/api/overview: %d failing sources, %d DNS queries; want %d and none", len(over.TopFailing), res2.ptr+res2.fwd, sources)
	}

	// Within the bound (the default 20 sources: at most 80 queries),
	// every source is named and nothing is said.
	res3 := &countingResolver{ptrNames: DefaultMaxPTRNames + 1}
	h, err = NewHandler(Config{Store: st, Resolver: res3, DNSTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	page = get(h, "/").Body.String()
	if res3.ptr != DefaultTopSources || strings.Contains(page, `id="names-skipped"`) {
		t.Errorf("20 sources: %d PTR queries, note shown %v; want 20 and none", res3.ptr, strings.Contains(page, `id="names-skipped"`))
	}
}

// TestPTRBoundsConfigured: Config.MaxDNSQueries and Config.MaxPTRNames
// replace the defaults (10 sources, 6 queries: at least 4 not looked up).
func TestPTRBoundsConfigured(t *testing.T) {
	a := reportsPast(1, "10.0.0.1")[0]
	for i := 2; i <= 10; i++ {
		a.Records = append(a.Records, rec(fmt.Sprintf("10.0.0.%d", i), 1, report.DMARCResultFail, report.DMARCResultFail, "example.org"))
	}
	st, _ := openStore(t, a)
	res := &countingResolver{ptrNames: 3}
	h, err := NewHandler(Config{Store: st, Resolver: res, MaxDNSQueries: 6, MaxPTRNames: 1, DNSTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	page := get(h, "/").Body.String()
	if res.ptr+res.fwd != 6 {
		t.Errorf("%d queries, want MaxDNSQueries, 6", res.ptr+res.fwd)
	}
	for addr, n := range res.fwdOf {
		if n > 1 {
			t.Errorf("%s: %d forward queries, want MaxPTRNames, 1", addr, n)
		}
	}
	if want := fmt.Sprintf("queries ran out before every source was named: %d of", 10-res.ptr); !strings.Contains(page, want) {
		t.Errorf("the overview does not say %q", want)
	}
}

// TestTLSPageDaysBounded: the TLS page's table of days and domains stops
// at Config.MaxRows and says so, its list of domains at
// Config.PageDomains, while its totals and chart count every domain's
// sessions (the store's one row per day).
func TestTLSPageDaysBounded(t *testing.T) {
	st, _ := openStore(t)
	r := &tlsrpt.Report{OrganizationName: "example.net", ReportID: "1",
		DateRange: tlsrpt.DateRange{Start: day(2025, 1, 1), End: day(2025, 1, 1).Add(time.Hour)}}
	for i := range 5 {
		r.Policies = append(r.Policies, tlsrpt.PolicyResult{Policy: tlsrpt.Policy{Type: tlsrpt.PolicyTypeSTS, Domain: fmt.Sprintf("d%d.example", i)},
			Summary: tlsrpt.SessionCounts{Successful: 2, Failure: 1}})
	}
	// A later day with one domain: the table keeps the latest days.
	late := &tlsrpt.Report{OrganizationName: "example.net", ReportID: "2",
		DateRange: tlsrpt.DateRange{Start: day(2025, 1, 2), End: day(2025, 1, 2).Add(time.Hour)},
		Policies: []tlsrpt.PolicyResult{{Policy: tlsrpt.Policy{Type: tlsrpt.PolicyTypeSTS, Domain: "late.example"},
			Summary: tlsrpt.SessionCounts{Successful: 2, Failure: 1}}}}
	for _, r := range []*tlsrpt.Report{r, late} {
		if _, err := st.AddTLS(context.Background(), r, store.Source{}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := NewHandler(Config{Store: st, MaxRows: 3, PageDomains: 4})
	if err != nil {
		t.Fatal(err)
	}
	p := get(h, "/tls").Body.String()
	table := section(t, p, `<table id="tls-days">`)
	first, last := strings.Count(table, "<tr><td>2025-01-01</td>"), strings.Count(table, "<tr><td>2025-01-02</td>")
	if first != 2 || last != 1 || !strings.Contains(p, `id="tls-days-cut"`) {
		t.Errorf("/tls lists %d rows of the first day and %d of the last, note shown %v; want MaxRows, 3, the latest (2 and 1), and the note", first, last, strings.Contains(p, `id="tls-days-cut"`))
	}
	// Within MaxRows, nothing is said.
	h, err = NewHandler(Config{Store: st, MaxRows: 6})
	if err != nil {
		t.Fatal(err)
	}
	if p := get(h, "/tls").Body.String(); strings.Contains(p, `id="tls-days-cut"`) {
		t.Error("/tls says it left rows of days out with MaxRows 6 of 6")
	}
	if n := strings.Count(section(t, p, `<select name="domain">`), `<option value="d`); n != 4 {
		t.Errorf("/tls offers %d domains, want PageDomains, 4", n)
	}
	if total, failed := shown(t, p, "tls-total"), shown(t, p, "tls-failed"); total != "18" || failed != "6" {
		t.Errorf("/tls: %s sessions, %s failed; want all 6 rows' 18 and 6", total, failed)
	}
	if !strings.Contains(p, "2025-01-01: 15 sessions, 10 successful, 5 failed") {
		t.Error("/tls: the chart's day does not count every domain's sessions")
	}
}

// TestTLSChartCutNote: the TLS chart draws the last 1,000 days of its
// selection and says so under it, while the totals count every day.
func TestTLSChartCutNote(t *testing.T) {
	st, _ := openStore(t)
	for i, d := range []time.Time{day(2020, 1, 1), day(2025, 3, 3)} {
		if _, err := st.AddTLS(context.Background(), oneDayTLS(fmt.Sprint(i), d, 3), store.Source{}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := NewHandler(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	span := int(day(2025, 3, 3).Sub(day(2020, 1, 1))/(24*time.Hour)) + 1
	page := get(h, "/tls").Body.String()
	if n := strings.Count(page, `class="note chart-cut"`); n != 1 {
		t.Errorf("%d cut notes on /tls, want one under its chart", n)
	}
	if want := fmt.Sprintf("last %d of %d days", maxChartBars, span); !strings.Contains(page, want) {
		t.Errorf("/tls does not say its chart shows the %s", want)
	}
	if got := shown(t, page, "tls-total"); got != "6" {
		t.Errorf("/tls: %s sessions, want both days' 6", got)
	}
	if page := get(h, "/tls?from=2025-01-01").Body.String(); strings.Contains(page, "chart-cut") {
		t.Error("a selection the TLS chart holds whole says it is cut")
	}
}
