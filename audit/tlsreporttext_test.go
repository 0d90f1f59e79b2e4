package audit

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/tlsrpt"
)

// hostileTLSReport has control characters in every string a sender
// chooses, one failure detail more than the row bound and counts that
// saturate.
func hostileTLSReport() *tlsrpt.Report {
	evil := "x\x1b[2J\ry"
	rep := &tlsrpt.Report{OrganizationName: evil, ReportID: evil, ContactInfo: evil,
		DateRange: tlsrpt.DateRange{Start: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		Warnings:  []tlsrpt.Warning{{Code: "tlsrpt.unknown-value", Message: evil}}}
	p := tlsrpt.PolicyResult{Policy: tlsrpt.Policy{Type: tlsrpt.PolicyType(evil), Domain: evil, MXHost: []string{evil}},
		Summary: tlsrpt.SessionCounts{Successful: math.MaxUint64, Failure: 3}}
	for range 3 {
		p.FailureDetails = append(p.FailureDetails, tlsrpt.FailureDetail{ResultType: tlsrpt.ResultType(evil),
			ReceivingMXHostname: evil, FailureReasonCode: evil, FailedSessionCount: 1})
	}
	rep.Policies = []tlsrpt.PolicyResult{p}
	return rep
}

func TestWriteTLSReportSafeAndBounded(t *testing.T) {
	var b strings.Builder
	WriteTLSReport(&b, "r\x1b.json", hostileTLSReport(), 2)
	out := b.String()
	if strings.ContainsAny(out, "\x1b\r") {
		t.Errorf("raw control characters in the output: %q", out)
	}
	if !strings.Contains(out, "... 1 more failure details") || !strings.Contains(out, saturatedNote) {
		t.Errorf("want 2 rows, a count of the rest and the saturation note:\n%s", out)
	}
}

func TestWriteTLSSummarySafeAndBounded(t *testing.T) {
	var s tlsrpt.Summary
	for i := range 4 {
		rep := hostileTLSReport()
		rep.Policies[0].Policy.Domain += strings.Repeat("a", i) // 4 domains
		s.Add(rep)
	}
	var b strings.Builder
	WriteTLSSummary(&b, &s, 2)
	out := b.String()
	if strings.ContainsAny(out, "\x1b\r") {
		t.Errorf("raw control characters in the output: %q", out)
	}
	if !strings.Contains(out, "... 2 more") || !strings.Contains(out, saturatedNote) || !strings.Contains(out, "4 SMTP TLS reports, 2026-12-01 to 2026-12-01") {
		t.Errorf("want tables of 2 rows with a count of the rest, the span and the saturation note:\n%s", out)
	}
}
