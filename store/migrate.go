package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the engine's migrations in order.
func migrations(d *dialect) ([]migration, error) {
	dir := path.Join("migrations", d.name)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("store: migration file %s: want NNNN_name.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %s: versions must run 1, 2, 3 and on", m.name)
		}
	}
	return out, nil
}

// SchemaVersion is the schema version this package writes.
func SchemaVersion() int {
	ms, err := migrations(sqliteDialect)
	if err != nil {
		return 0
	}
	return len(ms)
}

// migrate brings the schema to version to (negative: the latest), one migration per
// transaction, recording each in schema_migrations. Concurrent openers are
// serialised by the transaction's write lock (SQLite) or an advisory lock
// (PostgreSQL), so a migration runs once.
func migrate(ctx context.Context, db *sql.DB, d *dialect, to int) error {
	ms, err := migrations(d)
	if err != nil {
		return err
	}
	if to < 0 || to > len(ms) {
		to = len(ms)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT    NOT NULL,
	applied_at BIGINT  NOT NULL
)`); err != nil {
		return fmt.Errorf("store: %s: creating schema_migrations: %w", d.name, err)
	}
	for {
		done, err := migrateOne(ctx, db, d, ms, to)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next migration, if any is due, in one transaction.
func migrateOne(ctx context.Context, db *sql.DB, d *dialect, ms []migration, to int) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("store: %s: %w", d.name, err)
	}
	defer tx.Rollback()
	if d.lockMigrations != "" {
		if _, err := tx.ExecContext(ctx, d.lockMigrations); err != nil {
			return false, fmt.Errorf("store: %s: locking migrations: %w", d.name, err)
		}
	}
	var cur int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
		return false, fmt.Errorf("store: %s: reading schema version: %w", d.name, err)
	}
	if cur > len(ms) {
		return false, fmt.Errorf("%w: the database is at version %d, this program knows %d", ErrSchema, cur, len(ms))
	}
	if cur >= to {
		return true, nil
	}
	m := ms[cur]
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("store: %s: migration %s: %w", d.name, m.name, err)
	}
	if _, err := tx.ExecContext(ctx, d.rebind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
		m.version, m.name, nowUnix()); err != nil {
		return false, fmt.Errorf("store: %s: recording migration %s: %w", d.name, m.name, err)
	}
	return false, tx.Commit()
}
