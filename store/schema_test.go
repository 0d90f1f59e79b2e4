package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/google/go-cmp/cmp"
)

// rawDB opens dsn without migrating it.
func rawDB(t *testing.T, dsn string) (*sql.DB, *dialect) {
	t.Helper()
	if IsPostgres(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db, postgresDialect
	}
	db, err := openSQLite(dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, sqliteDialect
}

// schemaOf describes the tables, columns and indexes of the database.
func schemaOf(t *testing.T, db *sql.DB, d *dialect) []string {
	t.Helper()
	q := `SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master
WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`
	if d.dollar {
		q = `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
FROM information_schema.columns WHERE table_schema = current_schema()
UNION ALL SELECT 'index ' || indexname || ': ' || replace(indexdef, current_schema() || '.', '') FROM pg_indexes WHERE schemaname = current_schema()
ORDER BY 1`
	}
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMigrations migrates an empty database and one at each earlier
// version to the latest, and compares the schemas.
func TestMigrations(t *testing.T) {
	latest := SchemaVersion()
	if latest < 2 {
		t.Fatalf("SchemaVersion() = %d", latest)
	}
	for _, e := range testEngines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			fresh, d := rawDB(t, e.dsn(t))
			if err := migrate(ctx, fresh, d, -1); err != nil {
				t.Fatal(err)
			}
			want := schemaOf(t, fresh, d)
			if len(want) < 10 {
				t.Fatalf("schema of a fresh database: %q", want)
			}
			for from := 0; from < latest; from++ {
				db, d := rawDB(t, e.dsn(t))
				if err := migrate(ctx, db, d, from); err != nil {
					t.Fatalf("to version %d: %v", from, err)
				}
				var v int
				if err := db.QueryRow("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil || v != from {
					t.Fatalf("at version %d: schema_migrations says %d (%v)", from, v, err)
				}
				if err := migrate(ctx, db, d, -1); err != nil {
					t.Fatalf("from version %d: %v", from, err)
				}
				if diff := cmp.Diff(want, schemaOf(t, db, d)); diff != "" {
					t.Errorf("from version %d, the schema differs from a fresh one (-fresh +migrated):\n%s", from, diff)
				}
				// Migrating again does nothing.
				if err := migrate(ctx, db, d, -1); err != nil {
					t.Fatalf("again: %v", err)
				}
			}
		})
	}
}

// TestMigrationsKeepData: reports stored at each earlier version (from
// 1) read the same after migrating to the latest as in a database
// created at the latest: version 3's rebuilt source index included.
func TestMigrationsKeepData(t *testing.T) {
	ctx := context.Background()
	var as []*report.Aggregate
	for i := range 2<<reportBlockBits + 1 {
		as = append(as, benchReport(benchOrgs[i%len(benchOrgs)], benchDay.AddDate(0, 0, i%9), fmt.Sprint(i), 3, i, 7))
	}
	fill := func(t *testing.T, s *sqlStore) {
		bt, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			if _, err := bt.AddAggregate(ctx, a, Source{}); err != nil {
				t.Fatal(err)
			}
		}
		if err := bt.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	read := func(t *testing.T, s *sqlStore) []any {
		f := Filter{Domain: "example.com", From: benchDay.AddDate(0, 0, 2).Format(time.DateOnly)}
		days, err1 := s.Days(ctx, f, MaxLimit)
		srcs, err2 := s.Sources(ctx, f, MaxLimit)
		sd, err3 := s.SourceDays(ctx, f, benchAddr(3).String())
		sr, err4 := s.SourceReports(ctx, Filter{}, benchAddr(3).String(), Page{Limit: MaxLimit})
		fs, err5 := s.FailingSources(ctx, Filter{}, 5)
		if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
			t.Fatal(err)
		}
		for i := range sr {
			sr[i].IngestedAt = time.Time{}
		}
		return []any{days, srcs, sd, len(sr), fs}
	}
	for _, e := range testEngines {
		t.Run(e.name, func(t *testing.T) {
			fresh := mustOpen(t, e.dsn(t), Options{}).(*sqlStore)
			fill(t, fresh)
			want := read(t, fresh)
			for from := 1; from < SchemaVersion(); from++ {
				db, d := rawDB(t, e.dsn(t))
				if err := migrate(ctx, db, d, from); err != nil {
					t.Fatalf("to version %d: %v", from, err)
				}
				// The aggregate tables are the same at every version; only
				// their indexes changed.
				fill(t, &sqlStore{db: db, d: d})
				if err := migrate(ctx, db, d, -1); err != nil {
					t.Fatalf("from version %d: %v", from, err)
				}
				if diff := cmp.Diff(want, read(t, &sqlStore{db: db, d: d})); diff != "" {
					t.Errorf("stored at version %d, read after migrating (-fresh +migrated):\n%s", from, diff)
				}
			}
		})
	}
}

// TestNewerSchemaRefused: a database migrated by a newer program is not
// touched.
func TestNewerSchemaRefused(t *testing.T) {
	forEngines(t, func(t *testing.T, dsn string) {
		s := mustOpen(t, dsn, Options{})
		if _, err := s.(*sqlStore).db.Exec(s.(*sqlStore).q("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
			SchemaVersion()+1, "9999_future.sql", 0); err != nil {
			t.Fatal(err)
		}
		s.Close()
		_, err := Open(context.Background(), dsn, Options{})
		if !errors.Is(err, ErrSchema) {
			t.Fatalf("Open = %v, want ErrSchema", err)
		}
	})
}

// TestSQLiteFile: the file is private, in WAL mode, in a folder created
// for it, and the default path is under the user's data directory.
func TestSQLiteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "reports.db")
	s := mustOpen(t, path, Options{})
	ss := s.(*sqlStore)
	var mode string
	if err := ss.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	var busy int
	if err := ss.db.QueryRow("PRAGMA busy_timeout").Scan(&busy); err != nil || busy != 10000 {
		t.Errorf("busy_timeout = %d (%v), want 10000", busy, err)
	}
	if _, err := s.AddAggregate(context.Background(), benchReport("org", benchDay, "1", 3, 0, 10), Source{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
	fi, err := os.Stat(filepath.Dir(path))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("folder: %v %v, want 0700", fi.Mode().Perm(), err)
	}

	t.Setenv("XDG_DATA_HOME", "/data/home")
	if p, err := DefaultPath(); err != nil || p != "/data/home/domainauth/reports.db" {
		t.Errorf("DefaultPath() = %q, %v", p, err)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/someone")
	if p, err := DefaultPath(); err != nil || p != "/home/someone/.local/share/domainauth/reports.db" {
		t.Errorf("DefaultPath() = %q, %v", p, err)
	}
}

// TestSQLiteRelativePath: a relative path names a file in the working
// directory (the driver's file: URI would read it as a host name).
func TestSQLiteRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s := mustOpen(t, filepath.Join("sub", "reports.db"), Options{})
	if _, err := s.AddAggregate(context.Background(), benchReport("org", benchDay, "1", 3, 0, 10), Source{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sub", "reports.db")); err != nil {
		t.Error(err)
	}
}

// TestSourceBlockConstants: the divisors spelled out in SQLite's version 3
// migration and in sourceBlocks are those reportBlockBits and
// recordIDBits give.
func TestSourceBlockConstants(t *testing.T) {
	div := fmt.Sprintf("id / %d", int64(1)<<(recordIDBits+reportBlockBits))
	if cond, _ := sourceBlocks(Filter{}); !strings.Contains(cond, "r."+div+" IN") || !strings.Contains(cond, fmt.Sprintf("b.id / %d ", 1<<reportBlockBits)) {
		t.Errorf("sourceBlocks: %s; want r.%s and b.id / %d", cond, div, 1<<reportBlockBits)
	}
	ms, err := migrations(sqliteDialect)
	if err != nil {
		t.Fatal(err)
	}
	if m := ms[2]; !strings.Contains(m.sql, "(("+div+"), source_ip") {
		t.Errorf("%s: the index is not on (%s), source_ip", m.name, div)
	}
}
