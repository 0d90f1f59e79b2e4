package ingest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/internal/pgtest"
	"github.com/domainauth/domainauth/store"
)

// engines are the databases the tests that say so run against; each dsn
// function returns a fresh, empty database for t.
var engines = []struct {
	name string
	dsn  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "r.db") }},
	{"postgres", func(t *testing.T) string { return pgtest.Schema(t, "ingest_") }},
}

// forEngines runs f in a subtest per engine with a fresh store opened
// with opts.
func forEngines(t *testing.T, opts store.Options, f func(t *testing.T, s store.Store)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			s, err := store.Open(context.Background(), e.dsn(t), opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			f(t, s)
		})
	}
}

// TestEnginesParallelWrites: the engines are what the tests mean them to
// be: SQLite takes the batches, PostgreSQL the parallel writers.
func TestEnginesParallelWrites(t *testing.T) {
	want := map[string]bool{"sqlite": false, "postgres": true}
	forEngines(t, store.Options{}, func(t *testing.T, s store.Store) {
		pw, ok := s.(store.ParallelWriter)
		got := ok && pw.ParallelWrites()
		if name := t.Name()[strings.LastIndex(t.Name(), "/")+1:]; got != want[name] {
			t.Errorf("%s: ParallelWrites %v, want %v", name, got, want[name])
		}
	})
}
