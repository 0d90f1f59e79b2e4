package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/domainauth/domainauth/store"
	"github.com/domainauth/domainauth/tlsrpt"
)

// oneDayTLS returns a TLS report for the day from start on, of ok
// successful sessions to example.org.
func oneDayTLS(id string, start time.Time, ok uint64) *tlsrpt.Report {
	return &tlsrpt.Report{OrganizationName: "example.net", ReportID: id,
		DateRange: tlsrpt.DateRange{Start: start, End: start.Add(24*time.Hour - time.Second)},
		Policies: []tlsrpt.PolicyResult{{Policy: tlsrpt.Policy{Type: tlsrpt.PolicyTypeSTS, Domain: "example.org"},
			Summary: tlsrpt.SessionCounts{Successful: ok}}}}
}

// checkDaysBounded stores n days of one-message aggregate reports and
// one-session TLS reports and checks that the overview (JSON) holds the
// latest maxRows-1 days, at most, and says whether it left days out,
// while its totals and the TLS page's count every day.
func checkDaysBounded(t *testing.T, cfg Config, n int) {
	st, _ := openStore(t, spreadReports(n, fixed("example.net"), fixed("example.org"))...)
	for i := range n {
		if _, err := st.AddTLS(context.Background(), oneDayTLS(fmt.Sprint(i), day(2025, 1, 1).AddDate(0, 0, i), 1), store.Source{}); err != nil {
			t.Fatal(err)
		}
	}
	cfg.Store = st
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	kept := pageSize(cfg.MaxRows, DefaultMaxRows)
	var over struct {
		Days     []store.DayCounts `json:"days"`
		MoreDays bool              `json:"more_days"`
		Total    struct {
			Messages uint64 `json:"messages"`
		} `json:"total"`
		Other struct {
			TLS tlsrpt.SessionCounts `json:"tls_sessions"`
		} `json:"other"`
	}
	getJSON(t, h, "/api/overview", &over)
	want := min(n, kept)
	latest := day(2025, 1, 1).AddDate(0, 0, n-1).Format(time.DateOnly)
	if len(over.Days) != want || over.MoreDays != (n > kept) || over.Days[len(over.Days)-1].Day != latest {
		t.Errorf("/api/overview: %d days to %s, more_days %v; want the latest %d, to %s, and %v",
			len(over.Days), over.Days[len(over.Days)-1].Day, over.MoreDays, want, latest, n > kept)
	}
	// Report i has i+1 messages.
	if all := uint64(n * (n + 1) / 2); over.Total.Messages != all || over.Other.TLS.Successful != uint64(n) {
		t.Errorf("/api/overview: %d messages, %d TLS sessions; want every day's %d and %d", over.Total.Messages, over.Other.TLS.Successful, all, n)
	}
	if got := shown(t, get(h, "/tls").Body.String(), "tls-total"); got != thousands(uint64(n)) {
		t.Errorf("/tls: %s sessions, want every day's %d", got, n)
	}
}

// TestOverviewDaysBounded: with Config.MaxRows 4, the overview reads the
// latest 3 days of 4 (asking for one more than it keeps) and says it left
// one out; its totals and the TLS page's count all 4.
func TestOverviewDaysBounded(t *testing.T) {
	for _, n := range []int{3, 4} {
		t.Run(fmt.Sprint(n, " days"), func(t *testing.T) { checkDaysBounded(t, Config{MaxRows: 4}, n) })
	}
}

// TestDefaultLimitOverviewDays: the same just past the default,
// DefaultMaxRows days (the overview keeps store.MaxLimit-1). Storing them
// takes some seconds, more under the race detector: skipped there and
// under -short (CI's bounds step runs it without -race).
func TestDefaultLimitOverviewDays(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("slow under -race and -short; run without them")
	}
	checkDaysBounded(t, Config{}, DefaultMaxRows)
}
