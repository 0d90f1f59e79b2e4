package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/domainauth/domainauth/internal/shared"
	"github.com/domainauth/domainauth/store"
)

// envTestPostgres names the environment variable holding the PostgreSQL
// URL the tests run against, as in the store package's tests (.ci/run
// starts a throwaway server and sets it).
const envTestPostgres = "DOMAINAUTH_TEST_POSTGRES"

// engines are the databases the tests that say so run against; each dsn
// function returns a fresh, empty database for t.
var engines = []struct {
	name string
	dsn  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "r.db") }},
	{"postgres", postgresSchema},
}

var schemaSeq atomic.Int64

// postgresSchema creates a schema of its own for t in the database of
// $DOMAINAUTH_TEST_POSTGRES and returns a URL whose search_path selects
// it; the schema is dropped when t ends. Without the variable the test is
// skipped (and fails under CI=true).
func postgresSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv(envTestPostgres)
	if base == "" {
		shared.Skip(t, "PostgreSQL tests need %s (a postgres:// URL; .ci/run starts a server and sets it)", envTestPostgres)
	}
	name := fmt.Sprintf("ingest_%d_%d", os.Getpid(), schemaSeq.Add(1))
	exec := func(query string) error {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return err
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err = db.ExecContext(ctx, query)
		return err
	}
	if err := exec("CREATE SCHEMA " + name); err != nil {
		t.Fatalf("postgres at $%s: %v", envTestPostgres, err)
	}
	t.Cleanup(func() {
		if err := exec("DROP SCHEMA " + name + " CASCADE"); err != nil {
			t.Logf("dropping schema %s: %v", name, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + name
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
