package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/domainauth/domainauth/internal/pgtest"
)

// engine is one database the store tests run against.
type engine struct {
	name string
	// dsn returns a fresh, empty database for t.
	dsn func(t testing.TB) string
}

var testEngines = []engine{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "reports.db") }},
	{"postgres", freshPostgres},
}

// freshPostgres returns a URL of an empty schema of t's own in the
// server $DOMAINAUTH_TEST_POSTGRES names.
func freshPostgres(t testing.TB) string {
	return pgtest.Schema(t, "t")
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
