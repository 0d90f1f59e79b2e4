package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver
)

// EnvDB names the environment variable the command reads the database from
// when --db is not given: a file path (SQLite) or a postgres:// URL.
const EnvDB = "DOMAINAUTH_DB"

// Options configure a Store. The zero Options are the defaults.
type Options struct {
	// AllowDomains, if not empty, limits the reports accepted to those
	// whose policy domain (or TLS policy domain) is listed (anyone can
	// mail a rua= address); others are ErrNotAllowed.
	AllowDomains []string
	// MaxReportMessages bounds the message total of one aggregate report
	// (and the session total of one TLS report); past it the report is
	// refused with ErrTooLarge. Counts are stored as signed 64-bit
	// integers and summed by the database, so this keeps sums over up to
	// 2^23 reports exact. If zero, 2^40; at most 2^63-1.
	MaxReportMessages uint64
	// MaxRecords bounds the records of one aggregate report (and the
	// policies plus failure details of one TLS report). If zero,
	// 1,000,000 (report.Decoder's default for a whole report); at most
	// 2^24-1 (the schema numbers a report's records in 24 bits).
	MaxRecords int
	// BusyTimeout is how long SQLite waits for a lock held by another
	// process (an ingest while the dashboard reads). If zero, 10 s.
	BusyTimeout time.Duration
	// Clock stamps ingest times. If nil, the system clock.
	Clock domainauth.Clock
	// KeepFailuresUnredacted stores failure reports whole, personal data
	// included (the original message's body and addresses). By default
	// they are stored redacted by report.Redactor.
	KeepFailuresUnredacted bool
	// RedactKey is the Redactor's key (at least 16 bytes). If nil, a
	// random key made once per database and kept in it, so that one
	// address gets one token across ingests.
	RedactKey []byte
}

func (o *Options) maxMessages() uint64 {
	if o.MaxReportMessages > 0 {
		// Counts are stored as signed 64-bit integers.
		return min(o.MaxReportMessages, math.MaxInt64)
	}
	return 1 << 40
}

func (o *Options) maxRecords() int {
	if o.MaxRecords > 0 {
		return min(o.MaxRecords, maxReportRecords)
	}
	return 1_000_000
}

func (o *Options) now() time.Time {
	if o.Clock != nil {
		return o.Clock.Now()
	}
	return time.Now()
}

func (o *Options) allowed(domain string) bool {
	if len(o.AllowDomains) == 0 {
		return true
	}
	for _, d := range o.AllowDomains {
		if dnsname.Equal(d, domain) {
			return true
		}
	}
	return false
}

// DefaultPath returns the SQLite file used when no database is named:
// $XDG_DATA_HOME/domainauth/reports.db, or on Unix
// ~/.local/share/domainauth/reports.db, elsewhere reports.db in the
// user's configuration directory (os.UserConfigDir). Both `report ingest`
// and `report serve` use it.
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "domainauth", "reports.db"), nil
	}
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "plan9":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("store: no default database path: %w", err)
		}
		return filepath.Join(d, "domainauth", "reports.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("store: no default database path: %w", err)
	}
	return filepath.Join(home, ".local", "share", "domainauth", "reports.db"), nil
}

// IsPostgres reports whether dsn names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database dsn names, creating and migrating it on first
// use: a postgres:// URL for PostgreSQL, otherwise the path of a SQLite
// file ("" for DefaultPath), created with mode 0600 (and its folder with
// 0700) in WAL mode.
func Open(ctx context.Context, dsn string, opts Options) (Store, error) {
	s, err := open(ctx, dsn, opts)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, dsn string, opts Options) (*sqlStore, error) {
	var (
		db  *sql.DB
		d   *dialect
		err error
	)
	if IsPostgres(dsn) {
		d = postgresDialect
		db, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: postgres: %w", err)
		}
		db.SetMaxOpenConns(8)
	} else {
		d = sqliteDialect
		db, err = openSQLite(dsn, opts)
		if err != nil {
			return nil, err
		}
	}
	s := &sqlStore{db: db, d: d, opts: opts}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", d.name, err)
	}
	if err := migrate(ctx, db, d, -1); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func openSQLite(path string, opts Options) (*sql.DB, error) {
	if path == "" {
		var err error
		if path, err = DefaultPath(); err != nil {
			return nil, err
		}
	}
	if strings.HasPrefix(path, "file:") || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("store: sqlite path %q: give a plain file path", path)
	}
	// The driver takes a file: URI, in which a relative path would read
	// as a host name ("file://reports.db").
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// Create the file ourselves so that it is private from the start;
	// SQLite gives its -wal and -shm files the database file's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	f.Close()
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 10 * time.Second
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	// 64 MiB of page cache per connection (the default is 2 MiB): the
	// dashboard's queries read indexes of some 40 MiB at a million
	// records, and before schema version 3 ingest wrote all over the
	// source-address index (16 MiB: ingest CPU per record about 20 us
	// there; 64 MiB: 14 us). The cache grows only as pages are read.
	// (Larger pages and memory-mapped reads made no measurable
	// difference to ingest.)
	q.Add("_pragma", "cache_size(-65536)")
	// Checkpoint the WAL every 8,192 pages (32 MiB) rather than 1,000:
	// an index page that ingest changes again and again is copied into
	// the database once per checkpoint (ingest CPU per record -15%).
	// journal_size_limit trims the file back after a checkpoint.
	q.Add("_pragma", "wal_autocheckpoint(8192)")
	q.Add("_pragma", "journal_size_limit(67108864)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	// Temporary files in memory: a batch's savepoint journal (the pages a
	// report changes, kept until it is released) otherwise spills to a
	// file past 64 KiB, and its writes were a tenth of ingest's CPU. The
	// queries' temporary b-trees (DISTINCT, GROUP BY, ORDER BY ... LIMIT)
	// hold one row per group or per row kept, not per record read.
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path), RawQuery: q.Encode()}
	if runtime.GOOS == "windows" {
		u.Path = "/" + u.Path
	}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("store: sqlite: %w", err)
	}
	// One writer at a time is SQLite's model; readers run beside it in WAL
	// mode on their own connections.
	db.SetMaxOpenConns(4)
	return db, nil
}

// Close releases the database.
func (s *sqlStore) Close() error {
	s.prepMu.Lock()
	for _, st := range s.prep {
		st.Close()
	}
	s.prep = nil
	s.prepMu.Unlock()
	return s.db.Close()
}
