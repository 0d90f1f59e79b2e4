package report

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/sat"
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
	// Duplicates counts the failure reports Summary.AddFailure did not
	// count because one with the same Failure.Identity had been.
	Duplicates int `json:"duplicates,omitempty"`
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
	c.Incidents = sat.Add(c.Incidents, n)
	for _, p := range []struct {
		m *map[string]uint64
		k string
	}{{&c.ByDomain, dnsname.Canonical(f.Domain())}, {&c.ByType, string(f.AuthFailure)}, {&c.BySourceIP, ip}, {&c.ByDay, day}} {
		sat.AddTo(p.m, p.k, n)
	}
}

// Merge adds o into c.
func (c *FailureCounts) Merge(o *FailureCounts) {
	c.Reports += o.Reports
	c.Duplicates += o.Duplicates
	c.Incidents = sat.Add(c.Incidents, o.Incidents)
	for _, p := range []struct{ dst, src *map[string]uint64 }{
		{&c.ByDomain, &o.ByDomain}, {&c.ByType, &o.ByType}, {&c.BySourceIP, &o.BySourceIP}, {&c.ByDay, &o.ByDay},
	} {
		for k, n := range *p.src {
			sat.AddTo(p.dst, k, n)
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

// AddFailure accounts for one failure report in s.Failures, and adds the
// DKIM-Domain and DKIM-Selector of the signature it reports to Selectors.
// A report with the Identity of one added before is not counted again:
// it adds to s.Failures.Duplicates, and AddFailure returns false.
func (s *Summary) AddFailure(f *Failure) bool {
	if s.duplicateFailure(f.Identity()) {
		return false
	}
	s.Failures.Add(f)
	s.addSelector(f.DKIMDomain, f.DKIMSelector)
	return true
}

// duplicateFailure records the failure report identity id and reports
// whether it was seen before, counting it in Failures.Duplicates then.
func (s *Summary) duplicateFailure(id [sha256.Size]byte) bool {
	if _, ok := s.seenFailures[id]; ok {
		s.Failures.Duplicates++
		return true
	}
	if s.seenFailures == nil {
		s.seenFailures = make(map[[sha256.Size]byte]struct{})
	}
	s.seenFailures[id] = struct{}{}
	return false
}

// Identity returns a digest of the report's feedback-report fields (as
// EncodeFailure writes them: the typed fields, then the other fields of
// Fields) and the header fields of the reported message (names
// lower-cased, values unfolded, in order). Failure reports carry no
// report ID: two copies of one report (the same file twice, or with other
// line ends) have one identity, while reports by two receivers about one
// message differ at least in their Arrival-Date, Reporting-MTA or
// User-Agent and in the original's Received fields. The text part and
// the body are left out.
func (f *Failure) Identity() [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	put := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	fb, _ := feedbackPart(f, f.Domain()) // on error, what was written so far
	put(string(fb))
	put(strconv.Itoa(len(f.Original.Header)))
	for _, fl := range f.Original.Header {
		put(strings.ToLower(fl.Name))
		put(fl.Value)
	}
	var id [sha256.Size]byte
	h.Sum(id[:0])
	return id
}
