package report

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestStrings covers the one-line forms of a report's parts.
func TestStrings(t *testing.T) {
	pct := 50
	for _, tc := range []struct {
		name string
		v    fmt.Stringer
		want string
	}{
		{"range", DateRange{time.Unix(1700000000, 0), time.Unix(1700086399, 0)}, "2023-11-14 22:13 UTC to 2023-11-15 22:13 UTC"},
		{"range without end", DateRange{Begin: time.Unix(0, 0)}, "1970-01-01 00:00 UTC to ?"},
		{"empty range", DateRange{}, "? to ?"},
		{"policy p only", PolicyPublished{Domain: "example.org", P: DispositionReject}, "p=reject"},
		{"policy absent p", PolicyPublished{}, "p="},
		{"policy RFC 7489 tags", PolicyPublished{P: DispositionNone, SP: DispositionQuarantine, ADKIM: AlignmentStrict, ASPF: AlignmentRelaxed, PCT: &pct, FO: "1"},
			"p=none sp=quarantine adkim=s aspf=r pct=50 fo=1"},
		{"policy RFC 9990 tags", PolicyPublished{P: DispositionReject, NP: DispositionReject, Testing: TestingNo}, "p=reject np=reject t=n"},
		{"no auth results", AuthResults{}, "-"},
		{"dkim with selector and spf", AuthResults{
			DKIM: []DKIMAuthResult{{Domain: "example.org", Selector: "s1", Result: "pass"}, {Domain: "esp.example", Result: "fail"}},
			SPF:  []SPFAuthResult{{Domain: "example.org", Result: "softfail"}},
		}, "dkim=pass example.org/s1, dkim=fail esp.example, spf=softfail example.org"},
		{"spf without domain", AuthResults{SPF: []SPFAuthResult{{Result: "none"}}}, "spf=none"},
	} {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestRankedAndSpan(t *testing.T) {
	s := &Summary{
		ByOrg: map[string]*Counts{"b.example": {Messages: 5}, "a.example": {Messages: 5}, "c.example": {Messages: 9}, "": {Messages: 1}},
		ByDay: map[string]*Counts{"2024-03-02": {}, "2024-02-28": {}, "2024-03-01": {}},
	}
	want := []KeyedCounts{{"c.example", Counts{Messages: 9}}, {"a.example", Counts{Messages: 5}}, {"b.example", Counts{Messages: 5}}, {"", Counts{Messages: 1}}}
	if diff := cmp.Diff(want, Ranked(s.ByOrg, 0)); diff != "" {
		t.Errorf("Ranked(all) (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[:2], Ranked(s.ByOrg, 2)); diff != "" {
		t.Errorf("Ranked(2) (-want +got):\n%s", diff)
	}
	if first, last := s.Span(); first != "2024-02-28" || last != "2024-03-02" {
		t.Errorf("Span() = %q, %q", first, last)
	}
	if first, last := (&Summary{}).Span(); first != "" || last != "" {
		t.Errorf("empty Span() = %q, %q", first, last)
	}
}
