// Package pgtest gives tests a fresh PostgreSQL schema of their own in
// the server $DOMAINAUTH_TEST_POSTGRES names (.ci/run starts a throwaway
// server and sets it), for the store tests that run against both engines.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/domainauth/domainauth/internal/shared"
)

// Env names the environment variable holding the PostgreSQL URL the
// tests run against.
const Env = "DOMAINAUTH_TEST_POSTGRES"

var seq atomic.Int64

// Schema creates a schema for t, named from prefix, the process and a
// counter (tests of several packages may share the server), and returns
// the URL of $DOMAINAUTH_TEST_POSTGRES with a search_path that selects
// it; the schema is dropped when t ends. Without the variable t is
// skipped, or fails under CI=true (shared.Skip).
func Schema(t testing.TB, prefix string) string {
	t.Helper()
	base := os.Getenv(Env)
	if base == "" {
		shared.Skip(t, "PostgreSQL tests need %s (a postgres:// URL; .ci/run starts a server and sets it)", Env)
	}
	name := fmt.Sprintf("%s%d_%d", prefix, os.Getpid(), seq.Add(1))
	if err := exec(base, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("postgres at $%s: %v", Env, err)
	}
	t.Cleanup(func() {
		if err := exec(base, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Logf("dropping schema %s: %v", name, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + name
}

// exec runs one statement on a connection of its own.
func exec(url, query string) error {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, query)
	return err
}
