package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"time"
)

// dialect holds what differs between the engines; the schema and the
// queries are otherwise the same text.
type dialect struct {
	name string // also the migrations folder
	// dollar: placeholders are $1, $2 (PostgreSQL) rather than ?.
	dollar bool
	// lockMigrations serialises concurrent migrators, "" where the
	// transaction's own lock does.
	lockMigrations string
	// maxParams bounds the placeholders of one statement.
	maxParams int
	// bytewise follows a text column in ORDER BY where the engines
	// must agree on the order of arbitrary text (reporters' names): a
	// PostgreSQL database's collation may order "Zeta" after "alpha",
	// where SQLite compares bytes.
	bytewise string
}

var (
	sqliteDialect   = &dialect{name: "sqlite", maxParams: 32766}
	postgresDialect = &dialect{name: "postgres", dollar: true, maxParams: 65535, bytewise: ` COLLATE "C"`,
		lockMigrations: "SELECT pg_advisory_xact_lock(7226853412)"}
)

// rebind rewrites ? placeholders as $n for PostgreSQL. The queries of this
// package hold no ? inside string literals.
func (d *dialect) rebind(q string) string {
	if !d.dollar || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// sqlStore is the Store of both engines.
type sqlStore struct {
	db   *sql.DB
	d    *dialect
	opts Options
	// wmu serialises writers on SQLite, which admits one at a time:
	// goroutines of one process queue here rather than spin on the busy
	// timeout (other processes still meet the timeout).
	wmu sync.Mutex

	stmtMu  sync.Mutex
	rebound map[string]string

	keyMu     sync.Mutex
	redactKey []byte // the database's redaction key, once read

	detailMu sync.Mutex
	details  map[string]int64 // committed aggregate_details ids

	prepMu sync.Mutex
	prep   map[string]*sql.Stmt // ingest's statements, prepared once

	// trace, if set (by tests), sees each read query before it runs.
	trace func(query string, args []any)
}

// q returns the query text for the engine (cached).
func (s *sqlStore) q(query string) string {
	if !s.d.dollar {
		return query
	}
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if r, ok := s.rebound[query]; ok {
		return r
	}
	if s.rebound == nil {
		s.rebound = map[string]string{}
	}
	r := s.d.rebind(query)
	if len(s.rebound) < 1000 {
		s.rebound[query] = r
	}
	return r
}

// lockWriter takes the writer lock where the engine needs it.
func (s *sqlStore) lockWriter() func() {
	if s.d.dollar {
		return func() {}
	}
	s.wmu.Lock()
	return s.wmu.Unlock
}

func (s *sqlStore) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s.trace != nil {
		s.trace(query, args)
	}
	return s.db.QueryContext(ctx, s.q(query), args...)
}

// queryRow runs a read query that returns one row.
func (s *sqlStore) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if s.trace != nil {
		s.trace(query, args)
	}
	return s.db.QueryRowContext(ctx, s.q(query), args...)
}

func nowUnix() int64 { return time.Now().Unix() }

// where builds a filter's conditions over the named columns; a column ""
// is not filtered on.
func (f Filter) where(domainCol, dayCol, orgCol string) (string, []any) {
	var conds []string
	var args []any
	if f.Domain != "" && domainCol != "" {
		conds = append(conds, domainCol+" = ?")
		args = append(args, canonDomain(f.Domain))
	}
	if f.From != "" && dayCol != "" {
		conds = append(conds, dayCol+" >= ?")
		args = append(args, f.From)
	}
	if f.To != "" && dayCol != "" {
		conds = append(conds, dayCol+" <= ?")
		args = append(args, f.To)
	}
	if f.Org != "" && orgCol != "" {
		conds = append(conds, orgCol+" = ?")
		args = append(args, f.Org)
	}
	if len(conds) == 0 {
		return "1 = 1", nil
	}
	return strings.Join(conds, " AND "), args
}

func limitOf(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// reportBlockBits: on SQLite the index of records by source address
// (aggregate_records_source, schema version 3) is partitioned by blocks of
// 2^reportBlockBits reports, the block of a record being its id over
// 2^(recordIDBits+reportBlockBits), so that ingest writes to the newest
// block's part of the index rather than all over it (PostgreSQL keeps an
// index on the address alone, where the block conditions merely filter).
// SQLite's migration and sourceBlocks spell the divisors out (2^32 and
// 2^8); TestSourceBlockConstants checks they agree with the constants.
const reportBlockBits = 8

// sourceBlocks returns the condition on records r that names the index
// blocks of the reports f selects, with its arguments: a query by source
// address reads one index range per block.
func sourceBlocks(f Filter) (string, []any) {
	w, args := f.where("b.policy_domain", "b.day", "b.org_name")
	return "r.id / 4294967296 IN (SELECT DISTINCT b.id / 256 FROM aggregate_reports b WHERE " + w + ")", args
}
