package reportsig

import (
	"testing"

	"github.com/domainauth/domainauth/dkim"
)

func TestCheck(t *testing.T) {
	pass := func(d string) dkim.Verification {
		return dkim.Verification{Status: dkim.StatusPass, Domain: d, BodyLength: -1}
	}
	temp := dkim.Verification{Status: dkim.StatusTempError, Domain: "reporter.example", BodyLength: -1}
	withL := pass("reporter.example")
	withL.BodyLength = 100
	testKey := pass("reporter.example")
	testKey.Testing = true
	failed := pass("reporter.example")
	failed.Status = dkim.StatusFail
	reporters := []string{"mx.reporter.example", "Contact.Example."}

	tests := []struct {
		name       string
		res        []dkim.Verification
		want       Status
		wantSigner string
	}{
		{"no signature", nil, StatusFail, ""},
		{"reporter's domain, case and trailing dot ignored", []dkim.Verification{pass("contact.EXAMPLE")}, StatusPass, "contact.EXAMPLE"},
		{"parent of a reporter's domain", []dkim.Verification{pass("reporter.example")}, StatusPass, "reporter.example"},
		{"the mail host itself", []dkim.Verification{pass("mx.reporter.example")}, StatusPass, "mx.reporter.example"},
		{"top-level domain does not count", []dkim.Verification{pass("example")}, StatusFail, ""},
		{"a child of the reporter does not count", []dkim.Verification{pass("a.mx.reporter.example")}, StatusFail, ""},
		{"another domain does not count", []dkim.Verification{pass("other.example")}, StatusFail, ""},
		{"look-alike suffix does not count", []dkim.Verification{pass("xreporter.example")}, StatusFail, ""},
		{"l= does not count (RFC 8460 §3)", []dkim.Verification{withL}, StatusFail, ""},
		{"testing key does not count", []dkim.Verification{testKey}, StatusFail, ""},
		{"failed signature", []dkim.Verification{failed}, StatusFail, ""},
		{"temporary failure only", []dkim.Verification{temp}, StatusTempError, ""},
		{"temporary failure then a pass", []dkim.Verification{temp, pass("reporter.example")}, StatusPass, "reporter.example"},
		{"a pass by another, then a temporary failure", []dkim.Verification{pass("other.example"), temp}, StatusTempError, ""},
		{"first counting signature wins", []dkim.Verification{withL, pass("mx.reporter.example"), pass("reporter.example")}, StatusPass, "mx.reporter.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, signer := Check(tt.res, reporters)
			if st != tt.want || signer != tt.wantSigner {
				t.Errorf("Check = %v, %q; want %v, %q", st, signer, tt.want, tt.wantSigner)
			}
		})
	}
}
