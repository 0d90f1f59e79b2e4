package spf

import (
	"context"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/zone"
)

var fuzzRecords = []string{
	"v=spf1 -all",
	"v=spf1 mx a:mail.example.com/24//64 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net ~all",
	"v=spf1 exists:%{ir}.%{l1r-}.lp._spf.%{d2} -all exp=explain.%{d}",
	"v=spf1 ptr:example.com ?all redirect=_spf.example.org moo.cow-far_out=man:dog/cat",
	"v=spf1 a:foo:bar/baz.example.com -ip6:::ffff:1.2.3.4 a//0 mx/0",
	"V=SPF1 +All  ",
	"v=spf1 ip4:1.2.3.4/33",
	"v=spf1 a:macro%%percent%_%_space%-url-space.example.com",
}

// FuzzParse checks the round-trip property: a record that parses prints to
// a canonical text that parses back equal and prints the same.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzRecords {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRecord(s)
		if err != nil {
			if r != nil {
				t.Fatal("record with error")
			}
			return
		}
		text := r.String()
		r2, err := ParseRecord(text)
		if err != nil {
			t.Fatalf("ParseRecord(%q) ok, but its String %q fails: %v", s, text, err)
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip differs:\n%q -> %+v\n%q -> %+v", s, r, text, r2)
		}
		if r2.String() != text {
			t.Fatalf("String not canonical: %q then %q", text, r2.String())
		}
	})
}

// FuzzMacro expands every macro-string the syntax check accepts, in both
// domain-spec and explanation mode, and checks the output is bounded.
func FuzzMacro(f *testing.F) {
	for _, s := range []string{"%{d}", "%{ir}.%{v}._spf.%{d2}", "%{L2r+=}", "%%%_%-", "%{c} %{t} %{r}", "%{p}.x", "%{S127r.-+,/_=}"} {
		f.Add(s, "x.Y+z@example.com", []byte{192, 0, 2, 1})
	}
	// RFC 8616 §4: a UTF-8 local part, U-label domains.
	for _, s := range []string{"%{l}.x.example", "%{o}.%{d}.%{h}", "%{S}", "%%{l}.%{d2r}", "%{ir}.%{L1r-}"} {
		f.Add(s, "j\u00fcrgen@b\u00fccher.example", []byte{192, 0, 2, 1})
		f.Add(s, "\u5c0f\u660e.x@\u4f8b\u3048.\u30c6\u30b9\u30c8", []byte{192, 0, 2, 1})
	}
	f.Fuzz(func(t *testing.T, s, sender string, ipb []byte) {
		ip, ok := netip.AddrFromSlice(ipb)
		if !ok {
			ip = netip.MustParseAddr("2001:db8::1")
		}
		z := zone.New()
		z.AddPTR(zone.ReverseName(ip.Unmap()), "host.example.com")
		c := &Checker{Resolver: z}
		local, domain := "postmaster", sender
		for i := len(sender) - 1; i >= 0; i-- {
			if sender[i] == '@' {
				local, domain = sender[:i], sender[i+1:]
				break
			}
		}
		for _, exp := range []bool{false, true} {
			if _, msg := scanMacroString(s, exp); msg != "" {
				continue
			}
			e := &eval{}
			e.start(context.Background(), c, Input{IP: ip, HELO: "helo.example.org"}, local, domain)
			out := e.expand(nil, s, "example.com", exp)
			// Each macro yields at most 3 bytes per byte of its value
			// (URL escaping) and values are bounded by the inputs.
			if limit := len(s) + 3*len(s)*(len(sender)+80); len(out) > limit {
				t.Fatalf("expansion of %q is %d bytes", s, len(out))
			}
			if !exp {
				_ = truncateDomain(string(out))
				// RFC 8616 §4: a target is A-labels only, and a spec
				// using a non-ASCII local part gives no target at all.
				name, err := e.target(s, "example.com")
				if e.localUTF8 && usesLocalPart(s) {
					if err != errLocalPart {
						t.Fatalf("%q with local part %q: target %q, %v; want errLocalPart", s, local, name, err)
					}
				} else if err == nil && !dnsname.IsASCII(name) {
					t.Fatalf("%q with sender %q: target %q is not ASCII", s, sender, name)
				}
			}
		}
	})
}

// FuzzCheck evaluates against a zone built from fuzzed records: it never
// panics, stays within the limits, returns promptly, and neither
// prefetching nor the single-use path (a Checker used once evaluates
// lightRecords, not parsed records) changes the result.
func FuzzCheck(f *testing.F) {
	f.Add("v=spf1 include:a.example.com -all", "v=spf1 a mx include:b.example.com ~all", "v=spf1 exists:%{i}.b.example.com redirect=example.com", []byte{192, 0, 2, 1})
	f.Add("v=spf1 redirect=example.com", "v=spf1 ptr", "v=spf1 a:%{l}.%{d}", []byte{32, 1, 13, 184, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add("v=spf1 mx:b.example.com a:a.example.com//64 ip4:192.0.2.0/24 -all exp=b.example.com", "%{s} %{c}", "v=spf1 include:example.com", []byte{192, 0, 2, 9})
	// RFC 8616 §4: terms with %{l} and %{s} for the UTF-8 local part.
	f.Add("v=spf1 exists:%{l}.a.example.com include:%{s1}.b.example.com -all exp=%{l}.b.example.com", "v=spf1 redirect=%{L}.a.example.com", "%{l} %{s}", []byte{192, 0, 2, 1})
	f.Fuzz(func(t *testing.T, r0, r1, r2 string, ipb []byte) {
		ip, ok := netip.AddrFromSlice(ipb)
		if !ok {
			return
		}
		z := zone.New()
		names := []string{"example.com", "a.example.com", "b.example.com"}
		for i, txt := range []string{r0, r1, r2} {
			if len(txt) > 2000 {
				return
			}
			z.AddTXT(names[i], txt)
			z.AddA(names[i], "192.0.2.1")
			z.AddAAAA(names[i], "2001:db8::1")
			z.AddMX(names[i], 10, names[(i+1)%3])
		}
		z.AddPTR(zone.ReverseName(ip.Unmap()), "a.example.com")
		z.AddTXT("xn--bcher-kva.example", r0)
		for _, in := range []Input{
			{IP: ip, MailFrom: "user@example.com", HELO: "b.example.com"},
			// RFC 8616 §4: a UTF-8 local part, U-label domains.
			{IP: ip, MailFrom: "j\u00fcrgen@B\u00dcCHER.example", HELO: "b\u00fccher.example"},
		} {
			checkBoth(t, z, in)
		}
	})
}

// checkBoth runs one check of FuzzCheck sequentially, with prefetching,
// and on a reused Checker (the plain parsed path), and compares them.
func checkBoth(t *testing.T, z *zone.Zone, in Input) {
	var results [2]Result
	for i, pf := range []bool{false, true} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		start := time.Now()
		cr := &countingResolver{z: z}
		c := &Checker{Resolver: cr, Prefetch: pf}
		r := c.Check(ctx, in)
		cancel()
		// RFC 8616 §4: only A-labels are asked, and never the
		// non-ASCII local part.
		cr.mu.Lock()
		for q := range cr.n {
			if !dnsname.IsASCII(q) || strings.Contains(q, "xn--jrgen") {
				t.Fatalf("queried %q", q)
			}
		}
		cr.mu.Unlock()
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %v", d)
		}
		if r.Lookups > 11 || r.VoidLookups > 3 {
			t.Fatalf("limits: %d lookups, %d void", r.Lookups, r.VoidLookups)
		}
		if (r.Code == CodeTempError || r.Code == CodePermError) != (r.Err != nil) {
			t.Fatalf("code %v with err %v", r.Code, r.Err)
		}
		_ = ReceivedSPF(r, in, "mx.example.net")
		_ = r.AuthResult().String()
		results[i] = r
		_ = (&Linter{Resolver: z}).Lint(context.Background(), "example.com")
	}
	a, b := results[0], results[1]
	termText := func(t *Term) string {
		if t == nil {
			return ""
		}
		return t.String()
	}
	if a.Code != b.Code || termText(a.Matched) != termText(b.Matched) || a.Domain != b.Domain || a.Explanation != b.Explanation || a.Lookups != b.Lookups || a.VoidLookups != b.VoidLookups {
		t.Fatalf("prefetch changed the result:\n%+v\n%+v", a, b)
	}
	// The plain path: a Checker's second check parses records (into
	// its cache) and evaluates their terms. a (results[0]) came
	// from a Checker used once.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	reused := &Checker{Resolver: z}
	reused.Check(ctx, in)
	p := reused.Check(ctx, in)
	errText := func(err error) string {
		if err == nil {
			return ""
		}
		return err.Error()
	}
	if a.Code != p.Code || termText(a.Matched) != termText(p.Matched) || a.Domain != p.Domain || a.Explanation != p.Explanation ||
		a.Lookups != p.Lookups || a.VoidLookups != p.VoidLookups || errText(a.Err) != errText(p.Err) {
		t.Fatalf("the single-use path differs from the plain path:\n%+v\n%+v", a, p)
	}
}
