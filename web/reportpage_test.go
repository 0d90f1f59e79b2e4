package web

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
)

// rowsReport returns a report of n one-message rows, each from its own
// address.
func rowsReport(n int) *report.Aggregate {
	a := &report.Aggregate{
		Metadata: report.Metadata{OrgName: "example.net", ReportID: "many-rows",
			DateRange: report.DateRange{Begin: day(2025, 1, 1), End: day(2025, 1, 1).Add(time.Hour)}},
		Policy: report.PolicyPublished{Domain: "example.org"},
	}
	base := netip.MustParseAddr("10.0.0.0").As4()
	for i := range n {
		ip := base
		ip[2], ip[3] = byte(i>>8), byte(i)
		a.Records = append(a.Records, rec(netip.AddrFrom4(ip).String(), 1, report.DMARCResultPass, report.DMARCResultFail, "example.org"))
	}
	return a
}

// TestReportPageMemoryFlat: a report's page reads only the rows it
// lists, so that viewing a report four times as large costs about the
// same memory (before, the page read the whole report: 373 MB for one of
// 200,000 rows, against 36 MB now).
func TestReportPageMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 50,000 rows")
	}
	var allocated [2]uint64
	for i, n := range []int{DefaultMaxRows + 1, 4*DefaultMaxRows + 1} {
		st, ids := openStore(t, rowsReport(n))
		h, err := NewHandler(Config{Store: st})
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/report/%d", ids[0])
		get(h, path) // templates and caches warm
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if rr := get(h, path); rr.Code != 200 {
			t.Fatalf("%s: %d", path, rr.Code)
		}
		runtime.ReadMemStats(&after)
		allocated[i] = after.TotalAlloc - before.TotalAlloc
	}
	if allocated[1] > allocated[0]*3/2 {
		t.Errorf("the page of a report of %d rows allocated %d bytes, of %d rows %d: it grows with the rows it does not list",
			4*DefaultMaxRows+1, allocated[1], DefaultMaxRows+1, allocated[0])
	}
}

// TestReportPageRowsBound: a report's page lists DefaultMaxRows of its
// DefaultMaxRows+1 rows (one report may hold a million) and says so, its
// totals counting every row; with DefaultMaxRows rows nothing is said.
func TestReportPageRowsBound(t *testing.T) {
	for _, tc := range atAndPast(DefaultMaxRows) {
		t.Run(tc.name, func(t *testing.T) {
			st, ids := openStore(t, rowsReport(tc.n))
			h, err := NewHandler(Config{Store: st})
			if err != nil {
				t.Fatal(err)
			}
			page := get(h, fmt.Sprint("/report/", ids[0])).Body.String()
			if n := strings.Count(section(t, page, `<table id="rows">`), `<tr><td>`); n != DefaultMaxRows {
				t.Errorf("the page lists %d rows, want %d", n, DefaultMaxRows)
			}
			note := fmt.Sprintf(`id="rows-cut">Only the first %d of the report's %d rows are listed here`, DefaultMaxRows, tc.n)
			if got := strings.Contains(page, note); got != tc.cut {
				t.Errorf("the page says it left rows out: %v, want %v", got, tc.cut)
			}
			if got, want := shown(t, page, "total-messages"), thousands(uint64(tc.n)); got != want {
				t.Errorf("the page's total: %s messages, want every row's %s", got, want)
			}
		})
	}
}

// TestReportPageConflictsBound: a report's page lists Config.MaxRows of
// its conflicting copies and says how many there are.
func TestReportPageConflictsBound(t *testing.T) {
	st, ids := openStore(t, rowsReport(1))
	for i := range 4 {
		other := rowsReport(2 + i) // the same identity, other content
		if added, err := st.AddAggregate(context.Background(), other, store.Source{Name: fmt.Sprint("copy-", i)}); err != nil || added.Outcome != store.OutcomeConflict {
			t.Fatalf("copy %d: %+v, %v; want a conflict", i, added, err)
		}
	}
	h, err := NewHandler(Config{Store: st, MaxRows: 3})
	if err != nil {
		t.Fatal(err)
	}
	page := get(h, fmt.Sprint("/report/", ids[0])).Body.String()
	if n := strings.Count(section(t, page, `<table id="conflicts">`), `<tr><td`); n != 3 {
		t.Errorf("the page lists %d conflicting copies, want MaxRows, 3", n)
	}
	if !strings.Contains(page, `id="conflicts-cut">Only the first 3 of 4 conflicting copies are listed here`) {
		t.Error("the page does not say it left a conflicting copy out")
	}
}

// cappedConflicts is a store whose one report was met in n conflicting
// copies, of which it lists the first store.MaxLimit, as the store does.
type cappedConflicts struct {
	Store
	n int
}

func (c cappedConflicts) Report(context.Context, int64) (*store.ReportDetail, error) {
	d := &store.ReportDetail{ReportInfo: store.ReportInfo{ID: 1, ReportID: "r-1", Conflicts: c.n}, Aggregate: rowsReport(1)}
	for i := range min(c.n, store.MaxLimit) {
		d.ConflictList = append(d.ConflictList, store.Conflict{Source: fmt.Sprint("copy-", i), Digest: fmt.Sprint(i)})
	}
	return d, nil
}

func (c cappedConflicts) ReportHead(ctx context.Context, id int64, _ int) (*store.ReportDetail, report.Counts, error) {
	d, err := c.Report(ctx, id)
	return d, report.Summarize(d.Aggregate).Total, err
}

// TestReportPageConflictsPastStoreCap: with the default MaxRows (as many
// as the store lists), a report met in store.MaxLimit+1 conflicting copies
// says that its page lists only store.MaxLimit of them; with
// store.MaxLimit copies nothing is said.
func TestReportPageConflictsPastStoreCap(t *testing.T) {
	for _, tc := range atAndPast(store.MaxLimit) {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := openStore(t)
			h, err := NewHandler(Config{Store: cappedConflicts{st, tc.n}})
			if err != nil {
				t.Fatal(err)
			}
			page := get(h, "/report/1").Body.String()
			if n := strings.Count(section(t, page, `<table id="conflicts">`), `<tr><td`); n != store.MaxLimit {
				t.Errorf("the page lists %d conflicting copies, want %d", n, store.MaxLimit)
			}
			note := fmt.Sprintf(`id="conflicts-cut">Only the first %d of %d conflicting copies are listed here`, store.MaxLimit, tc.n)
			if got := strings.Contains(page, note); got != tc.cut {
				t.Errorf("the page says it left conflicting copies out: %v, want %v", got, tc.cut)
			}
		})
	}
}
