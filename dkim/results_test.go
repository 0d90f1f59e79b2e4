package dkim

import (
	"errors"
	"testing"
)

func TestAuthResult(t *testing.T) {
	sig := &Signature{bRaw: "ab/+\r\n\tcdefghij"}
	tests := []struct {
		v    Verification
		want string
	}{
		{Verification{Status: StatusPass, Domain: "example.org", Selector: "sel", Identity: "@example.org", Signature: sig},
			`dkim=pass header.d=example.org header.s=sel header.i=@example.org header.b="ab/+cdef"`},
		{Verification{Status: StatusFail, Err: ErrBodyHash, Domain: "example.org", Selector: "sel", Identity: "joe@example.org"},
			`dkim=fail reason="body hash does not match" header.d=example.org header.s=sel header.i=joe@example.org`},
		{Verification{Status: StatusPermError, Err: errors.New(`odd "quote"`), Domain: "example.org", Identity: "a b@example.org"},
			`dkim=permerror reason="odd \"quote\"" header.d=example.org header.i="a b@example.org"`},
		{Verification{Status: StatusTempError}, `dkim=temperror`},
	}
	for _, tt := range tests {
		if got := tt.v.AuthResult(); got != tt.want {
			t.Errorf("AuthResult = %s\nwant %s", got, tt.want)
		}
	}
	if got := AuthResults([]Verification{tests[3].v, tests[3].v}); got != "dkim=temperror; dkim=temperror" {
		t.Errorf("AuthResults = %q", got)
	}
}
