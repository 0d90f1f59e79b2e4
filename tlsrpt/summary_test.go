package tlsrpt

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSummary(t *testing.T) {
	dir, oracle := loadOracle(t)
	var all, a, b Summary
	var succ, fail uint64
	for i, e := range oracle {
		f, err := os.Open(filepath.Join(dir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		r, err := Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		all.Add(r)
		if i%2 == 0 {
			a.Add(r)
		} else {
			b.Add(r)
		}
		succ += e.Successful
		fail += e.Failed
	}
	if all.Reports != len(oracle) || all.Total.Successful != succ || all.Total.Failure != fail {
		t.Fatalf("summary %d reports %+v, want %d %d/%d", all.Reports, all.Total, len(oracle), succ, fail)
	}
	// The RFC example appears three times (100 certificate-expired each);
	// mail.ru and no_ip_and_mx count 5 policy fetch errors.
	if got := all.ByResultType[ResultTypeCertificateExpired]; got != 300 {
		t.Errorf("certificate-expired %d, want 300", got)
	}
	if got := all.ByResultType[ResultTypeSTSPolicyFetchError]; got != 5 {
		t.Errorf("sts-policy-fetch-error %d, want 5", got)
	}
	if got := all.ByPolicyDomain["company-y.example"]; got == nil || got.Successful != 3*5326 {
		t.Errorf("company-y.example %+v", got)
	}
	if got := all.ByDay["2016-04-01"]; got == nil || got.Failure != 3*303 {
		t.Errorf("2016-04-01 %+v", got)
	}
	if got := all.ByMXHost["mx1.mail.company-y.example"]; got != 300 {
		t.Errorf("mx1 %d", got)
	}
	a.Merge(&b)
	if d := cmp.Diff(all, a); d != "" {
		t.Fatalf("Merge differs from adding all (-all +merged)\n%s", d)
	}
}

// TestSummarySaturates: counts stop at 2^64-1.
func TestSummarySaturates(t *testing.T) {
	r := &Report{Policies: []PolicyResult{{Summary: SessionCounts{1<<64 - 1, 1}}}}
	var s Summary
	s.Add(r)
	s.Add(r)
	if s.Total.Successful != 1<<64-1 || s.Total.Failure != 2 {
		t.Fatalf("%+v", s.Total)
	}
}

// TestSummaryBySignature: emailed reports are counted per DKIM verdict
// (RFC 8460 §3), reports not sent by email are not, and Merge adds the
// counts up.
func TestSummaryBySignature(t *testing.T) {
	signed, z := signedReport(t, "mail.company-x.example", false)
	forged, _ := signedReport(t, "other.example", false)
	decode := func(dec *Decoder, msg string) *Report {
		t.Helper()
		r, err := dec.Decode(context.Background(), strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	verifying := &Decoder{Resolver: z}
	reports := []*Report{
		decode(verifying, signed),      // pass
		decode(verifying, forged),      // fail: not the reporter's signature
		decode(verifying, signed),      // pass
		decode(&Decoder{}, signed),     // no resolver: unverified
		decode(&Decoder{}, rfcExample), // JSON: not emailed
	}
	var all, a, b Summary
	for i, r := range reports {
		all.Add(r)
		if i%2 == 0 {
			a.Add(r)
		} else {
			b.Add(r)
		}
	}
	want := map[string]int{"pass": 2, "fail": 1, "unverified": 1}
	if d := cmp.Diff(want, all.BySignature); d != "" {
		t.Errorf("BySignature (-want +got)\n%s", d)
	}
	if all.Unverified != 2 {
		t.Errorf("Unverified = %d, want 2", all.Unverified)
	}
	a.Merge(&b)
	if d := cmp.Diff(all, a); d != "" {
		t.Errorf("Merge differs from adding all (-all +merged)\n%s", d)
	}
}
