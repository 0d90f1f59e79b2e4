package store

import (
	"context"
	"errors"
	"testing"

	"github.com/domainauth/domainauth/report"
)

// TestBatchKeepsGoodReports: a report that fails inside a batch (too
// large once some of its records are written, a domain not allowed) is rolled back alone; the batch's other reports,
// duplicates and conflicts included, are stored exactly as AddAggregate
// would store them.
func TestBatchKeepsGoodReports(t *testing.T) {
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{MaxRecords: 10, AllowDomains: []string{"example.com"}})
		b, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Rollback()
		first := benchReport("google.com", benchDay, "r1", 5, 0, 100)
		conflicting := benchReport("google.com", benchDay, "r1", 5, 0, 100)
		conflicting.Records[2].Row.Count += 1000
		other := benchReport("o", benchDay, "other", 1, 0, 10)
		other.Policy.Domain = "example.net"
		steps := []struct {
			name    string
			add     func() (Added, error)
			want    Outcome
			wantErr error
		}{
			{"first", func() (Added, error) { return b.AddAggregate(ctx, first, Source{Name: "first"}) }, OutcomeAdded, nil},
			{"too large after 10 records", func() (Added, error) {
				return b.AddAggregate(ctx, benchReport("o", benchDay, "big", 11, 0, 11), Source{})
			}, 0, ErrTooLarge},
			{"same again", func() (Added, error) { return b.AddAggregate(ctx, first, Source{Name: "again"}) }, OutcomeDuplicate, nil},
			{"conflict", func() (Added, error) { return b.AddAggregate(ctx, conflicting, Source{Name: "second"}) }, OutcomeConflict, nil},
			{"not allowed", func() (Added, error) { return b.AddAggregate(ctx, other, Source{}) }, 0, ErrNotAllowed},
			{"second", func() (Added, error) {
				return b.AddAggregate(ctx, benchReport("Yahoo", benchDay, "r2", 10, 5, 100), Source{Name: "second"})
			}, OutcomeAdded, nil},
		}
		for _, st := range steps {
			a, err := st.add()
			switch {
			case st.wantErr != nil && !errors.Is(err, st.wantErr):
				t.Fatalf("%s: %+v, %v; want %v", st.name, a, err, st.wantErr)
			case st.wantErr == nil && (err != nil || a.Outcome != st.want):
				t.Fatalf("%s: %+v, %v; want %v", st.name, a, err, st.want)
			}
		}
		if b.Len() != 4 {
			t.Errorf("Len %d, want 4", b.Len())
		}
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
		if _, err := b.AddAggregate(ctx, first, Source{}); !errors.Is(err, ErrBatchDone) {
			t.Errorf("add after commit: %v, want ErrBatchDone", err)
		}
		rs, err := s.Reports(ctx, Filter{}, Page{})
		if err != nil || len(rs) != 2 {
			t.Fatalf("reports stored: %+v (%v), want r1 and r2", rs, err)
		}
		d, err := s.Report(ctx, rs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		// The records of the rolled-back reports are gone, the kept
		// reports' all there.
		var want report.Counts
		for _, id := range []string{"r1", "r2"} {
			for _, r := range rs {
				if r.ReportID == id {
					want.Messages += r.Messages
				}
			}
		}
		total, err := s.Total(ctx, Filter{})
		if err != nil || total.Messages != want.Messages {
			t.Errorf("total %d (%v), want %d", total.Messages, err, want.Messages)
		}
		if got := first.Messages() + benchReport("Yahoo", benchDay, "r2", 10, 5, 100).Messages(); want.Messages != got {
			t.Errorf("stored messages %d, want %d", want.Messages, got)
		}
		r1, err := s.Report(ctx, rs[len(rs)-1].ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []*ReportDetail{d, r1} {
			if r.ReportID == "r1" && (r.Conflicts != 1 || r.ConflictList[0].Source != "second" || len(r.Aggregate.Records) != 5) {
				t.Errorf("r1: %d conflicts %+v, %d records", r.Conflicts, r.ConflictList, len(r.Aggregate.Records))
			}
			if r.ReportID == "r2" && len(r.Aggregate.Records) != 10 {
				t.Errorf("r2: %d records, want 10", len(r.Aggregate.Records))
			}
		}
	})
}

// TestBatchRollback: a rolled-back batch stores nothing, and the store
// takes writes again afterwards (the write lock was released).
func TestBatchRollback(t *testing.T) {
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		b, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.AddAggregate(ctx, benchReport("o", benchDay, "r1", 3, 0, 10), Source{}); err != nil {
			t.Fatal(err)
		}
		if err := b.Rollback(); err != nil {
			t.Fatal(err)
		}
		if err := b.Commit(); !errors.Is(err, ErrBatchDone) {
			t.Errorf("commit after rollback: %v, want ErrBatchDone", err)
		}
		if rs, err := s.Reports(ctx, Filter{}, Page{}); err != nil || len(rs) != 0 {
			t.Fatalf("after rollback: %d reports (%v), want 0", len(rs), err)
		}
		if a, err := s.AddAggregate(ctx, benchReport("o", benchDay, "r1", 3, 0, 10), Source{}); err != nil || a.Outcome != OutcomeAdded {
			t.Fatalf("after rollback: %+v %v, want added", a, err)
		}
	})
}
