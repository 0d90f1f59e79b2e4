package audit_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/dkim"
)

func TestSafeText(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"OneLine folds lines", audit.OneLine(" a\r\n b \nc "), "a; b; c"},
		{"SafeLine folds", audit.SafeLine("a\nb"), "a; b"},
		{"SafeHeader keeps printable ASCII", audit.SafeHeader(`spf=pass smtp.mailfrom="a\"b"`), `spf=pass smtp.mailfrom="a\"b"`},
		{"ErrString of nil", audit.ErrString(nil), ""},
		{"ErrString of an error", audit.ErrString(errors.New("x")), "x"},
		{"DKIMAuthResult", audit.DKIMAuthResult(dkim.Verification{Status: dkim.StatusPermError, Domain: "example.org", Selector: "s1"}), "dkim=permerror header.d=example.org header.s=s1"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
	if strings.Contains(audit.SafeHeader("a\x1b[2J"), "\x1b") || strings.Contains(audit.SafeLine("a\x1b"), "\x1b") {
		t.Error("a raw escape survived")
	}
}
