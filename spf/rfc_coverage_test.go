package spf

// RFC 7208 requirement coverage: see the table in the comment below.

import (
	"testing"

	"github.com/domainauth/domainauth/zone"
)

// TestRFCMacroDigits: RFC 7208 §7.3 — a digit transformer must be nonzero;
// one naming more parts than there are means all of them, however many
// digits it has (it is not an overflow error).
func TestRFCMacroDigits(t *testing.T) {
	for s, ok := range map[string]bool{
		"%{d1}": true, "%{d01}": true, "%{d127}": true,
		"%{d99999999999999999999}": true, "%{d00000000000000000001r}": true,
		"%{d0}": false, "%{d00}": false, "%{d0000000000000000000000}": false,
	} {
		if _, msg := scanMacroString(s, false); (msg == "") != ok {
			t.Errorf("scan %q: %q, want ok=%v", s, msg, ok)
		}
	}
	e := testEval(&Checker{Resolver: zone.New()}, "192.0.2.1", "l", "a.b.example.com", "h")
	for in, want := range map[string]string{
		"%{d99999999999999999999}":  "a.b.example.com",
		"%{d00000000000000000002r}": "b.a",
	} {
		if got := string(e.expand(nil, in, "a.b.example.com", false)); got != want {
			t.Errorf("%s = %q, want %q", in, got, want)
		}
	}
}
