package audit

import (
	"math"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/report"
)

func TestPluralCountMaxUint64(t *testing.T) {
	if got := pluralCount(math.MaxUint64, "message"); got != "18446744073709551615 messages" {
		t.Errorf("pluralCount = %q", got)
	}
}

func TestWriteAggregateRowsBound(t *testing.T) {
	agg := &report.Aggregate{Records: make([]report.Record, 3)}
	agg.Metadata.ReportID = "id\x1b[2J"
	var b strings.Builder
	WriteAggregate(&b, "r.xml", agg, 2)
	out := b.String()
	if !strings.Contains(out, "... 1 more rows") || strings.Count(out, "\n  -") != 2 {
		t.Errorf("want 2 rows then a count of the rest:\n%s", out)
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("raw escape in the output: %q", out)
	}
}

// TestWriteSaturatedTotals: a total that saturated at 2^64-1 is printed with
// a warning, not as if it were a count (issue 11 item 4).
func TestWriteSaturatedTotals(t *testing.T) {
	huge := uint64(9_999_999_999_999_999_999)
	agg := &report.Aggregate{Records: []report.Record{{Row: report.Row{Count: huge}}, {Row: report.Row{Count: huge}}}}
	var b strings.Builder
	WriteAggregate(&b, "r.xml", agg, 10)
	if !strings.Contains(b.String(), "18446744073709551615 messages") || !strings.Contains(b.String(), saturatedNote) {
		t.Errorf("WriteAggregate:\n%s", b.String())
	}
}
