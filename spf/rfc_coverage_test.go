package spf

// RFC 7208 requirement coverage: see the table in the comment below.

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

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

// rfcZone holds the records of TestRFCCheckHost.
func rfcZone() *zone.Zone {
	z := zone.New()
	z.AddA("hit.example.com", "192.0.2.1")
	z.AddA("miss.example.com", "198.51.100.1")
	z.AddTXT("pass.example.com", "v=spf1 +all")
	// §2.4, §4.1: <sender> (and so %{l} %{o}) stays the same through
	// include and redirect, <domain> (%{d}) changes.
	z.AddTXT("helo.example.org", "v=spf1 exists:%{l}.%{o}.s.example.net -all")
	z.AddA("postmaster.helo.example.org.s.example.net", "127.0.0.2")
	z.AddTXT("sender.example.com", "v=spf1 include:inc.example.net -all")
	z.AddTXT("redir-sender.example.com", "v=spf1 redirect=inc.example.net")
	z.AddTXT("inc.example.net", "v=spf1 exists:%{l}.%{o}.%{d}.s.example.net -all")
	z.AddA("alice.sender.example.com.inc.example.net.s.example.net", "127.0.0.2")
	z.AddA("alice.redir-sender.example.com.inc.example.net.s.example.net", "127.0.0.2")
	// §4.3: internationalized names are queried as A-labels.
	z.AddTXT("xn--bcher-kva.example", "v=spf1 ip4:192.0.2.0/24 -all")
	// §4.4: a TXT lookup that fails gives temperror.
	z.AddTXT("servfail.example.com", "v=spf1 +all")
	z.SetFault("servfail.example.com", zone.TypeTXT, zone.FaultServFail)
	// §4.6.4: exp is not a DNS-querying term.
	z.AddTXT("exp10.example.com", "v=spf1 "+repeat("a:miss.example.com", 10)+" -all exp=why.example.com")
	z.AddTXT("why.example.com", "Not %{d}'s server")
	// §5: a DNS error while looking up MX names or their addresses is
	// temperror.
	z.AddTXT("mx-servfail.example.com", "v=spf1 mx:mxfault.example.com -all")
	z.SetFault("mxfault.example.com", zone.TypeMX, zone.FaultServFail)
	z.AddTXT("mxhost-servfail.example.com", "v=spf1 mx -all")
	z.AddMX("mxhost-servfail.example.com", 10, "broken.example.com")
	z.SetFault("broken.example.com", zone.TypeA, zone.FaultServFail)
	// §5.1: mechanisms after all, and redirect beside all, are ignored.
	z.AddTXT("after-all.example.com", "v=spf1 -all include:nx.example.com a:%{l}.example.com")
	z.AddTXT("redirect-all.example.com", "v=spf1 redirect=pass.example.com ~all")
	// §5.5: a PTR lookup error means no match; an address lookup error
	// skips that name.
	z.AddTXT("ptr.example.com", "v=spf1 ptr -all")
	z.AddPTR("1.2.0.192.in-addr.arpa", "bad.ptr.example.com")
	z.AddPTR("1.2.0.192.in-addr.arpa", "good.ptr.example.com")
	z.SetFault("bad.ptr.example.com", zone.TypeA, zone.FaultServFail)
	z.AddA("good.ptr.example.com", "192.0.2.1")
	z.SetFault("2.2.0.192.in-addr.arpa", zone.TypePTR, zone.FaultServFail)
	// §5.6: no prefix length means /32 and /128.
	z.AddTXT("host-ip.example.com", "v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 -all")
	// §6: unknown modifiers are ignored wherever and however often.
	z.AddTXT("mods.example.com", "v=spf1 foo=1 ip4:192.0.2.0/24 foo=2 bar=%{d} -all baz=%{l}")
	// §6.1: a redirect target that is not a valid name is permerror.
	z.AddTXT("redirect-bad.example.com", "v=spf1 redirect=%{l}.example.com")
	// §6.2: the explanation's strings are joined without spaces.
	z.AddTXT("exp-split.example.com", "v=spf1 -all exp=split.example.com")
	z.AddTXTStrings("split.example.com", "Not ", "per", "mitted")
	// §7.3, §11.5.3: hostile sender text in a macro target.
	z.AddTXT("hostile.example.com", "v=spf1 exists:%{l}.x.example.com -all")
	return z
}

// TestRFCCheckHost covers check_host() requirements of RFC 7208 that the
// suite and the other tables leave out (see the coverage table). Each case
// runs sequentially and with prefetching.
func TestRFCCheckHost(t *testing.T) {
	z := rfcZone()
	ip2 := netip.MustParseAddr("192.0.2.2")
	tests := []struct {
		name    string
		in      Input
		want    Code
		err     error
		lookups int
		exp     string
	}{
		{"§2.4 null reverse-path: postmaster@HELO, %{l} is postmaster", Input{IP: ip1, HELO: "helo.example.org"}, Pass, nil, 1, ""},
		{"§4.1 %{l} %{o} unchanged and %{d} changed through include", from(ip1, "alice@sender.example.com"), Pass, nil, 2, ""},
		{"§4.1 %{l} %{o} unchanged and %{d} changed through redirect", from(ip1, "alice@redir-sender.example.com"), Pass, nil, 2, ""},
		{"§4.3 IDN domain queried as A-labels", from(ip1, "a@b\u00fccher.example"), Pass, nil, 0, ""},
		{"§4.3 IDN HELO for the null reverse-path", Input{IP: ip1, HELO: "B\u00dcCHER.example"}, Pass, nil, 0, ""},
		{"§4.4 TXT SERVFAIL is temperror", from(ip1, "a@servfail.example.com"), TempError, ErrDNS, 0, ""},
		{"§4.6.4 exp is not a DNS-querying term", from(ip1, "a@exp10.example.com"), Fail, nil, 10, "Not exp10.example.com's server"},
		{"§5 MX lookup SERVFAIL is temperror", from(ip1, "a@mx-servfail.example.com"), TempError, ErrDNS, 1, ""},
		{"§5 MX host address SERVFAIL is temperror", from(ip1, "a@mxhost-servfail.example.com"), TempError, ErrDNS, 1, ""},
		{"§5.1 mechanisms after all are ignored", from(ip1, "a@after-all.example.com"), Fail, nil, 0, ""},
		{"§5.1 §6.1 redirect ignored beside all, before it", from(ip1, "a@redirect-all.example.com"), SoftFail, nil, 0, ""},
		{"§5.5 address lookup error skips that PTR name, the next validates", from(ip1, "a@ptr.example.com"), Pass, nil, 1, ""},
		{"§5.5 PTR lookup error is no match, not temperror", from(ip2, "a@ptr.example.com"), Fail, nil, 1, ""},
		{"§5.6 ip4 without length is /32: exact", from(ip1, "a@host-ip.example.com"), Pass, nil, 0, ""},
		{"§5.6 ip4 without length is /32: neighbour", from(ip2, "a@host-ip.example.com"), Fail, nil, 0, ""},
		{"§5.6 ip6 without length is /128: exact", from(netip.MustParseAddr("2001:db8::1"), "a@host-ip.example.com"), Pass, nil, 0, ""},
		{"§5.6 ip6 without length is /128: neighbour", from(netip.MustParseAddr("2001:db8::2"), "a@host-ip.example.com"), Fail, nil, 0, ""},
		{"§6 unknown modifiers ignored anywhere, repeated", from(ip1, "a@mods.example.com"), Pass, nil, 0, ""},
		{"§6.1 malformed redirect target is permerror", from(ip1, strings.Repeat("x", 64)+"@redirect-bad.example.com"), PermError, ErrInvalidTarget, 0, ""},
		{"§6.2 explanation strings joined without spaces", from(ip1, "a@exp-split.example.com"), Fail, nil, 0, "Not permitted"},
		{"§7.3 §11.5.3 spaces and punctuation from the sender", from(ip1, "a b%c\"d@hostile.example.com"), Fail, nil, 1, ""},
		{"§4.8 §11.5.3 a 64-byte label from the sender is permerror", from(ip1, strings.Repeat("x", 64)+"@hostile.example.com"), PermError, ErrInvalidTarget, 1, ""},
		{"§4.8 §11.5.3 an empty label from the sender is permerror", from(ip1, "a..b@hostile.example.com"), PermError, ErrInvalidTarget, 1, ""},
		{"§7.3 §11.5.3 a 300-byte label is truncated away (253 octets)", from(ip1, strings.Repeat("x", 300)+"@hostile.example.com"), Fail, nil, 1, ""},
		{"§7.3 §11.5.3 a local-part of 150 labels is truncated to 253 octets", from(ip1, strings.Repeat("x.", 149)+"x@hostile.example.com"), Fail, nil, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, pf := range []bool{false, true} {
				r := (&Checker{Resolver: z, Prefetch: pf}).Check(context.Background(), tt.in)
				if r.Code != tt.want || !errors.Is(r.Err, tt.err) || (tt.err == nil) != (r.Err == nil) {
					t.Errorf("prefetch %v: got %v (%v), want %v (%v)", pf, r.Code, r.Err, tt.want, tt.err)
				}
				if r.Lookups != tt.lookups || r.Explanation != tt.exp {
					t.Errorf("prefetch %v: lookups %d explanation %q, want %d %q", pf, r.Lookups, r.Explanation, tt.lookups, tt.exp)
				}
			}
		})
	}
}

// TestRFCAddressQueryLimits: RFC 7208 §4.6.4 — evaluating one MX or PTR
// answer MUST NOT query more than 10 address records: an mx target with
// 11 names is permerror before any address query, and only the first 10
// PTR names are validated. §5.4: no implicit MX (no address query for a
// target without MX records).
func TestRFCAddressQueryLimits(t *testing.T) {
	z := zone.New()
	for i := range 11 {
		host := fmt.Sprintf("mx%d.example.com", i)
		z.AddA(host, "198.51.100.1")
		z.AddMX("mx11.example.com", uint16(i), host)
		z.AddPTR("1.2.0.192.in-addr.arpa", fmt.Sprintf("p%d.example.net", i))
		z.AddA(fmt.Sprintf("p%d.example.net", i), "198.51.100.1")
	}
	z.AddA("nomx.example.com", "192.0.2.1")
	z.AddTXT("mx.example.com", "v=spf1 mx:mx11.example.com -all")
	z.AddTXT("ptr.example.com", "v=spf1 ptr:example.org -all")
	z.AddTXT("implicit.example.com", "v=spf1 mx:nomx.example.com -all")
	for _, tt := range []struct {
		domain   string
		want     Code
		maxAddrs int
	}{
		{"mx.example.com", PermError, 0},
		{"ptr.example.com", Fail, 10},
		{"implicit.example.com", Fail, 0},
	} {
		for _, pf := range []bool{false, true} {
			cr := &countingResolver{z: z}
			r := (&Checker{Resolver: cr, Prefetch: pf}).Check(context.Background(), from(ip1, "a@"+tt.domain))
			addrs := 0
			for q, n := range cr.n {
				if strings.HasPrefix(q, "ip4 ") || strings.HasPrefix(q, "ip6 ") {
					addrs += n
				}
			}
			if r.Code != tt.want || addrs > tt.maxAddrs {
				t.Errorf("%s prefetch %v: %v with %d address queries, want %v with at most %d: %v", tt.domain, pf, r.Code, addrs, tt.want, tt.maxAddrs, cr.n)
			}
		}
	}
}

// TestRFCTimeLimit: RFC 7208 §4.6.4 — the elapsed-time limit SHOULD allow
// at least 20 seconds (the default) and, when exceeded, SHOULD give
// temperror (TestCancel checks the temperror).
func TestRFCTimeLimit(t *testing.T) {
	for cfg, want := range map[time.Duration]time.Duration{0: 20 * time.Second, time.Minute: time.Minute, -1: -1} {
		if e := testEval(&Checker{Resolver: zone.New(), Timeout: cfg}, "192.0.2.1", "a", "example.com", "h"); e.timeout != want {
			t.Errorf("Timeout %v: evaluation limit %v, want %v", cfg, e.timeout, want)
		}
	}
}

// TestRFCValidatedNamePreference: RFC 7208 §7.3 — %{p} SHOULD be <domain>
// itself when validated, else a validated subdomain of it, else any
// validated name; "unknown" when none validates.
func TestRFCValidatedNamePreference(t *testing.T) {
	z := zone.New()
	z.AddPTR("1.2.0.192.in-addr.arpa", "other.example.net")
	z.AddPTR("1.2.0.192.in-addr.arpa", "mail.example.com")
	z.AddPTR("1.2.0.192.in-addr.arpa", "example.com")
	z.AddPTR("1.2.0.192.in-addr.arpa", "unvalidated.example.org")
	for _, n := range []string{"other.example.net", "mail.example.com", "example.com"} {
		z.AddA(n, "192.0.2.1")
	}
	z.AddA("unvalidated.example.org", "198.51.100.1")
	c := &Checker{Resolver: z}
	for domain, want := range map[string]string{
		"example.com":      "example.com",
		"mail.example.com": "mail.example.com",
		"x.example.com":    "other.example.net", // none equal or below: any validated name
		"example.org":      "other.example.net", // the unvalidated subdomain is not used
	} {
		e := testEval(c, "192.0.2.1", "a", domain, "h")
		if got := string(e.expand(nil, "%{p}", domain, false)); got != want {
			t.Errorf("%%{p} for %s = %q, want %q", domain, got, want)
		}
	}
	if got := string(testEval(c, "192.0.2.2", "a", "example.com", "h").expand(nil, "%{p}", "example.com", false)); got != "unknown" {
		t.Errorf("%%{p} without PTR = %q, want unknown", got)
	}
}

// TestRFCTimeLimitPTR: RFC 7208 §4.6.4 — running out of time SHOULD give
// temperror. §5.5 makes a DNS error during ptr a non-match, but an
// evaluation whose time or context has run out must not go on to a
// definitive result such as the -all after ptr.
func TestRFCTimeLimitPTR(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 a:s1.example.net a:s2.example.net ptr:example.org -all")
	z.AddTXT("ptronly.example.com", "v=spf1 ptr -all")
	z.AddTXT("fwd.example.com", "v=spf1 ptr:example.org -all")
	z.AddPTR("1.2.0.192.in-addr.arpa", "mail.example.org")
	z.AddA("mail.example.org", "192.0.2.1")
	for _, pf := range []bool{false, true} {
		// Checker.Timeout passes during the second slow a lookup
		// (sequential) or the slow PTR lookup (prefetch, where both a
		// lookups run at once): the PTR lookup or the address lookup
		// validating its name finds no time left.
		slow := &slowResolver{Zone: z, delay: 30 * time.Millisecond, slow: map[string]bool{"s1.example.net": true, "s2.example.net": true, "192.0.2.1": true}}
		r := (&Checker{Resolver: slow, Prefetch: pf, Timeout: 5 * time.Millisecond}).Check(context.Background(), from(ip1, "a@example.com"))
		if r.Code != TempError || !errors.Is(r.Err, ErrCanceled) {
			t.Errorf("prefetch %v: Timeout before ptr: %v %v, want temperror", pf, r.Code, r.Err)
		}
		// ctx ends during the PTR query, then during the address query
		// that validates a PTR name.
		for _, tt := range []struct{ domain, slowName string }{
			{"ptronly.example.com", "192.0.2.1"},
			{"fwd.example.com", "mail.example.org"},
		} {
			slow := &slowResolver{Zone: z, delay: 10 * time.Second, slow: map[string]bool{tt.slowName: true}}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			r := (&Checker{Resolver: slow, Prefetch: pf}).Check(ctx, from(ip1, "a@"+tt.domain))
			cancel()
			if r.Code != TempError || !errors.Is(r.Err, ErrCanceled) {
				t.Errorf("prefetch %v: %s canceled at %s: %v %v, want temperror", pf, tt.domain, tt.slowName, r.Code, r.Err)
			}
		}
	}
}

// TestRFCInitialProcessing: RFC 7208 §4.3 — a malformed <domain> (an empty
// label anywhere but the end, a label over 63 octets, a single label, an
// address literal) gives none at once, without a DNS query; one trailing
// dot is accepted (§7.3: trailing dots MUST be accepted).
func TestRFCInitialProcessing(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 +all")
	for d, want := range map[string]Code{
		"example.com": Pass, "example.com.": Pass, "EXAMPLE.com": Pass,
		"example.com..": None, ".example.com": None, "example..com": None, "com": None, "com.": None, "": None, ".": None,
		"[192.0.2.1]": None, "[IPv6:2001:db8::1]": None, strings.Repeat("a", 64) + ".example.com": None,
	} {
		cr := &countingResolver{z: z}
		r := (&Checker{Resolver: cr}).Check(context.Background(), from(ip1, "a@"+d))
		if r.Code != want || (want == None && cr.total() != 0) {
			t.Errorf("domain %q: %v after %d queries, want %v", d, r.Code, cr.total(), want)
		}
	}
}
