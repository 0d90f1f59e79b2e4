package spf

import (
	"context"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

// TestSelectRecordAgreesWithLinter: the finding SelectRecord gives for a
// set of TXT records is the one the Linter gives at that name, so that mx
// and ses, which call SelectRecord, report a defect with the same code and
// text as the SPF lint (RFC 7208 §4.5, §4.6).
func TestSelectRecordAgreesWithLinter(t *testing.T) {
	tests := []struct {
		name string
		txts []string
		code string // "" for a usable record
	}{
		{"one record", []string{"v=spf1 -all", "google-site-verification=x"}, ""},
		{"none (§4.5)", []string{"google-site-verification=x"}, FindingNoRecord},
		{"nothing at all (§4.5)", nil, FindingNoRecord},
		{"two records (§4.5)", []string{"v=spf1 -all", "V=SPF1 ~all"}, FindingMultipleRecords},
		{"does not parse (§4.6)", []string{"v=spf1 ip4:192.0.2.0/33 -all"}, FindingSyntax},
		{"v=spf10 is not SPF (§4.5)", []string{"v=spf10 -all"}, FindingNoRecord},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, f := SelectRecord("mail.example.org", tt.txts)
			if tt.code == "" {
				if rec == nil || f != nil {
					t.Fatalf("SelectRecord(%q) = %v, %v; want a record", tt.txts, rec, f)
				}
				return
			}
			if rec != nil || f == nil || f.Code != tt.code || f.Where != "mail.example.org" {
				t.Fatalf("SelectRecord(%q) = %v, %+v; want %s at mail.example.org", tt.txts, rec, f, tt.code)
			}
			z := zone.New()
			for _, txt := range tt.txts {
				z.AddTXT("mail.example.org", txt)
			}
			lint := (&Linter{Resolver: z}).Lint(context.Background(), "mail.example.org")
			for _, g := range lint.Findings {
				if g.Code == f.Code {
					if g != *f {
						t.Errorf("SelectRecord %+v\nLinter       %+v", *f, g)
					}
					return
				}
			}
			t.Errorf("the Linter does not report %s: %v", f.Code, lint.Findings)
		})
	}
}
