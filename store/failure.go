package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/domainauth/domainauth/report"
)

// FailureInfo describes one stored failure report.
type FailureInfo struct {
	ID             int64                 `json:"id"`
	Domain         string                `json:"reported_domain"`
	ArrivalDate    time.Time             `json:"arrival_date"`
	Day            string                `json:"day"`
	SourceIP       string                `json:"source_ip,omitempty"`
	FeedbackType   string                `json:"feedback_type"`
	AuthFailure    report.AuthFailure    `json:"auth_failure,omitempty"`
	DeliveryResult report.DeliveryResult `json:"delivery_result,omitempty"`
	Incidents      uint64                `json:"incidents"`
	Redacted       bool                  `json:"redacted"`
	Signature      Signature             `json:"signature"`
	SignedBy       string                `json:"signed_by,omitempty"`
	Source         string                `json:"source"`
	IngestedAt     time.Time             `json:"ingested_at"`
}

// failureDigest is the key of a failure report: report.Failure.Identity
// (the SHA-256 of its feedback part, with the reported message's header
// fields), in hex. It is the rule report.Summary uses to count repeated
// copies once, so the store and `report summary` agree on how many
// failure reports a folder holds; it is computed before redaction.
func failureDigest(f *report.Failure) string {
	id := f.Identity()
	return hex.EncodeToString(id[:])
}

// redactor returns the store's Redactor: Options.RedactKey, or a key made
// once per database and kept in its settings table.
func (s *sqlStore) redactor(ctx context.Context) (*report.Redactor, error) {
	if len(s.opts.RedactKey) > 0 {
		return &report.Redactor{Key: s.opts.RedactKey}, nil
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.redactKey == nil {
		key := make([]byte, 32)
		rand.Read(key)
		if _, err := s.db.ExecContext(ctx, s.q("INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"),
			"redact_key", hex.EncodeToString(key)); err != nil {
			return nil, s.err(err)
		}
		var v string
		if err := s.db.QueryRowContext(ctx, s.q("SELECT value FROM settings WHERE name = ?"), "redact_key").Scan(&v); err != nil {
			return nil, s.err(err)
		}
		k, err := hex.DecodeString(v)
		if err != nil || len(k) < 16 {
			return nil, fmt.Errorf("store: the stored redaction key is damaged")
		}
		s.redactKey = k
	}
	return &report.Redactor{Key: s.redactKey}, nil
}

// AddFailure stores a failure report, redacted unless
// Options.KeepFailuresUnredacted.
func (s *sqlStore) AddFailure(ctx context.Context, f *report.Failure, src Source) (Added, error) {
	domain := f.Domain()
	if !s.opts.allowed(domain) {
		return Added{}, fmt.Errorf("%w: %q", ErrNotAllowed, domain)
	}
	digest := failureDigest(f)
	stored, redacted := f, false
	if !s.opts.KeepFailuresUnredacted {
		r, err := s.redactor(ctx)
		if err != nil {
			return Added{}, err
		}
		if stored, err = r.Redact(f); err != nil {
			return Added{}, err
		}
		redacted = true
	}
	js, err := json.Marshal(stored)
	if err != nil {
		return Added{}, err
	}
	day, arrival := "", f.ArrivalDate.Unix()
	if !f.ArrivalDate.IsZero() {
		day = f.ArrivalDate.UTC().Format(time.DateOnly)
	}
	ip := addrString(f.SourceIP)
	unlock := s.lockWriter()
	defer unlock()
	var id int64
	err = s.db.QueryRowContext(ctx, s.q(`INSERT INTO failure_reports (digest, reported_domain, arrival_ts, day, source_ip,
	feedback_type, auth_failure, delivery_result, incidents, report, redacted, signature, signed_by, source, ingested_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING RETURNING id`),
		digest, domain, arrival, day, ip, f.FeedbackType, string(f.AuthFailure), string(f.DeliveryResult),
		int64(min(max(f.Incidents, 1), s.opts.maxMessages())), string(js), boolInt(redacted), int64(src.Signature), src.SignedBy,
		src.Name, s.opts.now().Unix()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		if err := s.db.QueryRowContext(ctx, s.q("SELECT id FROM failure_reports WHERE digest = ?"), digest).Scan(&id); err != nil {
			return Added{}, s.err(err)
		}
		return Added{Outcome: OutcomeDuplicate, ID: id}, nil
	}
	if err != nil {
		return Added{}, s.err(err)
	}
	return Added{Outcome: OutcomeAdded, ID: id}, nil
}

const failureInfoCols = `id, reported_domain, arrival_ts, day, source_ip, feedback_type, auth_failure, delivery_result,
	incidents, redacted, signature, signed_by, source, ingested_at`

func scanFailureInfo(sc scanner, fi *FailureInfo, extra ...any) error {
	var arrival, inc, sig, ing, red int64
	var af, dr string
	err := sc.Scan(append([]any{&fi.ID, &fi.Domain, &arrival, &fi.Day, &fi.SourceIP, &fi.FeedbackType, &af, &dr,
		&inc, &red, &sig, &fi.SignedBy, &fi.Source, &ing}, extra...)...)
	fi.ArrivalDate, fi.IngestedAt = unixTime(arrival), unixTime(ing)
	fi.AuthFailure, fi.DeliveryResult = report.AuthFailure(af), report.DeliveryResult(dr)
	fi.Incidents, fi.Signature, fi.Redacted = uint64(max(inc, 0)), Signature(sig), red != 0
	return err
}

// Failures lists failure reports, newest arrival first. Filter.Domain is
// the reported domain; Filter.Org does not apply.
func (s *sqlStore) Failures(ctx context.Context, f Filter, p Page) ([]FailureInfo, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	w, args := f.where("reported_domain", "day", "")
	return collect(ctx, s, scanFailureInfo, "SELECT "+failureInfoCols+" FROM failure_reports WHERE "+w+
		" ORDER BY day DESC, arrival_ts DESC, id DESC LIMIT ? OFFSET ?", append(args, limitOf(p.Limit), max(p.Offset, 0))...)
}

// FailureCount counts the failure reports of the filter.
func (s *sqlStore) FailureCount(ctx context.Context, f Filter) (int, error) {
	if err := f.Validate(); err != nil {
		return 0, err
	}
	w, args := f.where("reported_domain", "day", "")
	var n int64
	if err := s.queryRow(ctx, "SELECT COUNT(*) FROM failure_reports WHERE "+w, args...).Scan(&n); err != nil {
		return 0, s.err(err)
	}
	return int(n), nil
}

// FailureDetail is a stored failure report.
type FailureDetail struct {
	FailureInfo
	// Report is the report as stored: redacted unless the store was
	// opened with Options.KeepFailuresUnredacted.
	Report *report.Failure `json:"report"`
}

// Failure returns one stored failure report.
func (s *sqlStore) Failure(ctx context.Context, id int64) (*FailureDetail, error) {
	fd := &FailureDetail{Report: &report.Failure{}}
	var js string
	err := scanFailureInfo(s.db.QueryRowContext(ctx, s.q("SELECT "+failureInfoCols+", report FROM failure_reports WHERE id = ?"), id), &fd.FailureInfo, &js)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: failure report %d", ErrNotFound, id)
	}
	if err != nil {
		return nil, s.err(err)
	}
	if err := json.Unmarshal([]byte(js), fd.Report); err != nil {
		return nil, fmt.Errorf("store: failure report %d: %w", id, err)
	}
	return fd, nil
}

// PruneFailures deletes the failure reports that arrived before the given
// time (those without an arrival date by their ingest time).
func (s *sqlStore) PruneFailures(ctx context.Context, before time.Time) (int, error) {
	unlock := s.lockWriter()
	defer unlock()
	res, err := s.db.ExecContext(ctx, s.q(`DELETE FROM failure_reports WHERE
	(arrival_ts <> ? AND arrival_ts < ?) OR (arrival_ts = ? AND ingested_at < ?)`),
		(time.Time{}).Unix(), before.Unix(), (time.Time{}).Unix(), before.Unix())
	if err != nil {
		return 0, s.err(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
