package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/domainauth/domainauth/internal/shared"
	"github.com/domainauth/domainauth/report"
	"github.com/google/go-cmp/cmp"
)

// conformanceReports decodes every aggregate sample that decodes.
func conformanceReports(t testing.TB) []*report.Aggregate {
	t.Helper()
	dir := shared.Require(t, "conformance", "dmarc-aggregate")
	var out []*report.Aggregate
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) == ".json" || filepath.Ext(p) == ".md" {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if a, err := report.Decode(f); err == nil {
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 20 {
		t.Fatalf("only %d samples decoded", len(out))
	}
	return out
}

// TestDaysEqualSummary guards the agreement with `report summary`: the
// per-day figures equal report.Summary's ByDay over the same reports.
func TestDaysEqualSummary(t *testing.T) {
	as := conformanceReports(t)
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		var want report.Summary
		keys := map[[5]string]bool{}
		first := make([]Outcome, len(as))
		for i, a := range as {
			res, err := s.AddAggregate(ctx, a, Source{Name: "sample"})
			if err != nil {
				t.Fatalf("report %d (%s %s): %v", i, a.Metadata.OrgName, a.Metadata.ReportID, err)
			}
			first[i] = res.Outcome
			k := [5]string{a.Metadata.OrgName, a.Metadata.ReportID, canonDomain(a.Policy.Domain),
				a.Metadata.DateRange.Begin.String(), a.Metadata.DateRange.End.String()}
			if keys[k] {
				continue
			}
			keys[k] = true
			if res.Outcome != OutcomeAdded {
				t.Errorf("report %d: %v, want added", i, res.Outcome)
			}
			want.Add(a)
		}
		days, err := s.Days(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*report.Counts{}
		for _, d := range days {
			got[d.Day] = &d.Counts
		}
		if diff := cmp.Diff(want.ByDay, got); diff != "" {
			t.Errorf("Days differ from report.Summary.ByDay (-want +got):\n%s", diff)
		}
		total, err := s.Total(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != want.Total {
			t.Errorf("Total = %+v, want %+v", total, want.Total)
		}
		// Re-adding changes nothing: what was stored is a duplicate, what
		// conflicted with a stored report conflicts again.
		for i, a := range as {
			res, err := s.AddAggregate(ctx, a, Source{Name: "again"})
			if err != nil {
				t.Fatal(err)
			}
			want := OutcomeDuplicate
			if first[i] == OutcomeConflict {
				want = OutcomeConflict
			}
			if res.Outcome != want {
				t.Errorf("re-adding %s %s: %v, want %v", a.Metadata.OrgName, a.Metadata.ReportID, res.Outcome, want)
			}
		}
		again, err := s.Total(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if again != total {
			t.Errorf("after re-adding: %+v, want %+v", again, total)
		}
		// Every query answers.
		for _, q := range []func() (int, error){
			func() (int, error) { x, err := s.Sources(ctx, Filter{}, 0); return len(x), err },
			func() (int, error) { x, err := s.Orgs(ctx, Filter{}); return len(x), err },
			func() (int, error) { x, err := s.FailingSources(ctx, Filter{}, 5); return len(x), err },
			func() (int, error) { x, err := s.Reports(ctx, Filter{}, Page{}); return len(x), err },
			func() (int, error) { x, err := s.Policies(ctx, Filter{}); return len(x), err },
			func() (int, error) { x, err := s.Domains(ctx); return len(x), err },
		} {
			n, err := q()
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Error("a query returned nothing")
			}
		}
	})
}
