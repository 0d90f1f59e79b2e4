package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
)

// addOne adds a through the writer's batch.
func addOne(w *writer, a *report.Aggregate) error {
	return w.aggregate(func(b adder) (store.Added, error) {
		return b.AddAggregate(context.Background(), a, store.Source{Name: a.Metadata.ReportID})
	})
}

// TestBatchReportsDefault: with the default BatchReports, the 64th report
// commits its batch (its outcomes are counted at once) and the 65th
// waits in the next batch until a commit.
func TestBatchReportsDefault(t *testing.T) {
	in := &Ingester{Store: newStore(t)}
	var mu sync.Mutex
	counted := 0
	w := in.newWriter(context.Background(), func(store.Added) { mu.Lock(); counted++; mu.Unlock() })
	for i := range DefaultBatchReports + 1 {
		if err := addOne(w, aggregate("org.example", fmt.Sprint(i), 3)); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := counted
		mu.Unlock()
		want := 0
		if i+1 >= DefaultBatchReports {
			want = DefaultBatchReports
		}
		if got != want {
			t.Fatalf("after report %d: %d counted, want %d", i+1, got, want)
		}
	}
	if err := w.commit(); err != nil {
		t.Fatal(err)
	}
	if counted != DefaultBatchReports+1 {
		t.Fatalf("after commit: %d counted, want %d", counted, DefaultBatchReports+1)
	}
}

// TestBatchDelayDefault: a lone report in an open batch is committed
// after the default BatchDelay, with no further report and no call to
// commit (a slow trickle of reports is stored promptly).
func TestBatchDelayDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the 1 s default BatchDelay")
	}
	path := filepath.Join(t.TempDir(), "r.db")
	s, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	in := &Ingester{Store: s}
	done := make(chan struct{})
	w := in.newWriter(context.Background(), func(store.Added) { close(done) })
	start := time.Now()
	if err := addOne(w, aggregate("org.example", "lone", 3)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(DefaultBatchDelay + 10*time.Second):
		t.Fatalf("not committed %v after the report", time.Since(start))
	}
	if d := time.Since(start); d < DefaultBatchDelay {
		t.Errorf("committed after %v, before BatchDelay", d)
	}
	// A second reader sees it: it is committed, not just counted.
	r, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if rs, err := r.Reports(context.Background(), store.Filter{}, store.Page{}); err != nil || len(rs) != 1 {
		t.Fatalf("reports seen by another reader: %d (%v), want 1", len(rs), err)
	}
}

// TestBatchRejectsOneKeepsOthers: in one Run, a report over the store's
// MaxRecords is rejected and the reports batched with it are stored; the
// same without batches (BatchReports negative, as on PostgreSQL), on
// both engines (on PostgreSQL the default takes no batches either).
func TestBatchRejectsOneKeepsOthers(t *testing.T) {
	dir := t.TempDir()
	for i := range 10 {
		n := 3
		if i == 4 {
			n = 6
		}
		write(t, filepath.Join(dir, fmt.Sprintf("%d.xml", i)), marshal(t, aggregate("org.example", fmt.Sprint(i), n)))
	}
	for _, tc := range []struct {
		name  string
		batch int
	}{{"batches", 0}, {"no batches", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			forEngines(t, store.Options{MaxRecords: 5}, func(t *testing.T, s store.Store) {
				res, err := (&Ingester{Store: s, Concurrency: 1, BatchReports: tc.batch}).Run(context.Background(), []string{dir})
				if err != nil {
					t.Fatal(err)
				}
				if res.Ingested != 9 || res.Records != 27 || res.Rejected != 1 || res.Reasons[ReasonTooLarge] != 1 {
					t.Fatalf("result %+v, want 9 ingested (27 records), 1 rejected as too large", res)
				}
				rs, err := s.Reports(context.Background(), store.Filter{}, store.Page{})
				if err != nil || len(rs) != 9 {
					t.Fatalf("stored: %d (%v), want 9", len(rs), err)
				}
			})
		})
	}
}
