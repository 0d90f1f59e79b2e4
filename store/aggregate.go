package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/sat"
	"github.com/domainauth/domainauth/report"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// canonDomain is the policy domain as a report's key holds it: lower-cased,
// without a trailing dot (as report.Summary identifies a report).
func canonDomain(d string) string { return dnsname.Canonical(d) }

// Outcome bits of a stored record: the classification report.Summary
// makes of it (aligned DKIM pass, aligned SPF pass, disposition).
const (
	bitDKIM       = 1
	bitSPF        = 2
	bitQuarantine = 4
	bitReject     = 8
)

func outcomeOf(r *report.Record) int {
	pe := &r.Row.PolicyEvaluated
	o := 0
	if pe.DKIM.Canonical() == report.DMARCResultPass {
		o |= bitDKIM
	}
	if pe.SPF.Canonical() == report.DMARCResultPass {
		o |= bitSPF
	}
	switch pe.Disposition.Canonical() {
	case report.DispositionQuarantine:
		o |= bitQuarantine
	case report.DispositionReject:
		o |= bitReject
	}
	return o
}

// byOutcome sums a report's counts per outcome, from which the report's
// day shares are computed by report.Summary itself (see dayShares).
type byOutcome [16]uint64

func (b *byOutcome) add(o int, n uint64) { b[o] = sat.Add(b[o], n) }

func (b *byOutcome) total() uint64 {
	var t uint64
	for _, n := range b {
		t = sat.Add(t, n)
	}
	return t
}

// dayShares returns the report's counts per UTC day as report.Summary
// computes them: a report with one record per outcome class has the same
// total counts as the real one, and Summary splits a report's total over
// its window's days, so its ByDay is the real report's.
func dayShares(dr report.DateRange, b *byOutcome) map[string]*report.Counts {
	a := &report.Aggregate{Metadata: report.Metadata{DateRange: dr}}
	for o, n := range b {
		if n == 0 {
			continue
		}
		r := report.Record{}
		r.Row.Count = n
		r.Row.PolicyEvaluated.DKIM, r.Row.PolicyEvaluated.SPF = report.DMARCResultFail, report.DMARCResultFail
		if o&bitDKIM != 0 {
			r.Row.PolicyEvaluated.DKIM = report.DMARCResultPass
		}
		if o&bitSPF != 0 {
			r.Row.PolicyEvaluated.SPF = report.DMARCResultPass
		}
		r.Row.PolicyEvaluated.Disposition = report.DispositionNone
		switch {
		case o&bitQuarantine != 0:
			r.Row.PolicyEvaluated.Disposition = report.DispositionQuarantine
		case o&bitReject != 0:
			r.Row.PolicyEvaluated.Disposition = report.DispositionReject
		}
		a.Records = append(a.Records, r)
	}
	if len(a.Records) == 0 {
		return nil
	}
	return report.Summarize(a).ByDay
}

// reportDay is the day a report counts on outside the per-day figures: the
// day of the middle of its window; for a window report.Summary does not
// split (inverted, open, or longer than report.MaxSplitDays), the day it
// puts the whole report on.
func reportDay(dr report.DateRange) string {
	b, e := dr.Begin.UTC(), dr.End.UTC()
	switch {
	case b.IsZero() && e.IsZero():
		return ""
	case b.IsZero() || !e.After(b) || e.Sub(b) > report.MaxSplitDays*24*time.Hour:
		if e.IsZero() || e.Before(b) {
			return b.Format(time.DateOnly)
		}
		return e.Format(time.DateOnly)
	}
	return b.Add(e.Sub(b) / 2).Format(time.DateOnly)
}

// digester hashes a report's content (not its warnings, which depend on
// the container it came in) to tell identical duplicates from conflicting
// ones.
type digester struct {
	h   hash.Hash
	buf [8]byte
}

func newDigester() *digester { return &digester{h: sha256.New()} }

func (d *digester) str(s string) {
	binary.BigEndian.PutUint64(d.buf[:], uint64(len(s)))
	d.h.Write(d.buf[:])
	io.WriteString(d.h, s)
}

func (d *digester) bytes(b []byte) {
	binary.BigEndian.PutUint64(d.buf[:], uint64(len(b)))
	d.h.Write(d.buf[:])
	d.h.Write(b)
}

func (d *digester) num(n uint64) {
	binary.BigEndian.PutUint64(d.buf[:], n)
	d.h.Write(d.buf[:])
}

func (d *digester) sum() string { return hex.EncodeToString(d.h.Sum(nil)) }

// recordRow is one aggregate_records row being written.
type recordRow struct {
	seq      int
	sourceIP string
	count    uint64
	outcome  int
	detail   []byte // the JSON of the rest, valid until the next makeRow
	detailID int64  // in aggregate_details
}

func makeRow(seq int, r *report.Record, buf *[]byte) recordRow {
	row := recordRow{seq: seq, sourceIP: addrString(r.Row.SourceIP), count: r.Row.Count, outcome: outcomeOf(r)}
	*buf = appendDetail((*buf)[:0], r)
	row.detail = *buf
	return row
}

func (d *digester) row(r *recordRow) {
	d.str(r.sourceIP)
	d.num(r.count)
	d.bytes(r.detail)
}

// header is the part of a report stored in aggregate_reports.
type header struct {
	org, reportID, domain, day string
	begin, end                 int64
	email, extra, generator    string
	version, xmlns, errors     string
	extension, policy          string
	warnings                   string
	warningCount               int
}

func makeHeader(a *report.Aggregate) (header, error) {
	m := &a.Metadata
	h := header{org: m.OrgName, reportID: m.ReportID, domain: canonDomain(a.Policy.Domain),
		day: reportDay(m.DateRange), begin: m.DateRange.Begin.Unix(), end: m.DateRange.End.Unix(),
		email: m.Email, extra: m.ExtraContactInfo, generator: m.Generator, version: a.Version, xmlns: a.XMLNS,
		extension: a.Extension, errors: "[]", warnings: "[]"}
	pol, err := json.Marshal(a.Policy)
	if err != nil {
		return h, fmt.Errorf("store: policy: %w", err)
	}
	h.policy = string(pol)
	if len(m.Errors) > 0 {
		b, err := json.Marshal(m.Errors)
		if err != nil {
			return h, fmt.Errorf("store: errors: %w", err)
		}
		h.errors = string(b)
	}
	if len(a.Warnings) > 0 {
		b, err := json.Marshal(a.Warnings)
		if err != nil {
			return h, fmt.Errorf("store: warnings: %w", err)
		}
		h.warnings = string(b)
		h.warningCount = len(a.Warnings)
	}
	return h, nil
}

func (d *digester) header(h *header) {
	for _, s := range []string{h.org, h.reportID, h.domain, h.email, h.extra, h.generator, h.version, h.xmlns, h.errors, h.extension, h.policy} {
		d.str(s)
	}
	d.num(uint64(h.begin))
	d.num(uint64(h.end))
}

// AddAggregate stores a whole report.
func (s *sqlStore) AddAggregate(ctx context.Context, a *report.Aggregate, src Source) (Added, error) {
	next, final := wholeReport(a)
	return s.addAggregate(ctx, a, next, final, src)
}

// AddAggregateStream stores a report read record by record.
func (s *sqlStore) AddAggregateStream(ctx context.Context, st *report.Stream, src Source) (Added, error) {
	next, final := streamedReport(st)
	return s.addAggregate(ctx, st.Header(), next, final, src)
}

// wholeReport returns the record iterator and final header of a report
// in memory.
func wholeReport(a *report.Aggregate) (next func() (*report.Record, error), final func() *report.Aggregate) {
	i := 0
	return func() (*report.Record, error) {
		if i >= len(a.Records) {
			return nil, io.EOF
		}
		i++
		return &a.Records[i-1], nil
	}, func() *report.Aggregate { return a }
}

// streamedReport returns them for a streamed report.
func streamedReport(st *report.Stream) (next func() (*report.Record, error), final func() *report.Aggregate) {
	var rec report.Record
	return func() (*report.Record, error) {
		var err error
		rec, err = st.Next()
		if err != nil {
			return nil, err
		}
		return &rec, nil
	}, st.Header
}

// recordBatch is how many records one INSERT statement writes.
const recordBatch = 64

func (s *sqlStore) addAggregate(ctx context.Context, first *report.Aggregate, next func() (*report.Record, error),
	final func() *report.Aggregate, src Source) (Added, error) {
	unlock := s.lockWriter()
	defer unlock()
	w, err := s.beginWrite(ctx)
	if err != nil {
		return Added{}, err
	}
	defer w.rollback()
	added, details, err := s.addAggregateTx(ctx, w, first, next, final, src, nil)
	if err != nil {
		return Added{}, err
	}
	if err := w.tx.Commit(); err != nil {
		return Added{}, s.err(err)
	}
	s.rememberDetails(details)
	return added, nil
}

// writeTx is a write transaction; on PostgreSQL also the connection it
// runs on, which COPY needs.
type writeTx struct {
	tx   *sql.Tx
	conn *sql.Conn
	// stmts are the store's prepared statements bound to tx.
	stmts map[string]*sql.Stmt
}

// stmt returns the statement of query (in the form with ? placeholders)
// for the transaction. The store prepares each query once per
// connection: parsing the statements was a fifth of ingest's CPU time.
func (w *writeTx) stmt(ctx context.Context, s *sqlStore, query string) (*sql.Stmt, error) {
	if st, ok := w.stmts[query]; ok {
		return st, nil
	}
	ps, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	var st *sql.Stmt
	if ps != nil {
		st = w.tx.StmtContext(ctx, ps)
	} else if st, err = w.tx.PrepareContext(ctx, s.q(query)); err != nil {
		return nil, s.err(err)
	}
	if w.stmts == nil {
		w.stmts = map[string]*sql.Stmt{}
	}
	w.stmts[query] = st
	return st, nil
}

// exec runs query in the transaction.
func (w *writeTx) exec(ctx context.Context, s *sqlStore, query string, args ...any) error {
	st, err := w.stmt(ctx, s, query)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return s.err(err)
}

// queryRow runs query in the transaction and scans its one row into dest
// (sql.ErrNoRows unwrapped when there is none).
func (w *writeTx) queryRow(ctx context.Context, s *sqlStore, query string, args []any, dest ...any) error {
	st, err := w.stmt(ctx, s, query)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

// maxPrepared bounds the statements a store keeps prepared: the ingest
// queries, whose multi-row inserts come in up to recordBatch sizes each.
const maxPrepared = 512

// prepared returns the store's prepared statement of query, preparing
// it on first use; nil when maxPrepared are kept.
func (s *sqlStore) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	s.prepMu.Lock()
	defer s.prepMu.Unlock()
	if st, ok := s.prep[query]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, s.q(query))
	if err != nil {
		return nil, s.err(err)
	}
	if s.prep == nil {
		s.prep = map[string]*sql.Stmt{}
	}
	if len(s.prep) >= maxPrepared {
		// Full (which the ingest queries never make it): the caller
		// prepares in its transaction. Closing a statement here could
		// break another transaction using it.
		st.Close()
		return nil, nil
	}
	s.prep[query] = st
	return st, nil
}

// beginWrite starts a write transaction.
func (s *sqlStore) beginWrite(ctx context.Context) (*writeTx, error) {
	w := &writeTx{}
	var err error
	if s.d.dollar {
		if w.conn, err = s.db.Conn(ctx); err != nil {
			return nil, s.err(err)
		}
		w.tx, err = w.conn.BeginTx(ctx, nil)
	} else {
		w.tx, err = s.db.BeginTx(ctx, nil)
	}
	if err != nil {
		if w.conn != nil {
			w.conn.Close()
		}
		return nil, s.err(err)
	}
	return w, nil
}

// rollback ends the transaction if it is still open and releases the
// connection.
func (w *writeTx) rollback() {
	w.tx.Rollback()
	if w.conn != nil {
		w.conn.Close()
	}
}

// addAggregateTx writes one report in w's transaction without committing
// it. It returns the aggregate_details ids the report used, for the
// store's cache once the transaction commits; pending holds those of the
// earlier reports of the same transaction (a Batch).
func (s *sqlStore) addAggregateTx(ctx context.Context, w *writeTx, first *report.Aggregate, next func() (*report.Record, error),
	final func() *report.Aggregate, src Source, pending map[string]int64) (Added, map[string]int64, error) {
	if !s.opts.allowed(first.Policy.Domain) {
		return Added{}, nil, fmt.Errorf("%w: %q", ErrNotAllowed, first.Policy.Domain)
	}
	h, err := makeHeader(first)
	if err != nil {
		return Added{}, nil, err
	}
	tx := w.tx
	now := s.opts.now().Unix()

	var id int64
	err = w.queryRow(ctx, s, `INSERT INTO aggregate_reports (org_name, report_id, policy_domain, begin_ts, end_ts, day,
	email, extra_contact_info, generator, version, xmlns, errors, extension, policy, messages, records, warnings, warning_count,
	digest, signature, signed_by, source, ingested_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '[]', 0, '', ?, ?, ?, ?)
ON CONFLICT (org_name, report_id, policy_domain, begin_ts, end_ts) DO NOTHING RETURNING id`,
		[]any{h.org, h.reportID, h.domain, h.begin, h.end, h.day, h.email, h.extra, h.generator, h.version, h.xmlns, h.errors,
			h.extension, h.policy, int64(src.Signature), src.SignedBy, src.Name, now}, &id)
	fresh := true
	if errors.Is(err, sql.ErrNoRows) {
		fresh = false
		err = w.queryRow(ctx, s, `SELECT id FROM aggregate_reports
WHERE org_name = ? AND report_id = ? AND policy_domain = ? AND begin_ts = ? AND end_ts = ?`,
			[]any{h.org, h.reportID, h.domain, h.begin, h.end}, &id)
	}
	if err != nil {
		return Added{}, nil, s.err(err)
	}

	dig := newDigester()
	var sums byOutcome
	var ins *recordInserter
	if fresh {
		ins = s.newRecordInserter(ctx, w, id, h.domain, h.day, h.org)
		ins.pending = pending
	}
	n := 0
	var buf []byte
	for {
		r, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Added{}, nil, err
		}
		n++
		if n > s.opts.maxRecords() {
			return Added{}, nil, fmt.Errorf("%w: more than %d records (Options.MaxRecords)", ErrTooLarge, s.opts.maxRecords())
		}
		row := makeRow(n, r, &buf)
		dig.row(&row)
		sums.add(row.outcome, row.count)
		if sums.total() > s.opts.maxMessages() {
			return Added{}, nil, fmt.Errorf("%w: more than %d messages (Options.MaxReportMessages)", ErrTooLarge, s.opts.maxMessages())
		}
		if ins != nil {
			if err := ins.add(row); err != nil {
				return Added{}, nil, err
			}
		}
	}
	// Elements placed after the records are known only now.
	if h, err = makeHeader(final()); err != nil {
		return Added{}, nil, err
	}
	dig.header(&h)
	digest := dig.sum()
	total := sums.total()

	if !fresh {
		var old string
		if err := tx.QueryRowContext(ctx, s.q("SELECT digest FROM aggregate_reports WHERE id = ?"), id).Scan(&old); err != nil {
			return Added{}, nil, s.err(err)
		}
		if old == digest {
			return Added{Outcome: OutcomeDuplicate, ID: id, Records: n}, nil, nil
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO aggregate_conflicts (report, digest, source, messages, records, ingested_at)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (report, digest) DO NOTHING`), id, digest, src.Name, int64(total), n, now); err != nil {
			return Added{}, nil, s.err(err)
		}
		return Added{Outcome: OutcomeConflict, ID: id, Records: n}, nil, nil
	}
	if err := ins.flush(); err != nil {
		return Added{}, nil, err
	}
	if err := ins.totals(); err != nil {
		return Added{}, nil, err
	}
	for day, c := range dayShares(final().Metadata.DateRange, &sums) {
		if err := w.exec(ctx, s, `INSERT INTO aggregate_days (report, day, policy_domain, org_name, messages,
	dmarc_pass, dmarc_fail, dkim_aligned, spf_aligned, quarantined, rejected) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, day, h.domain, h.org, int64(c.Messages), int64(c.DMARCPass), int64(c.DMARCFail), int64(c.DKIMAligned),
			int64(c.SPFAligned), int64(c.Quarantined), int64(c.Rejected)); err != nil {
			return Added{}, nil, err
		}
	}
	if err := w.exec(ctx, s, `UPDATE aggregate_reports SET email = ?, extra_contact_info = ?, generator = ?,
	version = ?, xmlns = ?, errors = ?, extension = ?, policy = ?, messages = ?, records = ?, warnings = ?, warning_count = ?,
	digest = ? WHERE id = ?`,
		h.email, h.extra, h.generator, h.version, h.xmlns, h.errors, h.extension, h.policy, int64(total), n,
		h.warnings, h.warningCount, digest, id); err != nil {
		return Added{}, nil, err
	}
	return Added{Outcome: OutcomeAdded, ID: id, Records: n}, ins.details, nil
}

// err wraps a database error with the engine's name.
func (s *sqlStore) err(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("store: %s: %w", s.d.name, err)
}

// recordIDBits is how many low bits of a record's id number it within its
// report (the id is the report's id shifted left by this, plus the number).
const recordIDBits = 24

// maxReportRecords is the most records one report can hold in that scheme.
const maxReportRecords = 1<<recordIDBits - 1

// recordInserter writes records in multi-row INSERT statements, and the
// failing ones again into aggregate_failing.
type recordInserter struct {
	s                *sqlStore
	ctx              context.Context
	w                *writeTx
	conn             *sql.Conn // PostgreSQL: COPY instead of INSERT
	report           int64
	domain, day, org string
	rows             []recordRow
	args             []any
	// failing sums the failing messages per source address, for
	// aggregate_failing_totals.
	failing map[string]uint64
	// details are the aggregate_details ids this report used; the
	// store's cache learns them once its transaction commits.
	details map[string]int64
	// pending are those of the earlier reports of the transaction.
	pending map[string]int64
}

// detailID returns the id of a record's detail in aggregate_details,
// adding it when it is new.
func (ri *recordInserter) detailID(b []byte) (int64, error) {
	// Lookups by string(b) do not copy b; only a detail new to this
	// report is copied, once.
	if id, ok := ri.details[string(b)]; ok {
		return id, nil
	}
	id, ok := ri.pending[string(b)]
	if !ok {
		id, ok = ri.s.cachedDetail(b)
	}
	detail := string(b)
	if !ok {
		err := ri.w.queryRow(ri.ctx, ri.s, "INSERT INTO aggregate_details (detail) VALUES (?) ON CONFLICT (detail) DO NOTHING RETURNING id",
			[]any{detail}, &id)
		if errors.Is(err, sql.ErrNoRows) {
			err = ri.w.queryRow(ri.ctx, ri.s, "SELECT id FROM aggregate_details WHERE detail = ?", []any{detail}, &id)
		}
		if err != nil {
			return 0, ri.s.err(err)
		}
	}
	if ri.details == nil {
		ri.details = map[string]int64{}
	}
	ri.details[detail] = id
	return id, nil
}

// maxCachedDetails bounds the store's cache of detail ids.
const maxCachedDetails = 100_000

func (s *sqlStore) cachedDetail(detail []byte) (int64, bool) {
	s.detailMu.Lock()
	defer s.detailMu.Unlock()
	id, ok := s.details[string(detail)]
	return id, ok
}

// rememberDetails adds a committed transaction's detail ids to the cache.
func (s *sqlStore) rememberDetails(m map[string]int64) {
	s.detailMu.Lock()
	defer s.detailMu.Unlock()
	if s.details == nil || len(s.details)+len(m) > maxCachedDetails {
		s.details = make(map[string]int64, len(m))
	}
	for k, v := range m {
		s.details[k] = v
	}
}

func (s *sqlStore) newRecordInserter(ctx context.Context, w *writeTx, report int64, domain, day, org string) *recordInserter {
	batch := recordBatch
	if w.conn != nil {
		batch = copyBatch
	}
	return &recordInserter{s: s, ctx: ctx, w: w, conn: w.conn, report: report, domain: domain, day: day, org: org,
		rows: make([]recordRow, 0, batch)}
}

// copyBatch is how many records one COPY writes (PostgreSQL).
const copyBatch = 1000

func (ri *recordInserter) add(r recordRow) error {
	id, err := ri.detailID(r.detail)
	if err != nil {
		return err
	}
	r.detailID, r.detail = id, nil
	ri.rows = append(ri.rows, r)
	if len(ri.rows) == cap(ri.rows) {
		return ri.flush()
	}
	return nil
}

// insertSQL returns INSERT INTO table (cols) VALUES with n rows of
// placeholders, then suffix. The texts are made once and kept: ingest asks
// for one every 64 records, only to find its prepared statement by it.
func insertSQL(table, cols string, n int, suffix string) string {
	k := insertKey{table, cols, suffix, n}
	insertTexts.mu.Lock()
	defer insertTexts.mu.Unlock()
	if q, ok := insertTexts.m[k]; ok {
		return q
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
	one := "(" + strings.Repeat("?, ", strings.Count(cols, ",")) + "?)"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	b.WriteString(suffix)
	if insertTexts.m == nil {
		insertTexts.m = map[insertKey]string{}
	}
	insertTexts.m[k] = b.String()
	return b.String()
}

// insertKey names an insertSQL text. Its tables, columns and suffixes are
// constants and n is at most recordBatch, so insertTexts stays small.
type insertKey struct {
	table, cols, suffix string
	n                   int
}

var insertTexts struct {
	mu sync.Mutex
	m  map[insertKey]string
}

const (
	recordColumns  = "id, source_ip, count, outcome, detail"
	failingColumns = "policy_domain, day, source_ip, record, org_name, count"
)

// exec runs a multi-row insert.
func (ri *recordInserter) exec(table, cols string, n int, args []any) error {
	return ri.w.exec(ri.ctx, ri.s, insertSQL(table, cols, n, ""), args...)
}

func (ri *recordInserter) flush() error {
	if len(ri.rows) == 0 {
		return nil
	}
	if ri.conn != nil {
		return ri.copy()
	}
	base := ri.report << recordIDBits
	ri.args = ri.args[:0]
	for i := range ri.rows {
		r := &ri.rows[i]
		ri.args = append(ri.args, base+int64(r.seq), r.sourceIP, int64(r.count), r.outcome, r.detailID)
	}
	if err := ri.exec("aggregate_records", recordColumns, len(ri.rows), ri.args); err != nil {
		return err
	}
	ri.args = ri.args[:0]
	failing := 0
	for i := range ri.rows {
		r := &ri.rows[i]
		if r.outcome&(bitDKIM|bitSPF) == 0 {
			failing++
			ri.args = append(ri.args, ri.domain, ri.day, r.sourceIP, base+int64(r.seq), ri.org, int64(r.count))
			if ri.failing == nil {
				ri.failing = map[string]uint64{}
			}
			ri.failing[r.sourceIP] += r.count
		}
	}
	ri.rows = ri.rows[:0]
	if failing == 0 {
		return nil
	}
	return ri.exec("aggregate_failing", failingColumns, failing, ri.args)
}

// totals adds the report's failing messages per address to
// aggregate_failing_totals (one row per address and statement: an upsert
// may not touch a row twice).
func (ri *recordInserter) totals() error {
	if len(ri.failing) == 0 {
		return nil
	}
	ips := make([]string, 0, len(ri.failing))
	for ip := range ri.failing {
		ips = append(ips, ip)
	}
	slices.Sort(ips)
	for len(ips) > 0 {
		n := min(len(ips), recordBatch)
		ri.args = ri.args[:0]
		for _, ip := range ips[:n] {
			ri.args = append(ri.args, ri.domain, ip, int64(ri.failing[ip]))
		}
		q := insertSQL("aggregate_failing_totals", "policy_domain, source_ip, count", n,
			" ON CONFLICT (policy_domain, source_ip) DO UPDATE SET count = aggregate_failing_totals.count + excluded.count")
		if err := ri.w.exec(ri.ctx, ri.s, q, ri.args...); err != nil {
			return err
		}
		ips = ips[n:]
	}
	return nil
}

// copy writes the batch with COPY (PostgreSQL's bulk load), inside the
// transaction open on the connection.
func (ri *recordInserter) copy() error {
	base := ri.report << recordIDBits
	recs := make([][]any, 0, len(ri.rows))
	var fails [][]any
	for i := range ri.rows {
		r := &ri.rows[i]
		id := base + int64(r.seq)
		recs = append(recs, []any{id, r.sourceIP, int64(r.count), int64(r.outcome), r.detailID})
		if r.outcome&(bitDKIM|bitSPF) == 0 {
			fails = append(fails, []any{ri.domain, ri.day, r.sourceIP, id, ri.org, int64(r.count)})
			if ri.failing == nil {
				ri.failing = map[string]uint64{}
			}
			ri.failing[r.sourceIP] += r.count
		}
	}
	ri.rows = ri.rows[:0]
	err := ri.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: postgres: unexpected driver connection %T", dc)
		}
		for _, t := range []struct {
			table string
			cols  string
			rows  [][]any
		}{{"aggregate_records", recordColumns, recs}, {"aggregate_failing", failingColumns, fails}} {
			if len(t.rows) == 0 {
				continue
			}
			if _, err := c.Conn().CopyFrom(ri.ctx, pgx.Identifier{t.table}, strings.Split(t.cols, ", "), pgx.CopyFromRows(t.rows)); err != nil {
				return err
			}
		}
		return nil
	})
	return ri.s.err(err)
}
