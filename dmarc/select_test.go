package dmarc

import (
	"context"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

// TestSelectRecordAgreesWithLintDomain: the finding SelectRecord gives for
// the TXT records at _dmarc.<domain> carries the code, severity and place
// LintDomain gives the same defect, so that ses, which calls SelectRecord,
// reports it as the dmarc lint does (RFC 9989 §4.7, §4.10).
func TestSelectRecordAgreesWithLintDomain(t *testing.T) {
	tests := []struct {
		name string
		txts []string
		code string // "" for a usable record
	}{
		{"one record", []string{"v=DMARC1; p=reject", "v=spf1 -all"}, ""},
		{"none (§4.7)", []string{"v=spf1 -all"}, FindingNoRecord},
		{"nothing at all", nil, FindingNoRecord},
		{"two records (§4.10)", []string{"v=DMARC1; p=reject", "v=DMARC1; p=none"}, FindingMultipleRecords},
		{"missing ';' after v=DMARC1 (§4.7)", []string{"v=DMARC1 p=reject"}, FindingSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, f := SelectRecord("_dmarc.example.org", tt.txts)
			if tt.code == "" {
				if rec == nil || f != nil {
					t.Fatalf("SelectRecord(%q) = %v, %v; want a record", tt.txts, rec, f)
				}
				return
			}
			if rec != nil || f == nil || f.Code != tt.code || f.Where != "_dmarc.example.org" {
				t.Fatalf("SelectRecord(%q) = %v, %+v; want %s at _dmarc.example.org", tt.txts, rec, f, tt.code)
			}
			z := zone.New()
			for _, txt := range tt.txts {
				z.AddTXT("_dmarc.example.org", txt)
			}
			z.AddTXT("example.org", "v=spf1 -all")
			for _, g := range (&Checker{Resolver: z}).LintDomain(context.Background(), "example.org") {
				if g.Code == f.Code {
					if g.Severity != f.Severity || g.Where != f.Where {
						t.Errorf("SelectRecord %+v\nLintDomain   %+v", *f, g)
					}
					return
				}
			}
			t.Errorf("LintDomain does not report %s", f.Code)
		})
	}
}
