package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
)

// Hostile strings: a report's text must come out as text.
const (
	hostileOrg     = `<script>alert("org")</script>`
	hostileID      = `"><img src=x onerror=alert(1)>`
	hostileContact = `javascript:alert(1)`
	hostileFrom    = `=HYPERLINK("http://evil.example/","click")`
)

func rec(ip string, n uint64, dkim, spf report.DMARCResult, hf string) report.Record {
	var r report.Record
	r.Row.SourceIP = netip.MustParseAddr(ip)
	r.Row.Count = n
	r.Row.PolicyEvaluated = report.PolicyEvaluated{Disposition: report.DispositionNone, DKIM: dkim, SPF: spf}
	r.Identifiers.HeaderFrom = hf
	return r
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// fixture returns two ordinary reports for example.org (one spanning two
// days) and one hostile report for evil.example.
func fixture() []*report.Aggregate {
	a := &report.Aggregate{
		Metadata: report.Metadata{OrgName: "google.com", Email: "noreply@google.com", ReportID: "g-1",
			DateRange: report.DateRange{Begin: day(2025, 3, 1), End: day(2025, 3, 1).Add(24*time.Hour - time.Second)}},
		Policy: report.PolicyPublished{Domain: "example.org", P: report.DispositionNone},
		Records: []report.Record{
			rec("192.0.2.1", 100, report.DMARCResultPass, report.DMARCResultPass, "example.org"),
			rec("198.51.100.7", 7, report.DMARCResultFail, report.DMARCResultFail, "example.org"),
		},
	}
	b := &report.Aggregate{
		Metadata: report.Metadata{OrgName: "Yahoo", Email: "dmarc@yahoo.com", ReportID: "y-1",
			DateRange: report.DateRange{Begin: day(2025, 3, 2).Add(12 * time.Hour), End: day(2025, 3, 3).Add(12 * time.Hour)}},
		Policy: report.PolicyPublished{Domain: "example.org", P: report.DispositionReject},
		Records: []report.Record{
			rec("192.0.2.1", 41, report.DMARCResultPass, report.DMARCResultFail, "example.org"),
			rec("203.0.113.9", 9, report.DMARCResultFail, report.DMARCResultFail, "example.org"),
		},
	}
	h := &report.Aggregate{
		Metadata: report.Metadata{OrgName: hostileOrg, Email: `a@b"><script>`, ExtraContactInfo: hostileContact, ReportID: hostileID,
			DateRange: report.DateRange{Begin: day(2025, 3, 2), End: day(2025, 3, 2).Add(24*time.Hour - time.Second)}},
		Policy: report.PolicyPublished{Domain: "evil.example", P: report.DispositionNone},
		Records: []report.Record{
			rec("192.0.2.66", 3, report.DMARCResultFail, report.DMARCResultFail, hostileFrom),
		},
	}
	return []*report.Aggregate{a, b, h}
}

// fixedClock stamps every ingest at one time.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// ingestTime is when the test stores say their reports were ingested.
var ingestTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// openStore returns a SQLite store in a temporary folder holding reports,
// and the ids they got.
func openStore(t testing.TB, reports ...*report.Aggregate) (store.Dashboard, []int64) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "reports.db"), store.Options{Clock: fixedClock{ingestTime}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var ids []int64
	for i, a := range reports {
		added, err := st.AddAggregate(ctx, a, store.Source{Name: fmt.Sprintf("fixture-%d.xml", i)})
		if err != nil {
			t.Fatalf("adding report %d: %v", i, err)
		}
		ids = append(ids, added.ID)
	}
	return st.(store.Dashboard), ids
}

// newTestHandler returns the handler over the fixture's reports in a
// SQLite store, with cfg's other fields, and the store.
func newTestHandler(t *testing.T, cfg Config) (http.Handler, store.Dashboard) {
	t.Helper()
	st, ids := openStore(t, fixture()...)
	if !slices.Equal(ids, []int64{1, 2, 3}) {
		t.Fatalf("the fixture's reports got ids %v; the tests link to 1, 2, 3", ids)
	}
	cfg.Store = st
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, st
}

// newRequest is httptest.NewRequest addressed to the loopback host the
// dashboard answers to.
func newRequest(method, target string, body io.Reader) *http.Request {
	r := httptest.NewRequest(method, target, body)
	r.Host = "127.0.0.1:8080"
	return r
}

// get runs one request against h.
func get(h http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	r := newRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
