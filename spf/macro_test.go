package spf

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/zone"
)

func testEval(c *Checker, ip, local, domain, helo string) *eval {
	e := &eval{}
	e.start(context.Background(), c, Input{IP: netip.MustParseAddr(ip), HELO: helo}, local, domain)
	return e
}

// TestMacroRFCExamples runs the expansion examples of RFC 7208 §7.4.
func TestMacroRFCExamples(t *testing.T) {
	c := &Checker{Resolver: zone.New()}
	e4 := testEval(c, "192.0.2.3", "strong-bad", "email.example.com", "mx.example.org")
	e6 := testEval(c, "2001:db8::cb01", "strong-bad", "email.example.com", "mx.example.org")
	tests := []struct {
		e        *eval
		in, want string
	}{
		{e4, "%{s}", "strong-bad@email.example.com"},
		{e4, "%{o}", "email.example.com"},
		{e4, "%{d}", "email.example.com"},
		{e4, "%{d4}", "email.example.com"},
		{e4, "%{d3}", "email.example.com"},
		{e4, "%{d2}", "example.com"},
		{e4, "%{d1}", "com"},
		{e4, "%{dr}", "com.example.email"},
		{e4, "%{d2r}", "example.email"},
		{e4, "%{l}", "strong-bad"},
		{e4, "%{l-}", "strong.bad"},
		{e4, "%{lr}", "strong-bad"},
		{e4, "%{lr-}", "bad.strong"},
		{e4, "%{l1r-}", "strong"},
		{e4, "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
		{e4, "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
		{e4, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		{e4, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		{e4, "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
		{e6, "%{ir}.%{v}._spf.%{d2}", "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"},
	}
	for _, tt := range tests {
		if got := string(tt.e.expand(nil, tt.in, "email.example.com", false)); got != tt.want {
			t.Errorf("%s (ip %v) = %q, want %q", tt.in, tt.e.ip, got, tt.want)
		}
	}
}

// TestMacroLetters covers every letter (§7.2), both cases (§7.3 URL
// escaping), every transformer and the escapes %% %_ %-.
func TestMacroLetters(t *testing.T) {
	z := zone.New()
	z.AddPTR("10.2.0.192.in-addr.arpa", "mail.example.com")
	z.AddPTR("10.2.0.192.in-addr.arpa", "other.example.net")
	z.AddA("mail.example.com", "192.0.2.10")
	z.AddA("other.example.net", "192.0.2.10")
	clock := domainauth.FixedClock(time.Unix(1700000000, 0))
	c := &Checker{Resolver: z, Clock: clock, Receiver: "mx.receiver.example"}
	e := testEval(c, "192.0.2.10", "Jack+Jill=up", "Example.com", "helo.example.org")
	e6 := testEval(&Checker{Resolver: z}, "2001:db8::1", "u", "example.com", "[2001:db8::1]")
	tests := []struct {
		name, in, want string
		e              *eval
		exp            bool
	}{
		{"s", "%{s}", "Jack+Jill=up@Example.com", e, false},
		{"S escaped", "%{S}", "Jack%2BJill%3Dup%40Example.com", e, false},
		{"l", "%{l}", "Jack+Jill=up", e, false},
		{"L escaped", "%{L}", "Jack%2BJill%3Dup", e, false},
		{"o", "%{o}", "Example.com", e, false},
		{"d is the current domain", "%{d}", "sub.example.com", e, false},
		{"i ip4", "%{i}", "192.0.2.10", e, false},
		{"i ip6", "%{i}", "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1", e6, false},
		{"v ip4", "%{v}", "in-addr", e, false},
		{"v ip6", "%{v}", "ip6", e6, false},
		{"h", "%{h}", "helo.example.org", e, false},
		{"H escaped", "%{H}", "%5B2001%3Adb8%3A%3A1%5D", e6, false},
		{"p prefers a subdomain of the domain", "%{p}", "mail.example.com", e, false},
		{"p unknown", "%{p}", "unknown", e6, false},
		{"c ip4", "%{c}", "192.0.2.10", e, true},
		{"c ip6", "%{c}", "2001:db8::1", e6, true},
		{"r", "%{r}", "mx.receiver.example", e, true},
		{"r unknown", "%{r}", "unknown", e6, true},
		{"t", "%{t}", "1700000000", e, true},
		{"t transformed", "%{t1}", "1700000000", e, true},
		{"digits larger than parts", "%{d9}", "sub.example.com", e, false},
		{"digits 127", "%{d127}", "sub.example.com", e, false},
		{"reverse", "%{dr}", "com.example.sub", e, false},
		{"reverse upper R", "%{dR}", "com.example.sub", e, false},
		{"digits and reverse", "%{d1r}", "sub", e, false},
		{"delimiter", "%{l=}", "Jack+Jill.up", e, false},
		{"several delimiters", "%{l+=}", "Jack.Jill.up", e, false},
		{"delimiters reverse", "%{lr+=}", "up.Jill.Jack", e, false},
		{"delimiters digits", "%{l2+=}", "Jill.up", e, false},
		{"escaped transformed", "%{L2r+}", "Jill%3Dup.Jack", e, false},
		{"percent", "%%", "%", e, false},
		{"underscore is space", "a%_b", "a b", e, false},
		{"dash is %20", "a%-b", "a%20b", e, false},
		{"literal", "_spf.example.com", "_spf.example.com", e, false},
		{"empty parts kept", "%{l3.}", "a..b", testEval(c, "192.0.2.10", "x.a..b", "example.com", "h"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if off, msg := scanMacroString(tt.in, tt.exp); msg != "" {
				t.Fatalf("scan %q: %d %s", tt.in, off, msg)
			}
			if got := string(tt.e.expand(nil, tt.in, "sub.example.com", tt.exp)); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMacroSyntax(t *testing.T) {
	valid := []string{"", "%{d}", "%{D2r.-+,/_=}", "%%%_%-", "a%{l}b", "%{i}._spf.%{d}"}
	for _, s := range valid {
		if _, msg := scanMacroString(s, false); msg != "" {
			t.Errorf("scan %q: %s", s, msg)
		}
	}
	invalid := []string{"%", "%x", "%{", "%{}", "%{x}", "%{d0}", "%{d2r:}", "%{c}", "%{r}", "%{t}", "a b", "\x7f"}
	for _, s := range invalid {
		if _, msg := scanMacroString(s, false); msg == "" {
			t.Errorf("scan %q: no error", s)
		}
	}
	// explain-string: SP and c, r, t allowed.
	for _, s := range []string{"Connections from %{c} at %{t} via %{r} not authorized.", "a  b"} {
		if _, msg := scanMacroString(s, true); msg != "" {
			t.Errorf("scan exp %q: %s", s, msg)
		}
	}
	for s, want := range map[string]bool{"%{d}": true, "x.%{d}": true, "%%": true, "a.%{d}.com": false, "": false, "x.com": false, "%{d}%%x": false} {
		if got := endsWithMacro(s); got != want {
			t.Errorf("endsWithMacro(%q) = %v", s, got)
		}
	}
}

// TestTruncateDomain checks RFC 7208 §7.3: labels are removed from the
// left until the name fits in 253 octets.
func TestTruncateDomain(t *testing.T) {
	long := ""
	for len(long) < 300 {
		long += "abcdefghi."
	}
	long += "example.com"
	got := truncateDomain(long)
	if len(got) > 253 || len(got) < 243 || got[len(got)-11:] != "example.com" {
		t.Errorf("truncateDomain: %d %q", len(got), got)
	}
	if got := truncateDomain("example.com."); got != "example.com" {
		t.Errorf("trailing dot: %q", got)
	}
}
