package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/domainauth/domainauth/internal/shared"
	"github.com/domainauth/domainauth/tlsrpt"
)

// tlsReports decodes the shared TLS report samples that decode.
func tlsReports(t *testing.T) []*tlsrpt.Report {
	t.Helper()
	dir := shared.Require(t, "conformance", "tlsrpt")
	var out []*tlsrpt.Report
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if r, err := tlsrpt.Decode(f); err == nil {
			out = append(out, r)
		}
		return nil
	})
	if len(out) < 3 {
		t.Fatalf("only %d TLS samples decoded", len(out))
	}
	return out
}

// TestTLS: TLS reports are stored once, their day figures add up to the
// reports' policy summaries, a changed report is a recorded conflict, and
// retention removes them.
func TestTLS(t *testing.T) {
	rs := tlsReports(t)
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		var ok, bad, detailSessions uint64
		reasons := map[string]bool{}
		added := map[[2]string]bool{}
		for _, r := range rs {
			res, err := s.AddTLS(ctx, r, Source{Name: "f"})
			if err != nil {
				t.Fatal(err)
			}
			k := [2]string{r.OrganizationName, r.ReportID}
			if added[k] {
				continue
			}
			added[k] = true
			if res.Outcome != OutcomeAdded {
				t.Errorf("%s %s: %v", r.OrganizationName, r.ReportID, res.Outcome)
			}
			for _, p := range r.Policies {
				ok += p.Summary.Successful
				bad += p.Summary.Failure
				for _, fd := range p.FailureDetails {
					detailSessions += fd.FailedSessionCount
					if fd.FailureReasonCode != "" {
						reasons[fd.FailureReasonCode] = true
					}
				}
			}
		}
		days, err := s.TLSDays(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var gotOK, gotBad uint64
		for _, d := range days {
			gotOK += d.Successful
			gotBad += d.Failure
		}
		if gotOK != ok || gotBad != bad {
			t.Errorf("TLSDays add up to %d/%d sessions, want %d/%d", gotOK, gotBad, ok, bad)
		}
		// The failure details, grouped, add up to the reports' and keep
		// their reason codes.
		fails, err := s.TLSFailures(ctx, Filter{}, MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		var gotSessions uint64
		for _, f := range fails {
			gotSessions += f.FailedSessions
			delete(reasons, f.FailureReasonCode)
		}
		if gotSessions != detailSessions || len(reasons) != 0 {
			t.Errorf("TLSFailures add up to %d failed sessions, want %d; reason codes missing: %v", gotSessions, detailSessions, reasons)
		}
		if res, err := s.AddTLS(ctx, rs[0], Source{}); err != nil || res.Outcome != OutcomeDuplicate {
			t.Errorf("again: %+v %v, want duplicate", res, err)
		}
		changed := *rs[0]
		changed.Policies = append([]tlsrpt.PolicyResult(nil), rs[0].Policies...)
		changed.Policies[0].Summary.Successful++
		if res, err := s.AddTLS(ctx, &changed, Source{Name: "changed"}); err != nil || res.Outcome != OutcomeConflict {
			t.Errorf("changed: %+v %v, want conflict", res, err)
		}
		var n int
		s.(*sqlStore).db.QueryRow("SELECT COUNT(*) FROM tls_conflicts").Scan(&n)
		if n != 1 {
			t.Errorf("%d conflicts recorded, want 1", n)
		}
		p, err := s.Prune(ctx, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil || p.TLS != len(added) {
			t.Errorf("Prune = %+v, %v; want %d TLS reports", p, err, len(added))
		}
		if days, err := s.TLSDays(ctx, Filter{}); err != nil || len(days) != 0 {
			t.Errorf("after pruning: %d days, %v", len(days), err)
		}
	})
}
