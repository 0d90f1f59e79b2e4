package web

import (
	"context"
	"testing"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
)

// seedBrowserStore returns a SQLite store holding reports and the reports
// it kept: those it added, not the duplicates and conflicts of a report
// it already had.
func seedBrowserStore(t *testing.T, reports []*report.Aggregate) (Store, []*report.Aggregate) {
	t.Helper()
	st, _ := openStore(t)
	var kept []*report.Aggregate
	for _, a := range reports {
		added, err := st.AddAggregate(context.Background(), a, store.Source{Name: a.Metadata.ReportID})
		if err != nil {
			t.Fatalf("adding report %q: %v", a.Metadata.ReportID, err)
		}
		if added.Outcome == store.OutcomeAdded {
			kept = append(kept, a)
		}
	}
	return st, kept
}
