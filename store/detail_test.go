package store

import (
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/domainauth/domainauth/report"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// agree checks that parseDetail reads s as encoding/json does, when it
// reads it at all; shape says whether it must.
func agree(t *testing.T, s string, must bool) {
	t.Helper()
	var fast, slow report.Record
	err := parseDetail(s, &fast)
	if err != nil {
		if must {
			t.Fatalf("parseDetail(%q): %v", s, err)
		}
		return
	}
	if err := json.Unmarshal([]byte(s), &slow); err != nil {
		t.Fatalf("parseDetail accepted %q, which encoding/json refuses: %v", s, err)
	}
	if diff := cmp.Diff(slow, fast, cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Addr{})); diff != "" {
		t.Fatalf("%q read differently (-encoding/json +parseDetail):\n%s", s, diff)
	}
}

// TestDetailRoundTrip: every record of the shared samples, written by
// appendDetail, reads back the same with parseDetail and encoding/json.
func TestDetailRoundTrip(t *testing.T) {
	n := 0
	for _, a := range conformanceReports(t) {
		for i := range a.Records {
			r := a.Records[i]
			s := string(appendDetail(nil, &r))
			agree(t, s, true)
			var back report.Record
			if err := parseDetail(s, &back); err != nil {
				t.Fatal(err)
			}
			back.Row.SourceIP, back.Row.Count = r.Row.SourceIP, r.Row.Count
			if diff := cmp.Diff(r, back, cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Addr{})); diff != "" {
				t.Fatalf("record %d of %s does not round-trip:\n%s", i, a.Metadata.ReportID, diff)
			}
			n++
		}
	}
	if n < 100 {
		t.Fatalf("only %d records", n)
	}
	for _, tc := range []struct {
		name, in string
	}{
		{"escapes", `{"row":{"policy_evaluated":{"disposition":"no\"ne","dkim":"p\u00e4ss","spf":"\\"}},"identifiers":{"header_from":"a\nb"},"auth_results":{}}`},
		{"empty", `{}`},
		{"unknown key", `{"row":{"x":"y"}}`},
		{"number", `{"row":{"policy_evaluated":{"disposition":1}}}`},
		{"trailing", `{"identifiers":{"header_from":"a"}} x`},
		{"cut", `{"identifiers":{"header_from":"a`},
		{"invalid UTF-8", "{\"identifiers\":{\"header_from\":\"\xff\"}}"},
		{"control", "{\"identifiers\":{\"header_from\":\"\x01\"}}"},
	} {
		t.Run(tc.name, func(t *testing.T) { agree(t, tc.in, false) })
	}
}

// FuzzDetail: parseDetail never disagrees with encoding/json, and reads
// back whatever appendDetail writes.
func FuzzDetail(f *testing.F) {
	f.Add("none", "example.com", "s1", "pass", "a\"b\x00\xff", `{"row":{}}`)
	f.Fuzz(func(t *testing.T, disp, domain, sel, res, comment, raw string) {
		r := report.Record{}
		r.Row.PolicyEvaluated = report.PolicyEvaluated{Disposition: report.Disposition(disp), DKIM: report.DMARCResult(res),
			Reasons: []report.PolicyOverrideReason{{Type: report.OverrideType(sel), Comment: comment}}}
		r.Identifiers.HeaderFrom = domain
		r.AuthResults.DKIM = []report.DKIMAuthResult{{Domain: domain, Selector: sel, Result: report.DKIMResult(res), HumanResult: comment}}
		r.AuthResults.SPF = []report.SPFAuthResult{{Domain: comment, Result: report.SPFResult(res)}}
		r.Extensions = []string{raw}
		agree(t, string(appendDetail(nil, &r)), true)
		agree(t, raw, false)
	})
}
