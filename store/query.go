package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/report"
)

// countCols sums the aggregate_days counts.
const countCols = `CAST(SUM(messages) AS BIGINT), CAST(SUM(dmarc_pass) AS BIGINT), CAST(SUM(dmarc_fail) AS BIGINT),
	CAST(SUM(dkim_aligned) AS BIGINT), CAST(SUM(spf_aligned) AS BIGINT), CAST(SUM(quarantined) AS BIGINT),
	CAST(SUM(rejected) AS BIGINT)`

// recordCountCols computes the same counts from aggregate_records.
const recordCountCols = `CAST(SUM(r.count) AS BIGINT),
	CAST(SUM(CASE WHEN r.outcome & 3 <> 0 THEN r.count ELSE 0 END) AS BIGINT),
	CAST(SUM(CASE WHEN r.outcome & 3 = 0 THEN r.count ELSE 0 END) AS BIGINT),
	CAST(SUM(CASE WHEN r.outcome & 1 <> 0 THEN r.count ELSE 0 END) AS BIGINT),
	CAST(SUM(CASE WHEN r.outcome & 2 <> 0 THEN r.count ELSE 0 END) AS BIGINT),
	CAST(SUM(CASE WHEN r.outcome & 4 <> 0 THEN r.count ELSE 0 END) AS BIGINT),
	CAST(SUM(CASE WHEN r.outcome & 8 <> 0 THEN r.count ELSE 0 END) AS BIGINT)`

// blockCountCols are recordCountCols named c0 to c6, and blockSumCols
// their sums, for sums in two steps (Sources).
var blockCountCols, blockSumCols = func() (string, string) {
	cols := strings.Split(recordCountCols, ",\n\t")
	sums := make([]string, len(cols))
	for i := range cols {
		cols[i] += fmt.Sprintf(" AS c%d", i)
		sums[i] = fmt.Sprintf("CAST(SUM(c%d) AS BIGINT)", i)
	}
	return strings.Join(cols, ", "), strings.Join(sums, ", ")
}()

// nullCounts scans the seven sums (NULL over no rows).
type nullCounts [7]sql.NullInt64

func (n *nullCounts) ptrs() []any {
	p := make([]any, len(n))
	for i := range n {
		p[i] = &n[i]
	}
	return p
}

func (n *nullCounts) counts() report.Counts {
	u := func(i int) uint64 { return uint64(max(n[i].Int64, 0)) }
	return report.Counts{Messages: u(0), DMARCPass: u(1), DMARCFail: u(2), DKIMAligned: u(3), SPFAligned: u(4),
		Quarantined: u(5), Rejected: u(6)}
}

// Domains lists the policy domains, at most limit. Each table's first
// limit domains are taken apart, walking its policy-domain index: a
// UNION of the tables whole has PostgreSQL hash and sort every row of
// both before the limit applies.
func (s *sqlStore) Domains(ctx context.Context, limit int) ([]string, error) {
	n := limitOf(limit)
	return s.strings(ctx, `SELECT policy_domain FROM (SELECT DISTINCT policy_domain FROM aggregate_reports ORDER BY 1 LIMIT ?) first_aggregate
UNION SELECT policy_domain FROM (SELECT DISTINCT policy_domain FROM tls_policies ORDER BY 1 LIMIT ?) first_tls ORDER BY 1 LIMIT ?`, n, n, n)
}

// OrgNames lists the reporting organisations, at most limit.
func (s *sqlStore) OrgNames(ctx context.Context, f Filter, limit int) ([]string, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("policy_domain", "day", "")
	return s.strings(ctx, "SELECT org_name FROM aggregate_reports WHERE "+w+" GROUP BY org_name ORDER BY org_name"+s.d.bytewise+" LIMIT ?",
		append(args, limitOf(limit))...)
}

// strings runs a query of one text column.
func (s *sqlStore) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	return collect(ctx, s, func(sc scanner, v *string, _ ...any) error {
		return sc.Scan(v)
	}, q, args...)
}

// Days returns the per-day counts of the latest limit days.
func (s *sqlStore) Days(ctx context.Context, f Filter, limit int) ([]DayCounts, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("policy_domain", "day", "org_name")
	return collect(ctx, s, func(sc scanner, d *DayCounts, _ ...any) error {
		return scanCounts(sc, &d.Counts, &d.Day)
	}, latestDays("SELECT day, "+countCols+" FROM aggregate_days WHERE "+w+" GROUP BY day", ""), append(args, limitOf(limit))...)
}

// latestDays returns the query of the latest rows of q, a query of rows
// per day whose first column is the day: at most as many as its last
// argument, oldest first. then orders the rows of one day (", " and a
// column of q by name, with the dialect's bytewise for text; "" when q
// has a row per day): when the limit cuts
// into a day, its first rows in that order are kept.
func latestDays(q, then string) string {
	return "SELECT * FROM (" + q + " ORDER BY 1 DESC" + then + " LIMIT ?) latest ORDER BY 1" + then
}

// Total returns the sum of Days.
func (s *sqlStore) Total(ctx context.Context, f Filter) (report.Counts, error) {
	if err := f.Validate(); err != nil {
		return report.Counts{}, err
	}
	w, args := f.where("policy_domain", "day", "org_name")
	var n nullCounts
	if err := s.queryRow(ctx, "SELECT "+countCols+" FROM aggregate_days WHERE "+w, args...).Scan(n.ptrs()...); err != nil {
		return report.Counts{}, s.err(err)
	}
	return n.counts(), nil
}

// Orgs returns counts per reporting organisation (day shares, as Days),
// at most limit.
func (s *sqlStore) Orgs(ctx context.Context, f Filter, limit int) ([]OrgCounts, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("policy_domain", "day", "org_name")
	return collect(ctx, s, func(sc scanner, o *OrgCounts, _ ...any) error {
		return scanCounts(sc, &o.Counts, &o.OrgName, &o.Reports)
	}, "SELECT org_name, COUNT(DISTINCT report), "+countCols+
		" FROM aggregate_days WHERE "+w+" GROUP BY org_name ORDER BY 3 DESC, org_name"+s.d.bytewise+" LIMIT ?", append(args, limitOf(limit))...)
}

// scanCounts scans a row of keys followed by the count columns.
func scanCounts(sc scanner, c *report.Counts, keys ...any) error {
	var n nullCounts
	err := sc.Scan(append(keys, n.ptrs()...)...)
	*c = n.counts()
	return err
}

// Sources returns counts per source address.
func (s *sqlStore) Sources(ctx context.Context, f Filter, limit int) ([]SourceCounts, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("a.policy_domain", "a.day", "a.org_name")
	bw, bargs := sourceBlocks(f)
	// The index aggregate_records_source covers the columns read: the
	// blocks of the selected reports are read, and of their records those
	// of the selected reports counted (a record's report is its id over
	// 2^24).
	// Summing per block and address first reads the index in its order
	// (no sort of every record); the sums per address then add up a few
	// rows each. A report lies in one block, so its count adds up too.
	return collect(ctx, s, func(sc scanner, c *SourceCounts, _ ...any) error {
		return scanCounts(sc, &c.Counts, &c.SourceIP, &c.Reports)
	}, "SELECT ip, CAST(SUM(n) AS BIGINT), "+blockSumCols+" FROM (SELECT r.source_ip AS ip, COUNT(DISTINCT r.id / 16777216) AS n, "+
		blockCountCols+" FROM aggregate_records r WHERE "+bw+" AND r.id / 16777216 IN (SELECT a.id FROM aggregate_reports a WHERE "+w+
		") GROUP BY r.id / 4294967296, r.source_ip) per_block GROUP BY ip ORDER BY 3 DESC, 1 LIMIT ?",
		append(append(bargs, args...), limitOf(limit))...)
}

// MaxSourceRecords bounds the records read for one source address by
// SourceDays and FailingSources (its diagnoses); past it the most recent
// are used.
const MaxSourceRecords = 20_000

// sourceReports reads the records of one source address in the filter,
// grouped into one aggregate per report (metadata and the address's
// records), newest first.
func (s *sqlStore) sourceReports(ctx context.Context, f Filter, ip string) ([]*report.Aggregate, error) {
	q, args := sourceRecordsQuery("a.id, a.org_name, a.report_id, a.begin_ts, a.end_ts, a.policy, r.source_ip, r.count, d.detail", f, ip)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, s.err(err)
	}
	defer rows.Close()
	var out []*report.Aggregate
	var last int64 = -1
	for rows.Next() {
		var id, begin, end int64
		var org, rid, pol string
		var rec report.Record
		var rc rawRecord
		if err := rows.Scan(&id, &org, &rid, &begin, &end, &pol, &rc.ip, &rc.count, &rc.detail); err != nil {
			return nil, s.err(err)
		}
		if err := rc.decode(&rec); err != nil {
			return nil, err
		}
		if id != last {
			a := &report.Aggregate{Metadata: report.Metadata{OrgName: org, ReportID: rid,
				DateRange: report.DateRange{Begin: unixTime(begin), End: unixTime(end)}}}
			if err := json.Unmarshal([]byte(pol), &a.Policy); err != nil {
				return nil, fmt.Errorf("store: report %d: policy: %w", id, err)
			}
			out = append(out, a)
			last = id
		}
		a := out[len(out)-1]
		a.Records = append(a.Records, rec)
	}
	return out, s.err(rows.Err())
}

// SourceDays returns one source's counts per day.
func (s *sqlStore) SourceDays(ctx context.Context, f Filter, ip string) ([]DayCounts, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	as, err := s.sourceReports(ctx, f, ip)
	if err != nil {
		return nil, err
	}
	var sum report.Summary
	for _, a := range as {
		sum.Add(a)
	}
	var out []DayCounts
	for day, c := range sum.ByDay {
		if f.From != "" && day < f.From || f.To != "" && day > f.To {
			continue
		}
		out = append(out, DayCounts{Day: day, Counts: *c})
	}
	slices.SortFunc(out, func(a, b DayCounts) int { return strings.Compare(a.Day, b.Day) })
	return out, nil
}

// FailingSources returns the sources failing DMARC most, with diagnoses.
func (s *sqlStore) FailingSources(ctx context.Context, f Filter, limit int) ([]FailingSource, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("policy_domain", "day", "org_name")
	q := "SELECT source_ip, CAST(SUM(count) AS BIGINT) FROM aggregate_failing WHERE " + w + " GROUP BY source_ip"
	if f.From == "" && f.To == "" && f.Org == "" {
		// All time: the running totals hold the answer.
		q = "SELECT source_ip, count FROM aggregate_failing_totals WHERE " + w
	}
	rows, err := s.query(ctx, q+" ORDER BY 2 DESC, 1 LIMIT ?", append(args, limitOf(limit))...)
	if err != nil {
		return nil, s.err(err)
	}
	var out []FailingSource
	for rows.Next() {
		var fs FailingSource
		var n int64
		if err := rows.Scan(&fs.SourceIP, &n); err != nil {
			rows.Close()
			return nil, s.err(err)
		}
		out = append(out, fs)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.err(err)
	}
	// The addresses' records are read in parallel: SQLite in WAL mode
	// and PostgreSQL both serve readers side by side.
	errs := make([]error, len(out))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i := range out {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = s.diagnose(ctx, f, &out[i])
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// diagnose fills in a failing source's counts, diagnoses, provider and
// domains from its records.
func (s *sqlStore) diagnose(ctx context.Context, f Filter, fs *FailingSource) error {
	recs, err := s.sourceRecords(ctx, f, fs.SourceIP)
	if err != nil {
		return err
	}
	// One report holding all the address's records: the diagnoses and
	// counts do not depend on how records group into reports.
	fs.summarise([]*report.Aggregate{{Records: recs}})
	return nil
}

// summarise fills in the counts, diagnoses, provider and header From
// domains of a source address from its records, grouped into as.
func (fs *FailingSource) summarise(as []*report.Aggregate) {
	var sum report.Summary
	for _, a := range as {
		sum.Add(a)
	}
	for _, c := range sum.BySourceIP {
		fs.Counts = *c // one address: one entry
	}
	fs.Diagnoses, fs.Provider = sum.Diagnoses(), providerOf(&sum, as)
	hf := slices.Sorted(maps.Keys(sum.ByHeaderFrom))
	fs.HeaderFrom = hf[:min(len(hf), MaxSampleDomains)]
}

// sourceRecords reads the records of one source address in the filter, at
// most MaxSourceRecords, newest first.
func (s *sqlStore) sourceRecords(ctx context.Context, f Filter, ip string) ([]report.Record, error) {
	q, args := sourceRecordsQuery("r.source_ip, r.count, d.detail", f, ip)
	return s.records(ctx, q, args...)
}

// sourceRecordsQuery returns the query of the columns cols (of records r,
// their reports a and details d) of one source address's records in the
// filter, at most MaxSourceRecords, newest first, and its arguments.
func sourceRecordsQuery(cols string, f Filter, ip string) (string, []any) {
	w, args := f.where("a.policy_domain", "a.day", "a.org_name")
	bw, bargs := sourceBlocks(f)
	// CROSS JOIN keeps SQLite from starting with the reports of a long
	// period (their day index) instead of the address's few records.
	return "SELECT " + cols + `
FROM aggregate_records r CROSS JOIN aggregate_reports a CROSS JOIN aggregate_details d
WHERE ` + bw + ` AND r.source_ip = ? AND a.id = r.id / 16777216 AND d.id = r.detail AND ` + w + ` ORDER BY r.id DESC LIMIT ?`,
		append(append(append(bargs, ip), args...), MaxSourceRecords)
}

// records runs a query of records' source_ip, count and detail columns
// and decodes its rows.
func (s *sqlStore) records(ctx context.Context, q string, args ...any) ([]report.Record, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, s.err(err)
	}
	defer rows.Close()
	var out []report.Record
	for rows.Next() {
		var rc rawRecord
		if err := rows.Scan(&rc.ip, &rc.count, &rc.detail); err != nil {
			return nil, s.err(err)
		}
		out = append(out, report.Record{})
		if err := rc.decode(&out[len(out)-1]); err != nil {
			return nil, err
		}
	}
	return out, s.err(rows.Err())
}

// providerOf names the provider report.Summary attributes most of the
// messages to (its sender map, by the passing DKIM and SPF domains), else
// the ESP whose domains the records show most.
func providerOf(sum *report.Summary, as []*report.Aggregate) string {
	best, n := "", uint64(0)
	for name, c := range sum.BySender {
		if name != "" && (c.Messages > n || c.Messages == n && name < best) {
			best, n = name, c.Messages
		}
	}
	if best != "" {
		return best
	}
	return provider(as)
}

// provider names the ESP whose domains a source's records show most.
func provider(as []*report.Aggregate) string {
	esps := report.KnownESPs()
	votes := map[string]uint64{}
	for _, a := range as {
		for i := range a.Records {
			r := &a.Records[i]
			ds := []string{r.Identifiers.EnvelopeFrom}
			for _, d := range r.AuthResults.DKIM {
				ds = append(ds, d.Domain)
			}
			for _, sp := range r.AuthResults.SPF {
				ds = append(ds, sp.Domain)
			}
			for _, e := range esps {
				if espMatches(e, ds) {
					votes[e.Name] += max(r.Row.Count, 1)
				}
			}
		}
	}
	best, n := "", uint64(0)
	for name, v := range votes {
		if v > n || v == n && name < best {
			best, n = name, v
		}
	}
	return best
}

func espMatches(e report.ESP, ds []string) bool {
	for _, d := range ds {
		d = dnsname.Canonical(d)
		for _, ed := range e.Domains {
			if d != "" && dnsname.IsSubdomain(d, ed) {
				return true
			}
		}
	}
	return false
}

const reportInfoCols = `a.id, a.org_name, a.email, a.report_id, a.policy_domain, a.begin_ts, a.end_ts, a.day, a.messages,
	a.records, a.warning_count, a.signature, a.signed_by, a.source, a.ingested_at,
	(SELECT COUNT(*) FROM aggregate_conflicts c WHERE c.report = a.id)`

func scanInfo(sc scanner, ri *ReportInfo, extra ...any) error {
	var begin, end, msgs, ing, sig int64
	err := sc.Scan(append([]any{&ri.ID, &ri.OrgName, &ri.Email, &ri.ReportID, &ri.PolicyDomain, &begin, &end, &ri.Day, &msgs,
		&ri.Records, &ri.Warnings, &sig, &ri.SignedBy, &ri.Source, &ing, &ri.Conflicts}, extra...)...)
	ri.Begin, ri.End, ri.Messages = unixTime(begin), unixTime(end), uint64(max(msgs, 0))
	ri.IngestedAt, ri.Signature = unixTime(ing), Signature(sig)
	return err
}

// unixTime is the inverse of time.Time.Unix for stored bounds: the zero
// time's seconds give the zero time back.
func unixTime(s int64) time.Time {
	if s == (time.Time{}).Unix() {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// Reports lists reports, newest first.
func (s *sqlStore) Reports(ctx context.Context, f Filter, p Page) ([]ReportInfo, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("a.policy_domain", "a.day", "a.org_name")
	return collect(ctx, s, scanInfo, "SELECT "+reportInfoCols+" FROM aggregate_reports a WHERE "+w+
		" ORDER BY a.day DESC, a.end_ts DESC, a.id DESC LIMIT ? OFFSET ?", append(args, limitOf(p.Limit), max(p.Offset, 0))...)
}

// scanner is what *sql.Rows and *sql.Row have in common.
type scanner interface{ Scan(...any) error }

// collect runs a query and scans each row into a T.
func collect[T any](ctx context.Context, s *sqlStore, scan func(sc scanner, v *T, extra ...any) error,
	query string, args ...any) ([]T, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, s.err(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, s.err(err)
		}
		out = append(out, v)
	}
	return out, s.err(rows.Err())
}

// rawRecord is a stored record's columns.
type rawRecord struct {
	ip     string
	count  int64
	detail string
}

func (rc *rawRecord) decode(r *report.Record) error {
	if err := parseDetail(rc.detail, r); err != nil {
		*r = report.Record{}
		if err := json.Unmarshal([]byte(rc.detail), r); err != nil {
			return fmt.Errorf("store: stored record: %w", err)
		}
	}
	if rc.ip != "" {
		ip, err := netip.ParseAddr(rc.ip)
		if err != nil {
			return fmt.Errorf("store: stored source address %q: %w", rc.ip, err)
		}
		r.Row.SourceIP = ip
	}
	r.Row.Count = uint64(max(rc.count, 0))
	return nil
}

// Report returns one report with its records.
func (s *sqlStore) Report(ctx context.Context, id int64) (*ReportDetail, error) {
	return s.report(ctx, id, -1)
}

// ReportHead returns one report with its first limit records, and its
// counts: the sum of its day shares, which add up to its records'.
func (s *sqlStore) ReportHead(ctx context.Context, id int64, limit int) (*ReportDetail, report.Counts, error) {
	rd, err := s.report(ctx, id, limitOf(limit))
	if err != nil {
		return nil, report.Counts{}, err
	}
	var n nullCounts
	if err := s.queryRow(ctx, "SELECT "+countCols+" FROM aggregate_days WHERE report = ?", id).Scan(n.ptrs()...); err != nil {
		return nil, report.Counts{}, s.err(err)
	}
	return rd, n.counts(), nil
}

// report reads a report with its first limit records (all of them for a
// negative limit).
func (s *sqlStore) report(ctx context.Context, id int64, limit int) (*ReportDetail, error) {
	rd := &ReportDetail{Aggregate: &report.Aggregate{}}
	a := rd.Aggregate
	var errs, pol, warns string
	err := scanInfo(s.db.QueryRowContext(ctx, s.q("SELECT "+reportInfoCols+
		", a.extra_contact_info, a.generator, a.version, a.xmlns, a.errors, a.extension, a.policy, a.warnings FROM aggregate_reports a WHERE a.id = ?"), id),
		&rd.ReportInfo, &a.Metadata.ExtraContactInfo, &a.Metadata.Generator, &a.Version, &a.XMLNS, &errs, &a.Extension, &pol, &warns)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: report %d", ErrNotFound, id)
	}
	if err != nil {
		return nil, s.err(err)
	}
	a.Metadata.OrgName, a.Metadata.Email, a.Metadata.ReportID = rd.OrgName, rd.Email, rd.ReportID
	a.Metadata.DateRange = report.DateRange{Begin: rd.Begin, End: rd.End}
	for _, j := range []struct {
		name, text string
		v          any
	}{{"errors", errs, &a.Metadata.Errors}, {"policy", pol, &a.Policy}, {"warnings", warns, &a.Warnings}} {
		if err := json.Unmarshal([]byte(j.text), j.v); err != nil {
			return nil, fmt.Errorf("store: report %d: stored %s: %w", id, j.name, err)
		}
	}
	q, args := `SELECT r.source_ip, r.count, d.detail FROM aggregate_records r CROSS JOIN aggregate_details d
WHERE d.id = r.detail AND r.id >= ? AND r.id < ? ORDER BY r.id`, []any{id << recordIDBits, (id + 1) << recordIDBits}
	if limit >= 0 {
		q, args = q+" LIMIT ?", append(args, limit)
	}
	if a.Records, err = s.records(ctx, q, args...); err != nil {
		return nil, err
	}
	// Every upload of a changed copy adds a conflict: the list stops at
	// MaxLimit, ReportInfo.Conflicts counting them all.
	rd.ConflictList, err = collect(ctx, s, func(sc scanner, c *Conflict, _ ...any) error {
		var msgs, at int64
		err := sc.Scan(&c.Source, &c.Digest, &msgs, &c.Records, &at)
		c.Messages, c.IngestedAt = uint64(max(msgs, 0)), unixTime(at)
		return err
	}, `SELECT source, digest, messages, records, ingested_at FROM aggregate_conflicts
WHERE report = ? ORDER BY ingested_at, digest LIMIT ?`, id, MaxLimit)
	if err != nil {
		return nil, err
	}
	return rd, nil
}

// Policies returns the distinct published policies, the limit seen last.
func (s *sqlStore) Policies(ctx context.Context, f Filter, limit int) ([]PolicyPeriod, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("policy_domain", "day", "org_name")
	rows, err := s.query(ctx, `SELECT policy_domain, policy, first_day, last_day, reports, messages FROM (
	SELECT policy_domain, policy, MIN(day) AS first_day, MAX(day) AS last_day, COUNT(*) AS reports,
		CAST(SUM(messages) AS BIGINT) AS messages
	FROM aggregate_reports WHERE `+w+` GROUP BY policy_domain, policy ORDER BY 4 DESC, 1, 2 LIMIT ?) latest
ORDER BY 3, 1, 2`, append(args, limitOf(limit))...)
	if err != nil {
		return nil, s.err(err)
	}
	defer rows.Close()
	var out []PolicyPeriod
	for rows.Next() {
		var p PolicyPeriod
		var pol string
		var msgs int64
		if err := rows.Scan(&p.Domain, &pol, &p.First, &p.Last, &p.Reports, &msgs); err != nil {
			return nil, s.err(err)
		}
		if err := json.Unmarshal([]byte(pol), &p.Policy); err != nil {
			return nil, fmt.Errorf("store: stored policy: %w", err)
		}
		p.Messages = uint64(max(msgs, 0))
		out = append(out, p)
	}
	return out, s.err(rows.Err())
}

// LastIngest returns the time of the last ingest.
func (s *sqlStore) LastIngest(ctx context.Context) (time.Time, error) {
	var a, t, f sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT MAX(ingested_at) FROM aggregate_reports),
	(SELECT MAX(ingested_at) FROM tls_reports), (SELECT MAX(ingested_at) FROM failure_reports)`).Scan(&a, &t, &f); err != nil {
		return time.Time{}, s.err(err)
	}
	if !a.Valid && !t.Valid && !f.Valid {
		return time.Time{}, nil
	}
	return time.Unix(max(a.Int64, t.Int64, f.Int64), 0).UTC(), nil
}

// Prune deletes reports whose window ended before the given time.
func (s *sqlStore) Prune(ctx context.Context, before time.Time) (Pruned, error) {
	unlock := s.lockWriter()
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Pruned{}, s.err(err)
	}
	defer tx.Rollback()
	cut := before.Unix()
	type old struct {
		id          int64
		domain, day string
	}
	var olds []old
	rows, err := tx.QueryContext(ctx, s.q("SELECT id, policy_domain, day FROM aggregate_reports WHERE end_ts < ?"), cut)
	if err != nil {
		return Pruned{}, s.err(err)
	}
	for rows.Next() {
		var o old
		if err := rows.Scan(&o.id, &o.domain, &o.day); err != nil {
			rows.Close()
			return Pruned{}, s.err(err)
		}
		olds = append(olds, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Pruned{}, s.err(err)
	}
	for _, o := range olds {
		lo, hi := o.id<<recordIDBits, (o.id+1)<<recordIDBits
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`DELETE FROM aggregate_failing WHERE (policy_domain, source_ip, day, record) IN
	(SELECT ?, source_ip, ?, id FROM aggregate_records WHERE id >= ? AND id < ? AND outcome & 3 = 0)`, []any{o.domain, o.day, lo, hi}},
			{"DELETE FROM aggregate_records WHERE id >= ? AND id < ?", []any{lo, hi}},
			{"DELETE FROM aggregate_days WHERE report = ?", []any{o.id}},
			{"DELETE FROM aggregate_conflicts WHERE report = ?", []any{o.id}},
			{"DELETE FROM aggregate_reports WHERE id = ?", []any{o.id}},
		} {
			if _, err := tx.ExecContext(ctx, s.q(q.sql), q.args...); err != nil {
				return Pruned{}, s.err(err)
			}
		}
	}
	domains := map[string]bool{}
	for _, o := range olds {
		domains[o.domain] = true
	}
	for d := range domains {
		for _, q := range []string{
			"DELETE FROM aggregate_failing_totals WHERE policy_domain = ?",
			`INSERT INTO aggregate_failing_totals (policy_domain, source_ip, count)
	SELECT policy_domain, source_ip, SUM(count) FROM aggregate_failing WHERE policy_domain = ? GROUP BY policy_domain, source_ip`,
		} {
			if _, err := tx.ExecContext(ctx, s.q(q), d); err != nil {
				return Pruned{}, s.err(err)
			}
		}
	}
	p := Pruned{Aggregate: len(olds)}
	for _, q := range []string{
		"DELETE FROM tls_failures WHERE report IN (SELECT id FROM tls_reports WHERE end_ts < ?)",
		"DELETE FROM tls_policies WHERE report IN (SELECT id FROM tls_reports WHERE end_ts < ?)",
		"DELETE FROM tls_conflicts WHERE report IN (SELECT id FROM tls_reports WHERE end_ts < ?)",
		"DELETE FROM tls_reports WHERE end_ts < ?",
	} {
		res, err := tx.ExecContext(ctx, s.q(q), cut)
		if err != nil {
			return Pruned{}, s.err(err)
		}
		if strings.HasPrefix(q, "DELETE FROM tls_reports") {
			n, _ := res.RowsAffected()
			p.TLS = int(n)
		}
	}
	return p, s.err(tx.Commit())
}
