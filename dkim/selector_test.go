package dkim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/zone"
)

func TestCheckSelector(t *testing.T) {
	_, ed, err := dkim.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, rsa1024, err := dkim.GenerateRSAKey(nil, 1024)
	if err != nil {
		t.Fatal(err)
	}
	z := zone.New()
	z.AddTXT("good._domainkey.example.org", ed.String())
	z.AddTXT("weak._domainkey.example.org", rsa1024.String())
	z.AddTXT("test._domainkey.example.org", ed.String()+"; t=y")
	z.AddTXT("revoked._domainkey.example.org", "v=DKIM1; k=rsa; p=")
	z.AddTXT("bad._domainkey.example.org", "v=DKIM1; k=rsa; p=!!!")
	z.AddTXT("two._domainkey.example.org", ed.String())
	z.AddTXT("two._domainkey.example.org", rsa1024.String())
	z.AddCNAME("ses._domainkey.example.org", "ses.dkim.amazonses.com")
	z.AddTXT("fail._domainkey.example.org", ed.String())
	z.SetFault("fail._domainkey.example.org", zone.TypeTXT, zone.FaultServFail)
	tests := []struct {
		name, selector string
		codes          []string
		summary        string
	}{
		{"usable Ed25519 key", "good", nil, "ed25519 key, 256 bits"},
		{"1024-bit RSA is weak (RFC 8301 §3.2)", "weak", []string{dkim.FindingKeyWeak}, "rsa key, 1024 bits"},
		{"testing flag (RFC 6376 §3.6.1)", "test", []string{dkim.FindingKeyTesting}, "ed25519 key, 256 bits, testing (t=y)"},
		{"revoked key, empty p=", "revoked", []string{dkim.FindingKeyRevoked}, "rsa key"},
		{"unparsable record", "bad", []string{dkim.FindingKeySyntax}, "no usable key"},
		{"two records (RFC 6376 §3.6.2.2)", "two", []string{dkim.FindingSelectorMultipleKeys}, "key"},
		{"no record", "none", []string{dkim.FindingSelectorNoKey}, "no usable key"},
		{"CNAME to a missing key", "ses", []string{dkim.FindingSelectorNoKey}, "CNAME ses.dkim.amazonses.com; no key record at the target"},
		{"temporary failure", "fail", []string{dkim.FindingSelectorLookupFailed}, "no usable key"},
		{"invalid selector name", "a..b", []string{dkim.FindingSelectorInvalid}, "no usable key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := dkim.CheckSelector(context.Background(), z, "example.org", tt.selector)
			var codes []string
			for _, f := range k.Findings {
				codes = append(codes, f.Code)
				if f.Where != k.Name+" TXT" {
					t.Errorf("finding %s: Where = %q, want %q", f.Code, f.Where, k.Name+" TXT")
				}
			}
			if strings.Join(codes, " ") != strings.Join(tt.codes, " ") {
				t.Errorf("codes = %v, want %v", codes, tt.codes)
			}
			if !strings.Contains(k.Summary(), tt.summary) {
				t.Errorf("Summary() = %q, want it to contain %q", k.Summary(), tt.summary)
			}
			if (k.Err != nil) != (tt.selector == "fail") {
				t.Errorf("Err = %v", k.Err)
			}
		})
	}
}
