package spf

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth/zone"
)

var ip1 = netip.MustParseAddr("192.0.2.1")

func check(t *testing.T, c *Checker, in Input) Result {
	t.Helper()
	return c.Check(context.Background(), in)
}

func from(ip netip.Addr, mailfrom string) Input {
	return Input{IP: ip, MailFrom: mailfrom, HELO: "helo.example.org"}
}

// repeat returns n copies of term joined by spaces.
func repeat(term string, n int) string {
	return strings.TrimSpace(strings.Repeat(term+" ", n))
}

// TestLimits covers RFC 7208 §4.6.4, at and over each limit.
func TestLimits(t *testing.T) {
	z := zone.New()
	z.AddA("hit.example.com", "192.0.2.1")
	z.AddA("miss.example.com", "198.51.100.1")
	// 10 DNS-querying terms, the 10th matching: pass; 11: permerror.
	z.AddTXT("at10.example.com", "v=spf1 "+repeat("a:miss.example.com", 9)+" a:hit.example.com -all")
	z.AddTXT("over10.example.com", "v=spf1 "+repeat("a:miss.example.com", 10)+" a:hit.example.com -all")
	// Counting runs across include: 1 + 8 inside + 1 = 10.
	z.AddTXT("inc8.example.com", "v=spf1 "+repeat("a:miss.example.com", 8))
	z.AddTXT("incat.example.com", "v=spf1 include:inc8.example.com a:hit.example.com -all")
	z.AddTXT("incover.example.com", "v=spf1 a:miss.example.com include:inc8.example.com a:hit.example.com -all")
	// ip4/all after the 10th term are free.
	z.AddTXT("free.example.com", "v=spf1 "+repeat("a:miss.example.com", 10)+" ip4:192.0.2.1 -all")
	// Void lookups: 2 is fine, 3 is permerror.
	z.AddTXT("void2.example.com", "v=spf1 a:nx1.example.com exists:nx2.example.com ?all")
	z.AddTXT("void3.example.com", "v=spf1 a:nx1.example.com mx:nx2.example.com exists:nx3.example.com ?all")
	// MX names: 10 is fine, 11 is permerror.
	for i := range 11 {
		host := fmt.Sprintf("mx%d.example.com", i)
		z.AddA(host, "198.51.100.1")
		if i < 10 {
			z.AddMX("mx10.example.com", uint16(i), host)
		}
		z.AddMX("mx11.example.com", uint16(i), host)
	}
	z.AddA("mx9.example.com", "192.0.2.1") // the 10th MX host matches
	z.AddTXT("mxat.example.com", "v=spf1 mx:mx10.example.com -all")
	z.AddTXT("mxover.example.com", "v=spf1 mx:mx11.example.com -all")
	// PTR names: only the first 10 are looked at.
	for i := range 11 {
		z.AddPTR("1.2.0.192.in-addr.arpa", fmt.Sprintf("p%d.ptr.example.net", i))
	}
	z.AddA("p9.ptr.example.net", "192.0.2.1")
	z.AddA("p10.ptr.example.net", "192.0.2.1")
	z.AddTXT("ptrat.example.com", "v=spf1 ptr:p9.ptr.example.net -all")
	z.AddTXT("ptrover.example.com", "v=spf1 ptr:p10.ptr.example.net -all")

	tests := []struct {
		name    string
		cfg     func(*Checker)
		domain  string
		want    Code
		err     error
		lookups int
		voids   int
	}{
		{"10 terms: at the limit", nil, "at10.example.com", CodePass, nil, 10, 0},
		{"11 terms: over the limit", nil, "over10.example.com", CodePermError, ErrTooManyLookups, 11, 0},
		{"include counts its terms: at", nil, "incat.example.com", CodePass, nil, 10, 0},
		{"include counts its terms: over", nil, "incover.example.com", CodePermError, ErrTooManyLookups, 11, 0},
		{"ip4 after 10 terms is free", nil, "free.example.com", CodePass, nil, 10, 0},
		{"2 void lookups: at the limit", nil, "void2.example.com", CodeNeutral, nil, 2, 2},
		{"3 void lookups: over the limit", nil, "void3.example.com", CodePermError, ErrTooManyVoidLookups, 3, 3},
		{"void limit disabled", func(c *Checker) { c.MaxVoidLookups = -1 }, "void3.example.com", CodeNeutral, nil, 3, 3},
		{"void limit raised", func(c *Checker) { c.MaxVoidLookups = 3 }, "void3.example.com", CodeNeutral, nil, 3, 3},
		{"10 MX names: at the limit", nil, "mxat.example.com", CodePass, nil, 1, 0},
		{"11 MX names: over the limit", nil, "mxover.example.com", CodePermError, ErrTooManyMXNames, 1, 0},
		{"MX limit raised", func(c *Checker) { c.MaxMXNames = 11 }, "mxover.example.com", CodePass, nil, 1, 0},
		{"10th PTR name is used", nil, "ptrat.example.com", CodePass, nil, 1, 0},
		{"11th PTR name is ignored", nil, "ptrover.example.com", CodeFail, nil, 1, 0},
		{"PTR limit raised", func(c *Checker) { c.MaxPTRNames = 11 }, "ptrover.example.com", CodePass, nil, 1, 0},
		{"lookup limit lowered", func(c *Checker) { c.MaxLookups = 9 }, "at10.example.com", CodePermError, ErrTooManyLookups, 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, pf := range []bool{false, true} {
				c := &Checker{Resolver: z, Prefetch: pf}
				if tt.cfg != nil {
					tt.cfg(c)
				}
				r := check(t, c, from(ip1, "x@"+tt.domain))
				if r.Code != tt.want || !errors.Is(r.Err, tt.err) || (tt.err == nil) != (r.Err == nil) {
					t.Errorf("prefetch %v: got %v (%v), want %v (%v)", pf, r.Code, r.Err, tt.want, tt.err)
				}
				if r.Lookups != tt.lookups || r.VoidLookups != tt.voids {
					t.Errorf("prefetch %v: lookups %d voids %d, want %d %d", pf, r.Lookups, r.VoidLookups, tt.lookups, tt.voids)
				}
			}
		})
	}
}

// TestMechanisms checks §5 semantics not already pinned by the suite.
func TestMechanisms(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 a mx/24 -all")
	z.AddA("example.com", "192.0.2.1")
	z.AddAAAA("example.com", "2001:db8::1")
	z.AddMX("example.com", 10, "mail.example.com")
	z.AddA("mail.example.com", "198.51.100.7")
	z.AddTXT("pass.example.com", "v=spf1 +all")
	z.AddTXT("fail.example.com", "v=spf1 -all")
	z.AddTXT("soft.example.com", "v=spf1 ~all")
	z.AddTXT("neutral.example.com", "v=spf1 ?all")
	z.AddTXT("perm.example.com", "v=spf1 foo")
	z.AddTXT("temp.example.com", "v=spf1 a:timeout.example.com -all")
	z.SetFault("timeout.example.com", zone.TypeANY, zone.FaultTimeout)
	for _, inc := range []string{"pass", "fail", "soft", "neutral", "perm", "temp", "none"} {
		z.AddTXT("inc-"+inc+".example.com", "v=spf1 -include:"+inc+".example.com ~all")
	}
	z.AddTXT("redir.example.com", "v=spf1 ip4:203.0.113.0/24 redirect=example.com")
	z.AddTXT("redir-none.example.com", "v=spf1 redirect=none.example.com")
	z.AddTXT("exists.example.com", "v=spf1 exists:%{ir}.bl.example.com -all")
	z.AddA("1.2.0.192.bl.example.com", "127.0.0.2")
	z.AddTXT("ip6.example.com", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all")
	z.AddTXT("mapped.example.com", "v=spf1 a:example.com -all")
	z.AddTXT("hostbits.example.com", "v=spf1 ip4:192.0.2.77/24 -all")

	ip6 := netip.MustParseAddr("2001:db8::1")
	mapped := netip.MustParseAddr("::ffff:192.0.2.1")
	tests := []struct {
		name    string
		in      Input
		want    Code
		matched string
		domain  string
	}{
		{"a matches A", from(ip1, "a@example.com"), CodePass, "a", "example.com"},
		{"a matches AAAA for IPv6", from(ip6, "a@example.com"), CodePass, "a", "example.com"},
		{"mx with cidr", from(netip.MustParseAddr("198.51.100.200"), "a@example.com"), CodePass, "mx/24", "example.com"},
		{"no match gives -all", from(netip.MustParseAddr("203.0.113.9"), "a@example.com"), CodeFail, "-all", "example.com"},
		// §5.2 include result table.
		{"include pass matches", from(ip1, "a@inc-pass.example.com"), CodeFail, "-include:pass.example.com", "inc-pass.example.com"},
		{"include fail does not match", from(ip1, "a@inc-fail.example.com"), CodeSoftFail, "~all", "inc-fail.example.com"},
		{"include softfail does not match", from(ip1, "a@inc-soft.example.com"), CodeSoftFail, "~all", "inc-soft.example.com"},
		{"include neutral does not match", from(ip1, "a@inc-neutral.example.com"), CodeSoftFail, "~all", "inc-neutral.example.com"},
		{"include permerror", from(ip1, "a@inc-perm.example.com"), CodePermError, "", "inc-perm.example.com"},
		{"include temperror", from(ip1, "a@inc-temp.example.com"), CodeTempError, "", "inc-temp.example.com"},
		{"include none is permerror", from(ip1, "a@inc-none.example.com"), CodePermError, "", "inc-none.example.com"},
		// §6.1 redirect.
		{"redirect decides with the target's record", from(ip1, "a@redir.example.com"), CodePass, "a", "example.com"},
		{"mechanism before redirect", from(netip.MustParseAddr("203.0.113.1"), "a@redir.example.com"), CodePass, "ip4:203.0.113.0/24", "redir.example.com"},
		{"redirect to none is permerror", from(ip1, "a@redir-none.example.com"), CodePermError, "", "redir-none.example.com"},
		{"exists with macro", from(ip1, "a@exists.example.com"), CodePass, "exists:%{ir}.bl.example.com", "exists.example.com"},
		{"ip6 term against IPv6", from(ip6, "a@ip6.example.com"), CodePass, "ip6:2001:db8::/32", "ip6.example.com"},
		// §5.6 note: an IPv4-mapped client is IPv4.
		{"IPv4-mapped client matches ip4", from(mapped, "a@ip6.example.com"), CodePass, "ip4:192.0.2.0/24", "ip6.example.com"},
		{"ip4 with host bits set matches its network", from(ip1, "a@hostbits.example.com"), CodePass, "ip4:192.0.2.77/24", "hostbits.example.com"},
		{"IPv4-mapped client matches A", from(mapped, "a@mapped.example.com"), CodePass, "a:example.com", "mapped.example.com"},
		// §4.3 initial processing.
		{"no local part", Input{IP: ip1, MailFrom: "@example.com"}, CodePass, "a", "example.com"},
		{"empty MAIL FROM uses HELO", Input{IP: ip1, HELO: "example.com"}, CodePass, "a", "example.com"},
		{"bare domain as MAIL FROM", Input{IP: ip1, MailFrom: "example.com"}, CodePass, "a", "example.com"},
		{"single label", Input{IP: ip1, MailFrom: "a@localhost"}, CodeNone, "", ""},
		{"address literal", Input{IP: ip1, MailFrom: "a@[192.0.2.1]"}, CodeNone, "", ""},
		{"empty label", Input{IP: ip1, MailFrom: "a@x..example.com"}, CodeNone, "", ""},
		{"no record", Input{IP: ip1, MailFrom: "a@none.example.com"}, CodeNone, "", "none.example.com"},
		{"no IP", Input{MailFrom: "a@example.com"}, CodeNone, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := check(t, &Checker{Resolver: z}, tt.in)
			matched := ""
			if r.Matched != nil {
				matched = r.Matched.String()
			}
			if r.Code != tt.want || matched != tt.matched || r.Domain != tt.domain {
				t.Errorf("got %v matched %q domain %q (err %v), want %v %q %q", r.Code, matched, r.Domain, r.Err, tt.want, tt.matched, tt.domain)
			}
			if (r.Code == CodeTempError || r.Code == CodePermError) != (r.Err != nil) && !errors.Is(r.Err, ErrNoIP) {
				t.Errorf("Err %v with code %v", r.Err, r.Code)
			}
			if r.Identity != IdentityMailFrom {
				t.Errorf("Identity %q", r.Identity)
			}
		})
	}
}

func TestErrorsAreTyped(t *testing.T) {
	z := zone.New()
	z.AddTXT("multi.example.com", "v=spf1 -all")
	z.AddTXT("multi.example.com", "v=spf1 +all")
	z.AddTXT("broken.example.com", "v=spf1 ip4:1.2.3.4/33")
	z.AddTXT("temp.example.com", "v=spf1 exists:t.example.com")
	z.SetFault("t.example.com", zone.TypeA, zone.FaultServFail)
	z.AddTXT("bad.example.com", "v=spf1 a:%{l}.example.com")
	c := &Checker{Resolver: z}
	for _, tt := range []struct {
		domain, local string
		code          Code
		err           error
	}{
		{"multi.example.com", "x", CodePermError, ErrMultipleRecords},
		{"broken.example.com", "x", CodePermError, ErrBadCIDR},
		{"temp.example.com", "x", CodeTempError, ErrDNS},
		{"bad.example.com", strings.Repeat("x", 70), CodePermError, ErrInvalidTarget},
	} {
		r := check(t, c, from(ip1, tt.local+"@"+tt.domain))
		var ce *CheckError
		if r.Code != tt.code || !errors.Is(r.Err, tt.err) || !errors.As(r.Err, &ce) || ce.Domain != tt.domain {
			t.Errorf("%s: got %v %v, want %v %v", tt.domain, r.Code, r.Err, tt.code, tt.err)
		}
	}
}

func TestNoResolver(t *testing.T) {
	if r := (&Checker{}).Check(context.Background(), from(ip1, "a@example.com")); r.Code != CodeTempError || !errors.Is(r.Err, ErrNoResolver) {
		t.Errorf("Checker: %v %v", r.Code, r.Err)
	}
	if rep := (&Linter{}).Lint(context.Background(), "example.com"); !rep.HasErrors() {
		t.Errorf("Linter: %v", rep.Findings)
	}
}

func TestCheckHELO(t *testing.T) {
	z := zone.New()
	z.AddTXT("mail.example.com", "v=spf1 a -all")
	z.AddA("mail.example.com", "192.0.2.1")
	z.AddTXT("example.com", "v=spf1 -all")
	c := &Checker{Resolver: z}
	for _, tt := range []struct {
		helo string
		want Code
	}{
		{"mail.example.com", CodePass},
		{"MAIL.EXAMPLE.COM.", CodePass},
		{"[192.0.2.1]", CodeNone},
		{"localhost", CodeNone},
		{"", CodeNone},
	} {
		// The MAIL FROM is ignored by the HELO check (§2.3).
		r := c.CheckHELO(context.Background(), Input{IP: ip1, MailFrom: "x@example.com", HELO: tt.helo})
		if r.Code != tt.want || r.Identity != IdentityHELO {
			t.Errorf("HELO %q: got %v %q, want %v", tt.helo, r.Code, r.Identity, tt.want)
		}
	}
}

// TestExplanation covers §6.2: exp only for fail, expanded with c, r, t;
// the checker's default otherwise.
func TestExplanation(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 ip4:192.0.2.0/24 ~ip4:198.51.100.0/24 -all exp=why.%{d}")
	z.AddTXT("why.example.com", "%{c} is not one of %{d}'s senders (checked by %{r})")
	z.AddTXT("noexp.example.com", "v=spf1 -all")
	c := &Checker{Resolver: z, Receiver: "mx.example.net", DefaultExplanation: "See https://example.net/why?s=%{S}"}
	r := check(t, c, from(netip.MustParseAddr("203.0.113.5"), "a@example.com"))
	if want := "203.0.113.5 is not one of example.com's senders (checked by mx.example.net)"; r.Code != CodeFail || r.Explanation != want {
		t.Errorf("got %v %q, want fail %q", r.Code, r.Explanation, want)
	}
	r = check(t, c, from(netip.MustParseAddr("198.51.100.5"), "a@example.com"))
	if r.Code != CodeSoftFail || r.Explanation != "" {
		t.Errorf("softfail: got %v %q", r.Code, r.Explanation)
	}
	r = check(t, c, from(netip.MustParseAddr("198.51.100.5"), "a+b@noexp.example.com"))
	if want := "See https://example.net/why?s=a%2Bb%40noexp.example.com"; r.Code != CodeFail || r.Explanation != want {
		t.Errorf("default: got %v %q, want %q", r.Code, r.Explanation, want)
	}
}

func TestTrace(t *testing.T) {
	bc := benchCases()[2]
	c := &Checker{Resolver: bc.zone(), Trace: true}
	r := c.Check(context.Background(), bc.in)
	if r.Code != CodePass || len(r.Trace) == 0 {
		t.Fatalf("got %v with %d steps", r.Code, len(r.Trace))
	}
	var lines []string
	for _, s := range r.Trace {
		lines = append(lines, s.String())
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{"[TXT _netblocks3.provider.test]", "ip4:172.253.0.0/16 match", "include:spf.protection.test [TXT spf.protection.test] -> fail"} {
		if !strings.Contains(text, want) {
			t.Errorf("trace lacks %q:\n%s", want, text)
		}
	}
	if r := (&Checker{Resolver: bc.zone()}).Check(context.Background(), bc.in); r.Trace != nil {
		t.Error("trace without Checker.Trace")
	}
}

func TestCancel(t *testing.T) {
	bc := benchCases()[2]
	for _, pf := range []bool{false, true} {
		z := bc.zone()
		z.SetDelay(20 * time.Millisecond)
		before := runtime.NumGoroutine()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		r := (&Checker{Resolver: z, Prefetch: pf}).Check(ctx, bc.in)
		cancel()
		if r.Code != CodeTempError || !errors.Is(r.Err, ErrCanceled) {
			t.Errorf("prefetch %v: got %v %v, want temperror canceled", pf, r.Code, r.Err)
		}
		// No goroutine outlives Check: every prefetch goroutine has called
		// wg.Done before Check returns, and exits right after.
		after := runtime.NumGoroutine()
		for i := 0; i < 1000 && after > before; i++ {
			time.Sleep(time.Millisecond)
			after = runtime.NumGoroutine()
		}
		if after > before {
			t.Errorf("prefetch %v: %d goroutines before, %d after", pf, before, after)
		}
	}
	// Checker.Timeout bounds the evaluation without a ctx deadline.
	z := bc.zone()
	z.SetDelay(5 * time.Millisecond)
	r := (&Checker{Resolver: z, Timeout: 12 * time.Millisecond}).Check(context.Background(), bc.in)
	if r.Code != CodeTempError || !errors.Is(r.Err, ErrCanceled) {
		t.Errorf("timeout: got %v %v", r.Code, r.Err)
	}
}

func TestCacheAndConcurrency(t *testing.T) {
	cases := benchCases()[1:3] // their domains do not overlap
	z := zone.New()
	for _, bc := range cases {
		for _, rr := range bc.zone().Records() {
			if err := z.Add(rr); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, size := range []int{-1, 1, 0} {
		for _, pf := range []bool{false, true} {
			c := &Checker{Resolver: z, CacheSize: size, Prefetch: pf}
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Go(func() {
					for i := range 20 {
						bc := cases[(g+i)%len(cases)]
						if r := c.Check(context.Background(), bc.in); r.Code != bc.want {
							t.Errorf("size %d: %s: got %v %v", size, bc.name, r.Code, r.Err)
						}
					}
				})
			}
			wg.Wait()
			if n := c.loadCache().len(); size > 0 && n > size {
				t.Errorf("cache holds %d > %d", n, size)
			}
		}
	}
}

// TestCacheCreatedOnSecondCheck checks that a Checker used once allocates
// no record cache and one used again has it.
func TestCacheCreatedOnSecondCheck(t *testing.T) {
	bc := benchCases()[1]
	c := &Checker{Resolver: bc.zone()}
	for i, want := range []int{0, 0, 2} {
		if n := c.loadCache().len(); n != want {
			t.Errorf("before check %d: cache holds %d, want %d", i+1, n, want)
		}
		if r := c.Check(context.Background(), bc.in); r.Code != bc.want {
			t.Fatalf("check %d: got %v (%v)", i+1, r.Code, r.Err)
		}
	}
	c = &Checker{Resolver: bc.zone(), CacheSize: -1}
	for range 3 {
		c.Check(context.Background(), bc.in)
	}
	if c.loadCache() != nil {
		t.Error("CacheSize -1: a cache was created")
	}
}

// TestRecordCache checks the parsed-record cache stays within CacheSize
// and keeps returning the right record as entries are evicted.
func TestRecordCache(t *testing.T) {
	for _, size := range []int{1, 3, 8, 9, 20} {
		c := &Checker{CacheSize: size}
		c.useCache()
		c.useCache() // as at the start of a second evaluation
		for round := range 3 {
			for i := range 30 {
				txt := fmt.Sprintf("v=spf1 ip4:192.0.2.%d -all", i)
				r, err := c.parse(txt)
				if err != nil || r.String() != txt {
					t.Fatalf("size %d round %d: %q -> %v %v", size, round, txt, r, err)
				}
				if n := c.loadCache().len(); n > size {
					t.Fatalf("size %d: cache holds %d", size, n)
				}
			}
		}
		if _, err := c.parse("v=spf1 ip4:1.2.3.4/33"); !errors.Is(err, ErrBadCIDR) {
			t.Errorf("cached parse error: %v", err)
		}
		if _, err := c.parse("v=spf1 ip4:1.2.3.4/33"); !errors.Is(err, ErrBadCIDR) {
			t.Errorf("parse error from the cache: %v", err)
		}
	}
}

// An MX target that looks like an IP address is a name without addresses,
// not the address itself (RFC 7208 §5.4 compares the addresses of MX names).
func TestMXTargetIPLiteral(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.org", "v=spf1 mx -all")
	z.AddMX("example.org", 10, "192.0.2.1.")
	for _, prefetch := range []bool{false, true} {
		c := &Checker{Resolver: z, Prefetch: prefetch}
		for _, ip := range []string{"192.0.2.1", "2001:db8::1"} {
			r := c.Check(context.Background(), Input{IP: netip.MustParseAddr(ip), MailFrom: "a@example.org"})
			if r.Code != CodeFail {
				t.Errorf("prefetch=%v ip=%s: %v (%v), want fail", prefetch, ip, r.Code, r.Err)
			}
		}
	}
}
