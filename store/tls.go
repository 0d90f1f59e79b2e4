package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/domainauth/domainauth/internal/sat"
	"github.com/domainauth/domainauth/tlsrpt"
)

// AddTLS stores a TLS report.
func (s *sqlStore) AddTLS(ctx context.Context, r *tlsrpt.Report, src Source) (Added, error) {
	n := len(r.Policies)
	var total uint64
	for _, p := range r.Policies {
		if !s.opts.allowed(p.Policy.Domain) {
			return Added{}, fmt.Errorf("%w: %q", ErrNotAllowed, p.Policy.Domain)
		}
		n += len(p.FailureDetails)
		total = sat.Add(sat.Add(total, p.Summary.Successful), p.Summary.Failure)
	}
	if n > s.opts.maxRecords() {
		return Added{}, fmt.Errorf("%w: %d policies and failure details (Options.MaxRecords)", ErrTooLarge, n)
	}
	if total > s.opts.maxMessages() {
		return Added{}, fmt.Errorf("%w: more than %d sessions (Options.MaxReportMessages)", ErrTooLarge, s.opts.maxMessages())
	}
	day := ""
	if !r.DateRange.Start.IsZero() {
		day = r.DateRange.Start.UTC().Format(time.DateOnly)
	}
	dig := newDigester()
	dig.str(r.OrganizationName)
	dig.str(r.ReportID)
	dig.str(r.ContactInfo)
	dig.num(uint64(r.DateRange.Start.Unix()))
	dig.num(uint64(r.DateRange.End.Unix()))
	type pol struct{ typ, str, mx string }
	pols := make([]pol, len(r.Policies))
	for i, p := range r.Policies {
		ps, err := json.Marshal(p.Policy.String)
		if err != nil {
			return Added{}, err
		}
		mx, err := json.Marshal(p.Policy.MXHost)
		if err != nil {
			return Added{}, err
		}
		pols[i] = pol{string(p.Policy.Type), string(ps), string(mx)}
		dig.str(p.Policy.Domain)
		dig.str(pols[i].typ)
		dig.str(pols[i].str)
		dig.str(pols[i].mx)
		dig.num(p.Summary.Successful)
		dig.num(p.Summary.Failure)
		for _, fd := range p.FailureDetails {
			for _, v := range []string{string(fd.ResultType), addrString(fd.SendingMTAIP), fd.ReceivingMXHostname,
				fd.ReceivingMXHelo, addrString(fd.ReceivingIP), fd.AdditionalInformation, fd.FailureReasonCode} {
				dig.str(v)
			}
			dig.num(fd.FailedSessionCount)
		}
	}
	digest := dig.sum()
	warns, err := json.Marshal(r.Warnings)
	if err != nil {
		return Added{}, err
	}

	unlock := s.lockWriter()
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return Added{}, s.err(err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, s.q(`INSERT INTO tls_reports (org_name, report_id, begin_ts, end_ts, day, contact_info,
	warnings, digest, signature, signed_by, source, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (org_name, report_id) DO NOTHING RETURNING id`),
		r.OrganizationName, r.ReportID, r.DateRange.Start.Unix(), r.DateRange.End.Unix(), day, r.ContactInfo,
		string(warns), digest, int64(src.Signature), src.SignedBy, src.Name, s.opts.now().Unix()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		var old string
		if err := tx.QueryRowContext(ctx, s.q("SELECT id, digest FROM tls_reports WHERE org_name = ? AND report_id = ?"),
			r.OrganizationName, r.ReportID).Scan(&id, &old); err != nil {
			return Added{}, s.err(err)
		}
		if old == digest {
			return Added{Outcome: OutcomeDuplicate, ID: id, Records: n}, nil
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO tls_conflicts (report, digest, source, ingested_at)
VALUES (?, ?, ?, ?) ON CONFLICT (report, digest) DO NOTHING`), id, digest, src.Name, s.opts.now().Unix()); err != nil {
			return Added{}, s.err(err)
		}
		return Added{Outcome: OutcomeConflict, ID: id, Records: n}, s.err(tx.Commit())
	}
	if err != nil {
		return Added{}, s.err(err)
	}
	for i, p := range r.Policies {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO tls_policies (report, seq, policy_domain, day, org_name, policy_type,
	policy_string, mx_host, successful, failure) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			id, i+1, canonDomain(p.Policy.Domain), day, r.OrganizationName, pols[i].typ, pols[i].str, pols[i].mx,
			int64(p.Summary.Successful), int64(p.Summary.Failure)); err != nil {
			return Added{}, s.err(err)
		}
		for j, fd := range p.FailureDetails {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO tls_failures (report, policy, seq, policy_domain, day, org_name,
	result_type, sending_ip, receiving_mx, receiving_helo, receiving_ip, failed_sessions, additional_info, failure_reason_code)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				id, i+1, j+1, canonDomain(p.Policy.Domain), day, r.OrganizationName, string(fd.ResultType),
				addrString(fd.SendingMTAIP), fd.ReceivingMXHostname, fd.ReceivingMXHelo,
				addrString(fd.ReceivingIP), int64(fd.FailedSessionCount), fd.AdditionalInformation,
				fd.FailureReasonCode); err != nil {
				return Added{}, s.err(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return Added{}, s.err(err)
	}
	return Added{Outcome: OutcomeAdded, ID: id, Records: n}, nil
}

// addrString is a's text, "" for the zero netip.Addr (not "invalid IP").
func addrString(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// TLSDays returns TLS session counts per domain and day, at most limit
// rows, of the latest days. A day's domains sort by their bytes on both
// engines (s.d.bytewise), so that a cut into a day keeps the same ones.
func (s *sqlStore) TLSDays(ctx context.Context, f Filter, limit int) ([]TLSDayCounts, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("policy_domain", "day", "org_name")
	return collect(ctx, s, scanTLSDay, latestDays(`SELECT day, policy_domain, CAST(SUM(successful) AS BIGINT), CAST(SUM(failure) AS BIGINT)
FROM tls_policies WHERE `+w+` GROUP BY day, policy_domain`, ", policy_domain"+s.d.bytewise), append(args, limitOf(limit))...)
}

// TLSDayTotals returns TLS session counts per day, every selected domain
// together, of the latest limit days.
func (s *sqlStore) TLSDayTotals(ctx context.Context, f Filter, limit int) ([]TLSDayCounts, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("policy_domain", "day", "org_name")
	return collect(ctx, s, scanTLSDay, latestDays(`SELECT day, '' AS domain, CAST(SUM(successful) AS BIGINT) AS ok, CAST(SUM(failure) AS BIGINT) AS bad
FROM tls_policies WHERE `+w+` GROUP BY day`, ""), append(args, limitOf(limit))...)
}

// TLSTotal returns TLS session counts over the selection.
func (s *sqlStore) TLSTotal(ctx context.Context, f Filter) (TLSDayCounts, error) {
	var t TLSDayCounts
	if err := f.Validate(); err != nil {
		return t, err
	}
	w, args := f.where("policy_domain", "day", "org_name")
	var ok, bad sql.NullInt64
	err := s.queryRow(ctx, `SELECT CAST(SUM(successful) AS BIGINT), CAST(SUM(failure) AS BIGINT) FROM tls_policies WHERE `+w, args...).Scan(&ok, &bad)
	t.Successful, t.Failure = uint64(max(ok.Int64, 0)), uint64(max(bad.Int64, 0))
	return t, s.err(err)
}

// scanTLSDay reads a row of TLSDays or TLSDayTotals.
func scanTLSDay(sc scanner, d *TLSDayCounts, _ ...any) error {
	var ok, bad int64
	err := sc.Scan(&d.Day, &d.Domain, &ok, &bad)
	d.Successful, d.Failure = uint64(max(ok, 0)), uint64(max(bad, 0))
	return err
}

// TLSDomains lists the policy domains of the selected TLS reports, at
// most limit.
func (s *sqlStore) TLSDomains(ctx context.Context, f Filter, limit int) ([]string, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("policy_domain", "day", "org_name")
	return s.strings(ctx, "SELECT DISTINCT policy_domain FROM tls_policies WHERE "+w+" ORDER BY 1 LIMIT ?", append(args, limitOf(limit))...)
}

// TLSFailures returns grouped TLS failure details.
func (s *sqlStore) TLSFailures(ctx context.Context, f Filter, limit int) ([]TLSFailure, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("policy_domain", "day", "org_name")
	return collect(ctx, s, func(sc scanner, t *TLSFailure, _ ...any) error {
		var n int64
		var rt string
		err := sc.Scan(&t.Domain, &rt, &t.ReceivingMX, &t.SendingIP, &t.ReceivingIP, &t.FailureReasonCode, &n, &t.Reports)
		t.ResultType, t.FailedSessions = tlsrpt.ResultType(rt), uint64(max(n, 0))
		return err
	}, `SELECT policy_domain, result_type, receiving_mx, sending_ip, receiving_ip, failure_reason_code,
	CAST(SUM(failed_sessions) AS BIGINT), COUNT(DISTINCT report) FROM tls_failures WHERE `+w+`
GROUP BY policy_domain, result_type, receiving_mx, sending_ip, receiving_ip, failure_reason_code
ORDER BY 7 DESC, 1, 2, 3, 4, 5, 6 LIMIT ?`, append(args, limitOf(limit))...)
}
