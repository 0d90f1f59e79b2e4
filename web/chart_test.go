package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
)

// TestChartCutKeepsAxisLinear: over a span longer than a chart draws, the
// chart holds the latest maxChartBars calendar days, one slot each with
// the gaps filled (the axis stays linear however long the span: past
// 40,000 days the gaps used to stop being filled), and says under it how
// many days it left out.
func TestChartCutKeepsAxisLinear(t *testing.T) {
	counts := func(n uint64) report.Counts { return report.Counts{Messages: n, DMARCPass: n / 2, DMARCFail: n - n/2} }
	cases := []struct {
		name string
		last string
		span int // calendar days from the first day to the last
	}{
		{"under the bound", "2025-03-01", 30},
		{"exactly the bound", "2025-03-01", maxChartBars},
		{"one day past the bound", "2025-03-01", maxChartBars + 1},
		{"past the old fill limit", "2025-03-01", 50_000},
		{"the whole calendar", "9999-12-31", 3_652_425}, // from 0000-01-01
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			last, _ := time.Parse(time.DateOnly, tc.last)
			first := last.AddDate(0, 0, 1-tc.span).Format(time.DateOnly)
			inWindow := last.AddDate(0, 0, -10).Format(time.DateOnly)
			in := []store.DayCounts{{Day: first, Counts: counts(5)}, {Day: inWindow, Counts: counts(7)}, {Day: tc.last, Counts: counts(3)}}
			days, span := fillDays(in)
			if span != tc.span {
				t.Errorf("span %d days, want %d", span, tc.span)
			}
			if len(days) != min(tc.span, maxChartBars) {
				t.Fatalf("%d days drawn, want %d", len(days), min(tc.span, maxChartBars))
			}
			for i, d := range days {
				want := last.AddDate(0, 0, i-len(days)+1).Format(time.DateOnly)
				if d.Day != want {
					t.Fatalf("slot %d is %s, want %s: the axis is not one slot per day", i, d.Day, want)
				}
			}
			if got := days[len(days)-11].Messages; got != 7 {
				t.Errorf("%s has %d messages, want 7", inWindow, got)
			}
			if got := days[len(days)-1].Messages; got != 3 {
				t.Errorf("%s has %d messages, want 3", tc.last, got)
			}
			cut := tc.span > maxChartBars
			if got := days[0].Messages; (got == 5) == cut {
				t.Errorf("the first day's 5 messages drawn: %v, cut: %v", got == 5, cut)
			}
			c := messagesChart(in)
			want := fmt.Sprintf("The chart shows the last %s of %s days", thousands(uint64(maxChartBars)), thousands(uint64(tc.span)))
			if cut != strings.HasPrefix(c.Note, want) {
				t.Errorf("note %q; cut %v, want it to start %q", c.Note, cut, want)
			}
			if r := rateChart(in); r.Note != c.Note {
				t.Errorf("rate chart note %q, messages chart note %q", r.Note, c.Note)
			}
		})
	}
}

// TestChartCutNoteOnPage: the overview says under its charts that they
// leave days out, when they do, and not otherwise.
func TestChartCutNoteOnPage(t *testing.T) {
	old := fixture()[0]
	old.Metadata.ReportID = "g-old"
	old.Metadata.DateRange = report.DateRange{Begin: day(2020, 1, 1), End: day(2020, 1, 1).Add(24*time.Hour - time.Second)}
	st, _ := openStore(t, append(fixture(), old)...)
	h, err := NewHandler(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's last day is 2025-03-03.
	span := int(day(2025, 3, 3).Sub(day(2020, 1, 1))/(24*time.Hour)) + 1
	page := get(h, "/").Body.String()
	if n := strings.Count(page, `class="note chart-cut"`); n != 2 {
		t.Errorf("%d cut notes on the overview, want one under each chart", n)
	}
	if want := fmt.Sprintf("last 1000 of %d days", span); !strings.Contains(page, want) {
		t.Errorf("the overview does not say the charts show the %s", want)
	}
	if page := get(h, "/?from=2025-01-01").Body.String(); strings.Contains(page, "chart-cut") {
		t.Errorf("a selection the charts hold whole says they are cut")
	}
}
