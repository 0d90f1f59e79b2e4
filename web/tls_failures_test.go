package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/internal/sat"
	"github.com/domainauth/domainauth/internal/shared"
	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
	"github.com/domainauth/domainauth/tlsrpt"
)

// decodeSamples decodes every file of the shared conformance folder dir
// that decode accepts (ingest leaves the others out too).
func decodeSamples[T any](t *testing.T, dir string, decode func(io.Reader) (T, error)) []T {
	t.Helper()
	root := shared.Require(t, "conformance", dir)
	var out []T
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fh, err := os.Open(p)
		if err != nil {
			return err
		}
		defer fh.Close()
		if v, err := decode(fh); err == nil {
			out = append(out, v)
		}
		return nil
	})
	if err != nil || len(out) < 2 {
		t.Fatalf("%s: %d samples decoded (%v)", dir, len(out), err)
	}
	return out
}

// hostileTLS is a TLS report whose reporter and MX host are markup and a
// spreadsheet formula.
func hostileTLS() *tlsrpt.Report {
	return &tlsrpt.Report{
		OrganizationName: hostileOrg, ReportID: hostileID, ContactInfo: hostileContact,
		DateRange: tlsrpt.DateRange{Start: day(2025, 3, 2), End: day(2025, 3, 2).Add(24*time.Hour - time.Second)},
		Policies: []tlsrpt.PolicyResult{{
			Policy:  tlsrpt.Policy{Type: tlsrpt.PolicyTypeSTS, Domain: "evil.example", MXHost: []string{hostileOrg}},
			Summary: tlsrpt.SessionCounts{Successful: 5, Failure: 4},
			FailureDetails: []tlsrpt.FailureDetail{
				{ResultType: tlsrpt.ResultTypeCertificateExpired, ReceivingMXHostname: hostileFrom, FailedSessionCount: 3,
					SendingMTAIP: netip.MustParseAddr("192.0.2.66")},
				{ResultType: tlsrpt.ResultType(hostileOrg), ReceivingMXHostname: hostileOrg, FailedSessionCount: 1},
			},
		}},
	}
}

// hostileFailure is a failure report whose reported message's header and
// delivery result hold markup and spreadsheet formulas. Its Message-ID
// makes the n-th copy a report of its own.
func hostileFailure(n int) *report.Failure {
	return &report.Failure{
		FeedbackType: "auth-failure", AuthFailure: report.AuthFailureDMARC, DeliveryResult: report.DeliveryResult(hostileFrom),
		ReportedDomain: []string{"evil.example"}, SourceIP: netip.MustParseAddr("192.0.2.66"),
		ArrivalDate: day(2025, 3, 2).Add(time.Duration(n) * time.Minute),
		Original: report.Original{MediaType: "text/rfc822-headers", Header: []report.Field{
			{Name: "From", Value: hostileOrg + " <a@evil.example>"},
			{Name: "Message-ID", Value: fmt.Sprintf("<%d%s>", n, hostileID)},
			{Name: "List-Id", Value: hostileFrom},
		}},
	}
}

// otherStore holds the fixture's aggregate reports, the shared TLS and
// failure report samples and the hostile ones of each; it says which it
// kept (the rest were duplicates).
type otherStore struct {
	st       store.Dashboard
	tls      []*tlsrpt.Report
	failures []*report.Failure
	// failureIDs maps a failure report's reported domain to an ID of it.
	failureIDs map[string]int64
	hostileID  int64 // the hostile failure report's
}

func newOtherStore(t *testing.T, extraFailures int) *otherStore {
	t.Helper()
	ctx := context.Background()
	st, _ := openStore(t, fixture()...)
	o := &otherStore{st: st, failureIDs: map[string]int64{}}
	for _, r := range append(decodeSamples(t, "tlsrpt", tlsrpt.Decode), hostileTLS()) {
		added, err := st.AddTLS(ctx, r, store.Source{Name: r.ReportID})
		if err != nil {
			t.Fatalf("adding TLS report %q: %v", r.ReportID, err)
		}
		if added.Outcome == store.OutcomeAdded {
			o.tls = append(o.tls, r)
		}
	}
	fs := decodeSamples(t, "dmarc-failure", report.DecodeFailure)
	for i := range extraFailures + 1 {
		fs = append(fs, hostileFailure(i))
	}
	for _, f := range fs {
		added, err := st.AddFailure(ctx, f, store.Source{Name: "sample.eml"})
		if err != nil {
			t.Fatalf("adding failure report of %q: %v", f.Domain(), err)
		}
		if added.Outcome == store.OutcomeAdded {
			o.failures = append(o.failures, f)
			o.failureIDs[f.Domain()] = added.ID
			if f.DeliveryResult == report.DeliveryResult(hostileFrom) && o.hostileID == 0 {
				o.hostileID = added.ID
			}
		}
	}
	return o
}

func (o *otherStore) handler(t *testing.T, cfg Config) http.Handler {
	t.Helper()
	cfg.Store = o.st
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// getJSON runs a request and decodes its JSON answer into v.
func getJSON(t *testing.T, h http.Handler, path string, v any) {
	t.Helper()
	w := get(h, path)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("%s: status %d, Content-Type %q: %s", path, w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// getCSV runs a request and reads its CSV answer: the header row, then
// the rows as maps by column name.
func getCSV(t *testing.T, h http.Handler, path string) []map[string]string {
	t.Helper()
	w := get(h, path)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("%s: status %d, Content-Type %q", path, w.Code, w.Header().Get("Content-Type"))
	}
	rows, err := csv.NewReader(w.Body).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: %v, %d rows", path, err, len(rows))
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, c := range r {
			m[rows[0][i]] = c
		}
		out = append(out, m)
	}
	return out
}

// shown returns the text of the element with the id on the page, tags
// removed (a figure as the page shows it).
func shown(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `"[^>]*>(.*?)</`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no element #%s on the page", id)
	}
	return m[1]
}

// TestTLSPageEqualsSummary: the TLS page's and exports' figures equal
// tlsrpt.Summary's over the same reports: in total, per policy domain,
// per day and per result type.
func TestTLSPageEqualsSummary(t *testing.T) {
	o := newOtherStore(t, 0)
	h := o.handler(t, Config{})
	var sum tlsrpt.Summary
	for _, r := range o.tls {
		sum.Add(r)
	}
	if sum.Total.Failure == 0 || len(sum.ByPolicyDomain) < 2 {
		t.Fatalf("the samples have too little to compare: %+v", sum.Total)
	}

	page := get(h, "/tls").Body.String()
	for id, want := range map[string]uint64{"tls-successful": sum.Total.Successful, "tls-failed": sum.Total.Failure,
		"tls-total": sat.Add(sum.Total.Successful, sum.Total.Failure)} {
		if got := digits(t, shown(t, page, id)); got != want {
			t.Errorf("/tls: #%s shows %d, tlsrpt.Summary says %d", id, got, want)
		}
	}
	if !strings.Contains(page, `<svg class="chart"`) {
		t.Error("/tls: no chart")
	}

	var days []store.TLSDayCounts
	getJSON(t, h, "/api/tls/days", &days)
	byDomain, byDay := map[string]*tlsrpt.SessionCounts{}, map[string]*tlsrpt.SessionCounts{}
	for _, d := range days {
		add := func(m map[string]*tlsrpt.SessionCounts, k string) {
			if m[k] == nil {
				m[k] = &tlsrpt.SessionCounts{}
			}
			m[k].Successful += d.Successful
			m[k].Failure += d.Failure
		}
		add(byDomain, d.Domain)
		add(byDay, d.Day)
	}
	for _, c := range []struct {
		what      string
		got, want map[string]*tlsrpt.SessionCounts
	}{{"policy domain", byDomain, sum.ByPolicyDomain}, {"day", byDay, sum.ByDay}} {
		if len(c.got) != len(c.want) {
			t.Errorf("/api/tls/days: %d values of %s, the summary %d", len(c.got), c.what, len(c.want))
		}
		for k, w := range c.want {
			if g := c.got[k]; g == nil || *g != *w {
				t.Errorf("/api/tls/days: %s %q: %+v, the summary says %+v", c.what, k, g, *w)
			}
		}
	}

	// One domain, through the filter: the page shows its figures only.
	for dom, want := range sum.ByPolicyDomain {
		if !validDomain(dom) {
			continue
		}
		p := get(h, "/tls?domain="+dom).Body.String()
		if got := digits(t, shown(t, p, "tls-failed")); got != want.Failure {
			t.Errorf("/tls?domain=%s: %d failed sessions, the summary says %d", dom, got, want.Failure)
		}
	}

	byType := map[tlsrpt.ResultType]uint64{}
	for _, r := range getCSV(t, h, "/api/tls/failures.csv") {
		var n uint64
		fmt.Sscan(r["failed_sessions"], &n)
		byType[tlsrpt.ResultType(strings.TrimPrefix(r["result_type"], "'"))] += n
	}
	if len(byType) != len(sum.ByResultType) {
		t.Errorf("/api/tls/failures.csv: %d result types, the summary %d", len(byType), len(sum.ByResultType))
	}
	for rt, want := range sum.ByResultType {
		if byType[rt] != want {
			t.Errorf("result type %q: %d failed sessions exported, the summary says %d", rt, byType[rt], want)
		}
	}

	// The overview's line counts the same failed sessions.
	var over struct {
		Other otherCounts `json:"other"`
	}
	getJSON(t, h, "/api/overview", &over)
	if over.Other.TLS != sum.Total {
		t.Errorf("/api/overview: TLS sessions %+v, the summary says %+v", over.Other.TLS, sum.Total)
	}
}

// TestFailuresPageEqualsSummary: the failure report list holds the reports
// report.Summary counts (repeated copies once), with its incidents per
// domain and type, and each row leads to the report's page.
func TestFailuresPageEqualsSummary(t *testing.T) {
	o := newOtherStore(t, 0)
	h := o.handler(t, Config{})
	var sum report.Summary
	for _, f := range decodeSamples(t, "dmarc-failure", report.DecodeFailure) {
		sum.AddFailure(f)
	}
	sum.AddFailure(hostileFailure(0))
	want := sum.Failures

	var list []struct {
		Domain      string             `json:"reported_domain"`
		AuthFailure report.AuthFailure `json:"auth_failure"`
		Incidents   uint64             `json:"incidents"`
	}
	getJSON(t, h, "/api/failures", &list)
	if len(list) != want.Reports {
		t.Fatalf("/api/failures: %d reports, the summary counts %d", len(list), want.Reports)
	}
	var got report.FailureCounts
	for _, f := range list {
		got.Reports++
		for _, m := range []*map[string]uint64{&got.ByDomain, &got.ByType} {
			if *m == nil {
				*m = map[string]uint64{}
			}
		}
		got.Incidents += f.Incidents
		got.ByDomain[f.Domain] += f.Incidents
		got.ByType[string(f.AuthFailure)] += f.Incidents
	}
	if got.Incidents != want.Incidents {
		t.Errorf("incidents: %d listed, the summary says %d", got.Incidents, want.Incidents)
	}
	for what, p := range map[string][2]map[string]uint64{"domain": {got.ByDomain, want.ByDomain}, "type": {got.ByType, want.ByType}} {
		if fmt.Sprint(p[0]) != fmt.Sprint(p[1]) {
			t.Errorf("incidents by %s: %v listed, the summary says %v", what, p[0], p[1])
		}
	}
	if rows := getCSV(t, h, "/api/failures.csv"); len(rows) != want.Reports {
		t.Errorf("/api/failures.csv: %d rows, want %d", len(rows), want.Reports)
	}

	page := get(h, "/failures").Body.String()
	links := regexp.MustCompile(`href="/failure/(\d+)"`).FindAllStringSubmatch(page, -1)
	if len(links) != want.Reports {
		t.Errorf("/failures links %d reports, want %d", len(links), want.Reports)
	}
	for _, l := range links {
		w := get(h, "/failure/"+l[1])
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="original-header"`) && !strings.Contains(w.Body.String(), "holds no header") {
			t.Errorf("/failure/%s: status %d", l[1], w.Code)
		}
		checkNoActiveContent(t, "/failure/"+l[1], w.Body.String())
	}
	for dom, id := range o.failureIDs {
		p := get(h, fmt.Sprintf("/failure/%d", id)).Body.String()
		if !strings.Contains(p, `id="reported-domain" class="u">`+htmlText(dom)+`</dd>`) {
			t.Errorf("/failure/%d does not show the reported domain %q", id, dom)
		}
		if !strings.Contains(p, "Stored redacted") {
			t.Errorf("/failure/%d does not say it is redacted", id)
		}
	}

	var over struct {
		Other otherCounts `json:"other"`
	}
	getJSON(t, h, "/api/overview", &over)
	if over.Other.FailureReports != want.Reports {
		t.Errorf("/api/overview: %d failure reports, the summary counts %d", over.Other.FailureReports, want.Reports)
	}
}

// htmlText is html/template's escaping of text.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// TestFailuresPagination: the list pages by failuresPerPage, links the
// neighbouring pages, and refuses a page past MaxRows (the default's).
func TestFailuresPagination(t *testing.T) {
	o := newOtherStore(t, failuresPerPage+5)
	h := o.handler(t, Config{})
	n := len(o.failures)
	ids := regexp.MustCompile(`href="/failure/(\d+)"`)
	seen := map[string]bool{}
	for p := 1; p <= 2; p++ {
		w := get(h, fmt.Sprintf("/failures?page=%d", p))
		body := w.Body.String()
		rows := ids.FindAllStringSubmatch(body, -1)
		if want := min(failuresPerPage, n-(p-1)*failuresPerPage); len(rows) != want {
			t.Errorf("page %d: %d rows, want %d", p, len(rows), want)
		}
		for _, r := range rows {
			if seen[r[1]] {
				t.Errorf("page %d repeats report %s", p, r[1])
			}
			seen[r[1]] = true
		}
		if hasNext := strings.Contains(body, `rel="next"`); hasNext != (p == 1) {
			t.Errorf("page %d: next link %v", p, hasNext)
		}
		if hasPrev := strings.Contains(body, `rel="prev" href="/failures?page=1"`); hasPrev != (p == 2) {
			t.Errorf("page %d: previous link %v", p, hasPrev)
		}
	}
	if len(seen) != n {
		t.Errorf("two pages list %d reports, the store holds %d", len(seen), n)
	}
	last := DefaultMaxRows / failuresPerPage
	for _, tc := range []struct {
		page   string
		status int
	}{{"0", 400}, {"-1", 400}, {"x", 400}, {"1e3", 400}, {fmt.Sprint(last), 200}, {fmt.Sprint(last + 1), 400}} {
		if w := get(h, "/failures?page="+tc.page); w.Code != tc.status {
			t.Errorf("page=%s: status %d, want %d", tc.page, w.Code, tc.status)
		}
	}
}

// TestTLSAndFailuresHostileEscaped: the hostile TLS and failure reports'
// strings come out as text on the pages and in the JSON, never as markup,
// and as text (not formulas) in the CSV.
func TestTLSAndFailuresHostileEscaped(t *testing.T) {
	o := newOtherStore(t, 0)
	h := o.handler(t, Config{})
	fid := fmt.Sprint(o.hostileID)
	for _, path := range []string{"/tls", "/tls?domain=evil.example", "/failures", "/failure/" + fid, "/",
		"/api/tls/failures", "/api/tls/days", "/api/failures", "/api/failure/" + fid, "/api/failure/" + fid + "/header"} {
		w := get(h, path)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: status %d", path, w.Code)
		}
		body := w.Body.String()
		for _, raw := range []string{hostileOrg, hostileID, "<img"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s: raw %q in the output", path, raw)
			}
		}
		if !strings.HasPrefix(path, "/api/") {
			checkNoActiveContent(t, path, body)
		}
	}
	if p := get(h, "/tls").Body.String(); !strings.Contains(p, htmlText(hostileOrg)) {
		t.Error("/tls does not show the hostile result type as text")
	}
	if p := get(h, "/failure/"+fid).Body.String(); !strings.Contains(p, "List-Id: "+htmlText(hostileFrom)) {
		t.Error("/failure: the reported message's header is not shown as text")
	}
	for _, tc := range []struct{ path, col string }{
		{"/api/tls/failures.csv", "receiving_mx_hostname"},
		{"/api/failures.csv", "delivery_result"},
		{"/api/failure/" + fid + "/header.csv", "value"},
	} {
		found := false
		for _, r := range getCSV(t, h, tc.path) {
			if strings.HasPrefix(r[tc.col], "=") {
				t.Errorf("%s: cell %q starts a formula", tc.path, r[tc.col])
			}
			found = found || r[tc.col] == "'"+hostileFrom
		}
		if !found {
			t.Errorf("%s: no %s cell holding the formula as text", tc.path, tc.col)
		}
	}
}

// TestTLSAndFailuresBadRequests: unknown reports and tables are 404, a
// malformed id or filter 400 (as for aggregate reports), on the pages and
// in the API.
func TestTLSAndFailuresBadRequests(t *testing.T) {
	o := newOtherStore(t, 0)
	h := o.handler(t, Config{})
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/failure/999999", 404},
		{"/failure/9223372036854775807", 404},
		{"/api/failure/999999", 404},
		{"/api/failure/999999/header.csv", 404},
		{fmt.Sprintf("/api/failure/%d/body", o.hostileID), 404},
		{"/api/tls/rows", 404},
		{"/failure/0", 400},
		{"/failure/-1", 400},
		{"/failure/abc", 400},
		{"/failure/1e3", 400},
		{"/api/failure/x", 400},
		{"/tls?domain=%3Cx%3E", 400},
		{"/tls?from=2025-13-01", 400},
		{"/failures?to=yesterday", 400},
		{"/api/tls/days?from=2020-01-01&to=2030-01-01", 400},
		{"/api/failures.csv?domain=a%20b", 400},
	} {
		w := get(h, tc.path)
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, w.Code, tc.status)
		}
		if strings.HasPrefix(tc.path, "/api/") && tc.status == 400 && !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
			t.Errorf("%s: error as %q, want JSON", tc.path, w.Header().Get("Content-Type"))
		}
	}
}

// TestTLSAndFailuresExportLimit: the new exports stop at Config.MaxRows
// rows, as JSON and as CSV.
func TestTLSAndFailuresExportLimit(t *testing.T) {
	o := newOtherStore(t, 3)
	const limit = 2
	h := o.handler(t, Config{MaxRows: limit})
	for _, path := range []string{"/api/tls/days", "/api/tls/failures", "/api/failures", "/api/failures.json"} {
		var v []json.RawMessage
		getJSON(t, h, path, &v)
		if len(v) != limit {
			t.Errorf("%s: %d rows, want %d", path, len(v), limit)
		}
		if rows := getCSV(t, h, strings.TrimSuffix(path, ".json")+".csv"); len(rows) != limit {
			t.Errorf("%s.csv: %d rows, want %d", path, len(rows), limit)
		}
	}
}

// TestTLSExportAtDefaultLimit: the TLS day export and the page's table of
// days stop at DefaultMaxRows rows, its list of domains at
// DefaultPageDomains, and the page's total still counts every session:
// one report of DefaultMaxRows+1 policy domains. Skipped under -race and
// -short (CI runs it without -race).
func TestTLSExportAtDefaultLimit(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("slow under -race and -short; run without them")
	}
	st, _ := openStore(t)
	r := &tlsrpt.Report{OrganizationName: "big", ReportID: "1",
		DateRange: tlsrpt.DateRange{Start: day(2025, 1, 1), End: day(2025, 1, 1).Add(time.Hour)}}
	for i := range DefaultMaxRows + 1 {
		r.Policies = append(r.Policies, tlsrpt.PolicyResult{Policy: tlsrpt.Policy{Type: tlsrpt.PolicyTypeSTS, Domain: fmt.Sprintf("d%d.example", i)},
			Summary: tlsrpt.SessionCounts{Successful: 1}})
	}
	if _, err := st.AddTLS(context.Background(), r, store.Source{}); err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	if rows := getCSV(t, h, "/api/tls/days.csv"); len(rows) != DefaultMaxRows {
		t.Errorf("/api/tls/days.csv: %d rows, want %d", len(rows), DefaultMaxRows)
	}
	p := get(h, "/tls").Body.String()
	// The page's table asks the store for one row more than it lists
	// (store.MaxLimit-1 of them), to say that it left rows out.
	if n, want := strings.Count(p, "<tr><td>2025-01-01</td>"), store.MaxLimit-1; n != want || !strings.Contains(p, `id="tls-days-cut"`) {
		t.Errorf("/tls lists %d rows of days, note shown %v; want %d and the note", n, strings.Contains(p, `id="tls-days-cut"`), want)
	}
	// The totals cover every domain, not only the rows listed.
	if got, want := shown(t, p, "tls-total"), thousands(DefaultMaxRows+1); got != want {
		t.Errorf("/tls: %s sessions, want %s", got, want)
	}
	// The filter offers the first DefaultPageDomains and says so.
	if n := strings.Count(section(t, p, `<select name="domain">`), "<option value=\"d"); n != DefaultPageDomains || !strings.Contains(p, `id="domains-cut"`) {
		t.Errorf("/tls offers %d domains, note shown %v; want %d and the note", n, strings.Contains(p, `id="domains-cut"`), DefaultPageDomains)
	}
}
