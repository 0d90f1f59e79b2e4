package report

import (
	"cmp"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// String returns the window as "2006-01-02 15:04 UTC to 2006-01-02 15:04
// UTC", with "?" for a missing end.
func (r DateRange) String() string {
	f := func(t time.Time) string {
		if t.IsZero() {
			return "?"
		}
		return t.UTC().Format("2006-01-02 15:04 MST")
	}
	return f(r.Begin) + " to " + f(r.End)
}

// String returns the published policy in the tag=value form of a DMARC
// record, space-separated, with the tags the report gave: "p=reject
// sp=none adkim=s". The values are the report's, unchecked: a caller that
// prints them to a terminal must make them safe.
func (p PolicyPublished) String() string {
	parts := []string{"p=" + string(p.P)}
	add := func(tag, v string) {
		if v != "" {
			parts = append(parts, tag+"="+v)
		}
	}
	add("sp", string(p.SP))
	add("np", string(p.NP))
	add("adkim", string(p.ADKIM))
	add("aspf", string(p.ASPF))
	if p.PCT != nil {
		add("pct", strconv.Itoa(*p.PCT))
	}
	add("fo", p.FO)
	add("t", string(p.Testing))
	return strings.Join(parts, " ")
}

// String returns the row's authentication results in one line, DKIM
// first: "dkim=pass example.org/s1, spf=pass example.org", or "-" when the
// row has none. The values are the report's, unchecked.
func (ar AuthResults) String() string {
	var parts []string
	for _, d := range ar.DKIM {
		s := strings.TrimSpace("dkim=" + string(d.Result) + " " + d.Domain)
		if d.Selector != "" {
			s += "/" + d.Selector
		}
		parts = append(parts, s)
	}
	for _, s := range ar.SPF {
		parts = append(parts, strings.TrimSpace("spf="+string(s.Result)+" "+s.Domain))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// KeyedCounts is one entry of a Summary table (ByOrg, ByHeaderFrom,
// BySourceIP) with its key.
type KeyedCounts struct {
	Key string `json:"key"`
	Counts
}

// Ranked returns the entries of one of a Summary's tables, most messages
// first (ties by key), at most n of them (all when n <= 0).
func Ranked(table map[string]*Counts, n int) []KeyedCounts {
	out := make([]KeyedCounts, 0, len(table))
	for k, c := range table {
		out = append(out, KeyedCounts{k, *c})
	}
	slices.SortFunc(out, func(x, y KeyedCounts) int {
		return cmp.Or(cmp.Compare(y.Messages, x.Messages), strings.Compare(x.Key, y.Key))
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// Span returns the first and the last day (2006-01-02, UTC) that the
// summarised records fall on, or "", "" when none is dated.
func (s *Summary) Span() (first, last string) {
	days := slices.Sorted(maps.Keys(s.ByDay))
	if len(days) == 0 {
		return "", ""
	}
	return days[0], days[len(days)-1]
}
