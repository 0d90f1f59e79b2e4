package report

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// FailureCounts condenses failure reports: how many, and the incidents
// they stand for (Failure.Incidents, one where absent) per reported
// domain, failure type, source IP and UTC day of arrival. Like Summary, it
// merges associatively and commutatively. The zero value is empty and
// ready to use.
type FailureCounts struct {
	Reports   int    `json:"reports"`
	Incidents uint64 `json:"incidents"`
	// ByDomain is keyed by Failure.Domain() ("" when unknown).
	ByDomain map[string]uint64 `json:"by_domain,omitempty"`
	// ByType is keyed by Auth-Failure ("" when absent).
	ByType map[string]uint64 `json:"by_type,omitempty"`
	// BySourceIP is keyed by Source-IP ("" when absent or unreadable).
	BySourceIP map[string]uint64 `json:"by_source_ip,omitempty"`
	// ByDay is keyed by the UTC date of Arrival-Date (2006-01-02; "" when
	// absent).
	ByDay map[string]uint64 `json:"by_day,omitempty"`
}

// Add accounts for one failure report.
func (c *FailureCounts) Add(f *Failure) {
	n := max(f.Incidents, 1)
	ip := ""
	if f.SourceIP.IsValid() {
		ip = f.SourceIP.String()
	}
	day := ""
	if !f.ArrivalDate.IsZero() {
		day = f.ArrivalDate.UTC().Format(time.DateOnly)
	}
	c.Reports++
	c.Incidents = addSat(c.Incidents, n)
	for _, p := range []struct {
		m *map[string]uint64
		k string
	}{{&c.ByDomain, dnsname.Canonical(f.Domain())}, {&c.ByType, string(f.AuthFailure)}, {&c.BySourceIP, ip}, {&c.ByDay, day}} {
		addKey(p.m, p.k, n)
	}
}

func addKey(m *map[string]uint64, k string, n uint64) {
	if *m == nil {
		*m = make(map[string]uint64)
	}
	(*m)[k] = addSat((*m)[k], n)
}

// Merge adds o into c.
func (c *FailureCounts) Merge(o *FailureCounts) {
	c.Reports += o.Reports
	c.Incidents = addSat(c.Incidents, o.Incidents)
	for _, p := range []struct{ dst, src *map[string]uint64 }{
		{&c.ByDomain, &o.ByDomain}, {&c.ByType, &o.ByType}, {&c.BySourceIP, &o.BySourceIP}, {&c.ByDay, &o.ByDay},
	} {
		for k, n := range *p.src {
			addKey(p.dst, k, n)
		}
	}
}

// KeyedCount is one entry of a FailureCounts table with its key.
type KeyedCount struct {
	Key   string `json:"key"`
	Count uint64 `json:"count"`
}

// RankedCounts returns the entries of one of FailureCounts' tables, most
// first (ties by key), at most n of them (all when n <= 0). With byKey
// they are in key order instead, and the last n are kept (for ByDay: the
// most recent days).
func RankedCounts(table map[string]uint64, n int, byKey bool) []KeyedCount {
	out := make([]KeyedCount, 0, len(table))
	for k, v := range table {
		out = append(out, KeyedCount{k, v})
	}
	slices.SortFunc(out, func(x, y KeyedCount) int {
		if byKey {
			return strings.Compare(x.Key, y.Key)
		}
		return cmp.Or(cmp.Compare(y.Count, x.Count), strings.Compare(x.Key, y.Key))
	})
	if n > 0 && len(out) > n {
		if byKey {
			return out[len(out)-n:]
		}
		out = out[:n]
	}
	return out
}

// AddFailure accounts for one failure report in s.Failures.
func (s *Summary) AddFailure(f *Failure) {
	s.Failures.Add(f)
}
