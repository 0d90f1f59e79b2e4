package dkim

import (
	"errors"
	"testing"
)

func TestAuthResult(t *testing.T) {
	sig := &Signature{bRaw: "ab/+\r\n\tcdefghij"}
	tests := []struct {
		name string
		v    Verification
		want string
	}{
		{"pass", Verification{Status: StatusPass, Domain: "example.org", Selector: "sel", Identity: "@example.org", Signature: sig},
			`dkim=pass header.d=example.org header.i=@example.org header.s=sel header.b="ab/+cdef"`},
		{"fail with reason", Verification{Status: StatusFail, Err: ErrBodyHash, Domain: "example.org", Selector: "sel", Identity: "joe@example.org"},
			`dkim=fail reason="body hash does not match" header.d=example.org header.i=joe@example.org header.s=sel`},
		{"permerror, quoted values", Verification{Status: StatusPermError, Err: errors.New(`odd "quote"`), Domain: "example.org", Identity: "a b@example.org"},
			`dkim=permerror reason="odd \"quote\"" header.d=example.org header.i="a b@example.org"`},
		{"reason without the package prefix", Verification{Status: StatusTempError, Err: errors.New("dkim: key lookup failed")}, `dkim=temperror reason="key lookup failed"`},
		{"unprintable property left out", Verification{Status: StatusFail, Domain: "example.org", Identity: "a\x01@example.org"}, `dkim=fail header.d=example.org`},
		{"temperror", Verification{Status: StatusTempError}, `dkim=temperror`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.AuthResult().String(); got != tt.want {
				t.Errorf("AuthResult = %s\nwant %s", got, tt.want)
			}
		})
	}
	last := tests[len(tests)-1].v
	if got := joinResults(AuthResults([]Verification{last, last})); got != "dkim=temperror; dkim=temperror" {
		t.Errorf("AuthResults = %q", got)
	}
}
