package store

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
)

// EnvTestPostgres names the environment variable holding the PostgreSQL
// URL the tests run against (.ci/run starts a throwaway server and sets
// it). Each test gets a schema of its own in that database.
const EnvTestPostgres = "DOMAINAUTH_TEST_POSTGRES"

// engine is one database the store tests run against.
type engine struct {
	name string
	// dsn returns a fresh, empty database for t.
	dsn func(t testing.TB) string
}

var schemaSeq atomic.Int64

var testEngines = []engine{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "reports.db") }},
	{"postgres", freshPostgres},
}

// freshPostgres creates a schema for t and returns a URL whose search_path
// selects it; the schema is dropped when t ends.
func freshPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvTestPostgres)
	if base == "" {
		shared.Skip(t, "PostgreSQL tests need %s (a postgres:// URL; .ci/run starts a server and sets it)", EnvTestPostgres)
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), schemaSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("postgres at %s: %v", EnvTestPostgres, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA " + name + " CASCADE")
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + name
}

// forEngines runs f against each engine in a subtest.
func forEngines(t *testing.T, f func(t *testing.T, dsn string)) {
	for _, e := range testEngines {
		t.Run(e.name, func(t *testing.T) {
			f(t, e.dsn(t))
		})
	}
}

func mustOpen(t testing.TB, dsn string, opts Options) Store {
	t.Helper()
	s, err := Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
