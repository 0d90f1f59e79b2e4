package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/internal/shared"
	"github.com/domainauth/domainauth/report"
)

// failureReports decodes the shared failure report samples that decode.
func failureReports(t *testing.T) []*report.Failure {
	t.Helper()
	dir := shared.Require(t, "conformance", "dmarc-failure")
	var out []*report.Failure
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".eml" {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if r, err := report.DecodeFailure(f); err == nil {
			out = append(out, r)
		}
		return nil
	})
	if len(out) < 2 {
		t.Fatalf("only %d failure samples decoded", len(out))
	}
	return out
}

// TestFailures: failure reports are stored once (by their feedback part),
// redacted by default with one key per database, listed, and pruned on
// their own.
func TestFailures(t *testing.T) {
	fs := failureReports(t)
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		digests := map[string]bool{}
		var ids []int64
		for _, f := range fs {
			res, err := s.AddFailure(ctx, f, Source{Name: "f.eml"})
			if err != nil {
				t.Fatal(err)
			}
			d := failureDigest(f)
			want := OutcomeAdded
			if digests[d] {
				want = OutcomeDuplicate
			}
			digests[d] = true
			if res.Outcome != want {
				t.Errorf("%s: %v, want %v", f.Domain(), res.Outcome, want)
			}
			if want == OutcomeAdded {
				ids = append(ids, res.ID)
			}
			if again, err := s.AddFailure(ctx, f, Source{}); err != nil || again.Outcome != OutcomeDuplicate || again.ID != res.ID {
				t.Errorf("again: %+v %v", again, err)
			}
		}
		list, err := s.Failures(ctx, Filter{}, Page{Limit: 100})
		if err != nil || len(list) != len(ids) {
			t.Fatalf("Failures: %d, %v; want %d", len(list), err, len(ids))
		}
		if n, err := s.FailureCount(ctx, Filter{}); err != nil || n != len(ids) {
			t.Errorf("FailureCount = %d, %v; want %d", n, err, len(ids))
		}
		for _, id := range ids {
			fd, err := s.Failure(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if !fd.Redacted || len(fd.Report.Original.Body) != 0 || fd.Report.Text != "" {
				t.Errorf("failure %d stored unredacted: %+v", id, fd.FailureInfo)
			}
			for _, rcpt := range fd.Report.OriginalRcptTo {
				if local, _, _ := strings.Cut(rcpt, "@"); len(local) != 16 {
					t.Errorf("failure %d: recipient %q kept its local part", id, rcpt)
				}
			}
			if d := fd.Domain; d != "" {
				byDomain, err := s.Failures(ctx, Filter{Domain: d}, Page{})
				if err != nil || len(byDomain) == 0 {
					t.Errorf("Failures(%s): %d, %v", d, len(byDomain), err)
				}
				if n, err := s.FailureCount(ctx, Filter{Domain: d}); err != nil || n != len(byDomain) {
					t.Errorf("FailureCount(%s) = %d, %v; want %d", d, n, err, len(byDomain))
				}
			}
		}
		if _, err := s.Failure(ctx, 1<<40); !errors.Is(err, ErrNotFound) {
			t.Errorf("Failure(unknown) = %v", err)
		}
		// The same key on another opening of the database: the same tokens.
		s2 := mustOpen(t, dsn, Options{})
		r1, _ := s.(*sqlStore).redactor(ctx)
		r2, _ := s2.(*sqlStore).redactor(ctx)
		if r1.Address("a@example.com") != r2.Address("a@example.com") {
			t.Error("two openings of one database redact with different keys")
		}
		n, err := s.PruneFailures(ctx, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil || n != len(ids) {
			t.Errorf("PruneFailures = %d, %v; want %d", n, err, len(ids))
		}
	})
}

// TestFailuresUnredacted: a store told to keep failure reports whole does.
func TestFailuresUnredacted(t *testing.T) {
	fs := failureReports(t)
	s := mustOpen(t, testEngines[0].dsn(t), Options{KeepFailuresUnredacted: true})
	res, err := s.AddFailure(context.Background(), fs[0], Source{})
	if err != nil {
		t.Fatal(err)
	}
	fd, err := s.Failure(context.Background(), res.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fd.Redacted || fd.Report.OriginalMailFrom != fs[0].OriginalMailFrom {
		t.Errorf("stored %q (redacted %v), want %q", fd.Report.OriginalMailFrom, fd.Redacted, fs[0].OriginalMailFrom)
	}
}

// TestFailureKeyIsIdentity: the store keys a failure report as
// report.Summary identifies it, so reports that differ only in the
// reported message's header (one receiver's reports about two messages
// with the same feedback fields) are two reports in both.
func TestFailureKeyIsIdentity(t *testing.T) {
	f := failureReports(t)[0]
	g := *f
	g.Original.Header = append(slices.Clone(f.Original.Header), report.Field{Name: "Message-ID", Value: "<another@example.org>"})
	var sum report.Summary
	sum.AddFailure(f)
	sum.AddFailure(&g)
	s := mustOpen(t, testEngines[0].dsn(t), Options{})
	ctx := context.Background()
	for _, r := range []*report.Failure{f, &g, &g} {
		if _, err := s.AddFailure(ctx, r, Source{}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.Failures(ctx, Filter{}, Page{})
	if err != nil || len(list) != sum.Failures.Reports || len(list) != 2 {
		t.Errorf("store holds %d failure reports (%v), summary counts %d; want 2", len(list), err, sum.Failures.Reports)
	}
}
