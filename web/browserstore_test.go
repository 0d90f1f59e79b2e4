package web

import (
	"testing"

	"github.com/domainauth/domainauth/report"
)

// seedBrowserStore returns a store holding reports and the reports it
// kept: the first of each identity, as ingest keeps them.
func seedBrowserStore(t *testing.T, reports []*report.Aggregate) (Store, []*report.Aggregate) {
	t.Helper()
	seen := map[identity]bool{}
	st := newMemStore()
	var kept []*report.Aggregate
	for _, a := range reports {
		if seen[identityOf(a)] {
			continue
		}
		seen[identityOf(a)] = true
		st.add(a)
		kept = append(kept, a)
	}
	return st, kept
}
