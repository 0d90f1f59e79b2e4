package spf

// RFC 7208 requirement coverage: see the table in the comment below.

import (
	"context"
	"net/netip"
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

// TestRFCExplanationASCII: RFC 7208 §6.2 — the explanation string MUST be
// limited to US-ASCII, also when macros copy sender-supplied bytes (an
// SMTPUTF8 local-part, a control byte in HELO) into it; the default
// explanation likewise.
func TestRFCExplanationASCII(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 -all exp=why.example.com")
	z.AddTXT("why.example.com", "%{l} from %{h} via %{o}")
	z.AddTXT("noexp.example.com", "v=spf1 -all")
	c := &Checker{Resolver: z, DefaultExplanation: "%{s} rejected"}
	ip := netip.MustParseAddr("192.0.2.9")
	for _, tt := range []struct{ from, helo, want string }{
		{"j\u00fcrgen\x01@example.com", "h\x7f\u00e9.example", "j??rgen? from h???.example via example.com"},
		{"j\u00fcrgen@noexp.example.com", "h.example", "j??rgen@noexp.example.com rejected"},
	} {
		for _, pf := range []bool{false, true} {
			c.Prefetch = pf
			r := c.Check(context.Background(), Input{IP: ip, MailFrom: tt.from, HELO: tt.helo})
			if r.Code != Fail || r.Explanation != tt.want {
				t.Errorf("%q prefetch %v: got %v %q, want fail %q", tt.from, pf, r.Code, r.Explanation, tt.want)
			}
		}
	}
}
