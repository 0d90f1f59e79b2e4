package zone

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/google/go-cmp/cmp"
)

func testZone(t *testing.T) *Zone {
	t.Helper()
	z, err := ParseString(`
$ORIGIN example.org.
$TTL 300
@            MX    10 mx1
@            MX    5  mx0
@            TXT   "v=spf1 " "include:amazonses.com ~all"
@            TXT   "google-site-verification=abc"
mx0          A     192.0.2.10
mx1          A     192.0.2.11
mx1          AAAA  2001:db8::11
www          CNAME web
web          CNAME host
host         A     192.0.2.20
loop1        CNAME loop2
loop2        CNAME loop1
*.wild       TXT   "wildcard"
exists.wild  A     192.0.2.30
a.b.deep     A     192.0.2.40
nullmx       MX    0 .
10.2.0.192.in-addr.arpa. PTR mx0.example.org.
1.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR MX1.example.org.
`, "")
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func TestLookupTXT(t *testing.T) {
	z := testZone(t)
	ctx := context.Background()
	tests := []struct {
		name     string
		want     []string
		notFound bool
	}{
		{"example.org", []string{"v=spf1 include:amazonses.com ~all", "google-site-verification=abc"}, false},
		{"EXAMPLE.org.", []string{"v=spf1 include:amazonses.com ~all", "google-site-verification=abc"}, false},
		{"mx0.example.org", nil, true},                        // NODATA
		{"missing.example.org", nil, true},                    // NXDOMAIN
		{"deep.example.org", nil, true},                       // empty non-terminal
		{"x.wild.example.org", []string{"wildcard"}, false},   // RFC 4592 wildcard
		{"y.x.wild.example.org", []string{"wildcard"}, false}, // wildcard covers deeper names
		{"exists.wild.example.org", nil, true},                // an existing name is not covered
		{"a.exists.wild.example.org", nil, true},              // closest encloser exists.wild has no wildcard
	}
	for _, tt := range tests {
		got, err := z.LookupTXT(ctx, tt.name)
		if tt.notFound {
			if !domainauth.IsNotFound(err) {
				t.Errorf("LookupTXT(%q) = %v, %v; want not-found", tt.name, got, err)
			}
			continue
		}
		if err != nil || !cmp.Equal(got, tt.want) {
			t.Errorf("LookupTXT(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	strs, err := z.LookupTXTStrings(ctx, "example.org")
	if err != nil || !cmp.Equal(strs, [][]string{{"v=spf1 ", "include:amazonses.com ~all"}, {"google-site-verification=abc"}}) {
		t.Errorf("LookupTXTStrings = %q, %v", strs, err)
	}
}

func TestLookupCNAME(t *testing.T) {
	z := testZone(t)
	ctx := context.Background()
	addrs, err := z.LookupNetIP(ctx, "ip4", "www.example.org")
	if err != nil || len(addrs) != 1 || addrs[0] != netip.MustParseAddr("192.0.2.20") {
		t.Errorf("chain www -> web -> host: %v, %v", addrs, err)
	}
	target, err := z.LookupCNAMETarget(ctx, "WWW.example.org.")
	if err != nil || target != "web.example.org" {
		t.Errorf("LookupCNAMETarget = %q, %v", target, err)
	}
	if _, err := z.LookupCNAMETarget(ctx, "host.example.org"); !domainauth.IsNotFound(err) {
		t.Errorf("LookupCNAMETarget on a non-alias: %v, want not-found", err)
	}
	_, err = z.LookupTXT(ctx, "loop1.example.org")
	if domainauth.Classify(ctx, err) != domainauth.ErrorKindTemporary {
		t.Errorf("CNAME loop: %v, want a temporary error", err)
	}
}

func TestLookupMX(t *testing.T) {
	z := testZone(t)
	mx, err := z.LookupMX(context.Background(), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	want := []*net.MX{{Host: "mx0.example.org.", Pref: 5}, {Host: "mx1.example.org.", Pref: 10}}
	if !cmp.Equal(mx, want) {
		t.Errorf("LookupMX = %v, want %v", mx, want)
	}
	mx, err = z.LookupMX(context.Background(), "nullmx.example.org")
	if err != nil || len(mx) != 1 || mx[0].Host != "." || mx[0].Pref != 0 {
		t.Errorf("null MX = %v, %v", mx, err)
	}
	// Callers may modify what they get without changing the zone.
	mx[0].Host = "changed."
	mx, _ = z.LookupMX(context.Background(), "nullmx.example.org")
	if mx[0].Host != "." {
		t.Error("LookupMX returned shared data")
	}
}

func TestLookupNetIP(t *testing.T) {
	z := testZone(t)
	ctx := context.Background()
	tests := []struct {
		network, host string
		want          []string
		wantErr       bool
	}{
		{"ip4", "mx1.example.org", []string{"192.0.2.11"}, false},
		{"ip6", "mx1.example.org", []string{"2001:db8::11"}, false},
		{"ip", "mx1.example.org", []string{"192.0.2.11", "2001:db8::11"}, false},
		{"ip6", "mx0.example.org", nil, true},
		{"ip", "missing.example.org", nil, true},
		{"ip4", "192.0.2.99", []string{"192.0.2.99"}, false}, // literal, as net does
		{"tcp", "mx1.example.org", nil, true},
	}
	for _, tt := range tests {
		got, err := z.LookupNetIP(ctx, tt.network, tt.host)
		if (err != nil) != tt.wantErr {
			t.Errorf("LookupNetIP(%s, %s) error %v", tt.network, tt.host, err)
			continue
		}
		var s []string
		for _, a := range got {
			s = append(s, a.String())
		}
		if !cmp.Equal(s, tt.want) {
			t.Errorf("LookupNetIP(%s, %s) = %v, want %v", tt.network, tt.host, s, tt.want)
		}
	}
}

func TestLookupAddr(t *testing.T) {
	z := testZone(t)
	ctx := context.Background()
	for addr, want := range map[string]string{"192.0.2.10": "mx0.example.org.", "2001:db8::11": "mx1.example.org.", "::ffff:192.0.2.10": "mx0.example.org."} {
		names, err := z.LookupAddr(ctx, addr)
		if err != nil || len(names) != 1 || names[0] != want {
			t.Errorf("LookupAddr(%s) = %v, %v; want %s", addr, names, err, want)
		}
	}
	if _, err := z.LookupAddr(ctx, "192.0.2.99"); !domainauth.IsNotFound(err) {
		t.Errorf("LookupAddr without PTR: %v", err)
	}
	if _, err := z.LookupAddr(ctx, "not-an-ip"); err == nil {
		t.Error("LookupAddr accepted a non-address")
	}
}

func TestFaults(t *testing.T) {
	z := testZone(t)
	ctx := context.Background()
	z.SetFault("example.org", TypeTXT, FaultTimeout)
	_, err := z.LookupTXT(ctx, "example.org")
	var de *net.DNSError
	if !errors.As(err, &de) || !de.IsTimeout || domainauth.Classify(ctx, err) != domainauth.ErrorKindTemporary {
		t.Errorf("timeout fault: %v", err)
	}
	if _, err := z.LookupMX(ctx, "example.org"); err != nil {
		t.Errorf("a TXT fault affected MX: %v", err)
	}
	z.SetFault("host.example.org", TypeANY, FaultServFail)
	if _, err := z.LookupNetIP(ctx, "ip4", "www.example.org"); domainauth.Classify(ctx, err) != domainauth.ErrorKindTemporary {
		t.Errorf("fault at the end of a CNAME chain: %v", err)
	}
	z.SetFault("example.org", TypeTXT, FaultNone)
	if _, err := z.LookupTXT(ctx, "example.org"); err != nil {
		t.Errorf("cleared fault still fails: %v", err)
	}
}

func TestDelayHonoursContext(t *testing.T) {
	z := testZone(t)
	z.SetDelay(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := z.LookupTXT(ctx, "example.org")
	if !errors.Is(err, context.DeadlineExceeded) || domainauth.Classify(ctx, err) != domainauth.ErrorKindCanceled {
		t.Errorf("delayed lookup past the deadline: %v", err)
	}
	z.SetDelay(time.Millisecond)
	start := time.Now()
	if _, err := z.LookupTXT(context.Background(), "example.org"); err != nil || time.Since(start) < time.Millisecond {
		t.Errorf("delay not applied: %v after %v", err, time.Since(start))
	}
}

func TestRemove(t *testing.T) {
	z := testZone(t)
	if n := z.Remove("example.org", TypeTXT); n != 2 {
		t.Errorf("Remove removed %d", n)
	}
	if _, err := z.LookupTXT(context.Background(), "example.org"); !domainauth.IsNotFound(err) {
		t.Errorf("TXT still there: %v", err)
	}
	if _, err := z.LookupMX(context.Background(), "example.org"); err != nil {
		t.Errorf("MX removed too: %v", err)
	}
}

func TestConcurrentReadsAndWrites(t *testing.T) {
	z := testZone(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if i == 0 {
					z.AddTXT("new.example.org", "v=spf1 -all")
					continue
				}
				z.LookupTXT(context.Background(), "example.org")
				z.LookupNetIP(context.Background(), "ip", "mx1.example.org")
			}
		}()
	}
	wg.Wait()
}

func TestReverseName(t *testing.T) {
	if got := ReverseName(netip.MustParseAddr("192.0.2.1")); got != "1.2.0.192.in-addr.arpa" {
		t.Errorf("v4: %s", got)
	}
	if got := ReverseName(netip.MustParseAddr("2001:db8::1")); got != "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa" {
		t.Errorf("v6: %s", got)
	}
}

func TestAddValidates(t *testing.T) {
	z := New()
	bad := []RR{
		{Name: "a", Type: TypeA, Addr: netip.MustParseAddr("2001:db8::1")},
		{Name: "a", Type: TypeAAAA},
		{Name: "a", Type: TypeAAAA, Addr: netip.MustParseAddr("fe80::1%eth0")},
		{Name: "a", Type: TypeCNAME},
		{Name: "a", Type: TypeTXT, Text: []string{string(make([]byte, 256))}},
		{Name: "a", Type: TypeSOA},
		{Name: "a", Type: TypeANY},
		{Name: "a..example", Type: TypeA, Addr: netip.MustParseAddr("192.0.2.1")},                          // empty label
		{Name: strings.Repeat("x", 64) + ".example", Type: TypeA, Addr: netip.MustParseAddr("192.0.2.1")},  // label over 63
		{Name: "a", Type: TypeCNAME, Target: ".b.example"},                                                 // empty label in the target
		{Name: "a", Type: TypeSOA, SOA: &SOA{MName: "ns.example", RName: strings.Repeat("h.", 127) + "x"}}, // RNAME over 253
		{Name: "a", Type: 257, Data: "0 issue \"x"},                                                        // quote not closed
		{Name: "a", Type: 257, Data: "0 issue x ; y"},                                                      // a comment when written
		{Name: "a", Type: 257, Data: "0 issue (x)"},                                                        // parentheses group lines
		{Name: "a", Type: 257, Data: "0  issue x"},                                                         // would not read back the same
		{Name: "a", Type: 257, Data: "0 issue \"x\ny\""},                                                   // line break
	}
	for _, ok := range []string{`0 issue "a  b;(c)"`, `\# 2 abcd`, `x\;y "q\"r"`, ""} {
		if err := z.Add(RR{Name: "a", Type: 257, Data: ok}); err != nil {
			t.Errorf("Add with data %q: %v", ok, err)
		}
	}
	for _, rr := range bad {
		if err := z.Add(rr); err == nil {
			t.Errorf("Add(%+v) accepted", rr)
		}
	}
}

func BenchmarkLookupTXT(b *testing.B) {
	z := New()
	z.AddTXT("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		z.LookupTXT(ctx, "amazonses.com")
	}
}

// benchZone is a small zone of the shape SPF evaluation walks: a record with
// includes, the included records, A/AAAA/MX data, a CNAME and a wildcard.
func benchZone(b *testing.B) *Zone {
	b.Helper()
	z, err := ParseString(`
$ORIGIN example.org.
$TTL 300
@              TXT   "v=spf1 include:_spf.example.org include:amazonses.com mx a -all"
_spf           TXT   "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"
@              MX    10 mx1
mx1            A     192.0.2.11
mx1            AAAA  2001:db8::11
alias          CNAME host
host           TXT   "v=spf1 -all"
*.wild         TXT   "v=spf1 -all"
amazonses.com. TXT   "v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 -all"
`, "")
	if err != nil {
		b.Fatal(err)
	}
	return z
}

func BenchmarkLookups(b *testing.B) {
	z := benchZone(b)
	ctx := context.Background()
	cases := []struct {
		name string
		f    func() error
	}{
		{"TXT", func() error { _, err := z.LookupTXT(ctx, "amazonses.com"); return err }},
		{"TXT/mixed-case-dot", func() error { _, err := z.LookupTXT(ctx, "AmazonSES.com."); return err }},
		{"TXT/cname", func() error { _, err := z.LookupTXT(ctx, "alias.example.org"); return err }},
		{"TXT/wildcard", func() error { _, err := z.LookupTXT(ctx, "x.wild.example.org"); return err }},
		{"TXT/nxdomain", func() error { _, err := z.LookupTXT(ctx, "nothing.example.org"); return ignoreNotFound(err) }},
		{"TXTStrings", func() error { _, err := z.LookupTXTStrings(ctx, "example.org"); return err }},
		{"MX", func() error { _, err := z.LookupMX(ctx, "example.org"); return err }},
		{"NetIP/ip4", func() error { _, err := z.LookupNetIP(ctx, "ip4", "mx1.example.org"); return err }},
		{"NetIP/ip", func() error { _, err := z.LookupNetIP(ctx, "ip", "mx1.example.org"); return err }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func ignoreNotFound(err error) error {
	if domainauth.IsNotFound(err) {
		return nil
	}
	return err
}

// BenchmarkLookupTXTParallel measures lookups from many goroutines, as
// concurrent SPF evaluations against one Zone make them.
func BenchmarkLookupTXTParallel(b *testing.B) {
	z := benchZone(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := z.LookupTXT(ctx, "amazonses.com"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// TestLookupSemanticsLikeNet pins the details in which a Zone answers as
// *net.Resolver does (error types and Name fields, trailing dots).
func TestLookupSemanticsLikeNet(t *testing.T) {
	z := testZone(t)
	ctx := context.Background()

	// NXDOMAIN and NODATA: a not-found *net.DNSError naming the query as given.
	for _, name := range []string{"Missing.example.org.", "mx0.example.org", "www.missing.example.org"} {
		_, err := z.LookupTXT(ctx, name)
		var de *net.DNSError
		if !errors.As(err, &de) || !de.IsNotFound || de.Name != name || de.IsTemporary || de.IsTimeout {
			t.Errorf("LookupTXT(%q) error = %#v, want not-found naming %q", name, err, name)
		}
	}
	// A CNAME whose target has no data: NODATA for the alias (RFC 1034 §3.6.2).
	z.AddCNAME("dangling.example.org", "nowhere.example.net")
	if _, err := z.LookupMX(ctx, "dangling.example.org"); !domainauth.IsNotFound(err) {
		t.Errorf("dangling CNAME: %v, want not-found", err)
	}

	// An injected fault names the queried name even when it sits at the
	// end of a CNAME chain.
	z.SetFault("host.example.org", TypeA, FaultServFail)
	_, err := z.LookupNetIP(ctx, "ip4", "www.example.org")
	var de *net.DNSError
	if !errors.As(err, &de) || de.Name != "www.example.org" || !de.IsTemporary || de.IsNotFound {
		t.Errorf("fault through a chain: %#v", err)
	}

	// "ip": one family's failure does not hide the other's addresses (as
	// *net.Resolver without StrictErrors); with no addresses it is reported.
	z.SetFault("mx1.example.org", TypeAAAA, FaultTimeout)
	if got, err := z.LookupNetIP(ctx, "ip", "mx1.example.org"); err != nil || len(got) != 1 || got[0] != netip.MustParseAddr("192.0.2.11") {
		t.Errorf("ip with the AAAA query failing: %v, %v", got, err)
	}
	if _, err := z.LookupNetIP(ctx, "ip6", "mx1.example.org"); domainauth.Classify(ctx, err) != domainauth.ErrorKindTemporary {
		t.Errorf("ip6 with the AAAA query failing: %v", err)
	}
	z.SetFault("mx0.example.org", TypeAAAA, FaultTimeout) // mx0 has A only
	z.SetFault("mx0.example.org", TypeA, FaultServFail)
	if _, err := z.LookupNetIP(ctx, "ip", "mx0.example.org"); !errors.As(err, &de) || de.Err != "server misbehaving" {
		t.Errorf("ip with both queries failing: %v, want the A failure", err)
	}

	// LookupAddr: not-found errors name the absolute reverse name.
	_, err = z.LookupAddr(ctx, "192.0.2.99")
	if !errors.As(err, &de) || de.Name != "99.2.0.192.in-addr.arpa." || !de.IsNotFound {
		t.Errorf("LookupAddr not found: %#v", err)
	}

	// LookupNetIP: an unknown network and a literal of the wrong family
	// fail with the error types *net.Resolver uses.
	if _, err := z.LookupNetIP(ctx, "tcp", "mx1.example.org"); !errors.As(err, new(net.UnknownNetworkError)) {
		t.Errorf("unknown network: %#v", err)
	}
	if _, err := z.LookupNetIP(ctx, "ip6", "192.0.2.1"); !errors.As(err, new(*net.AddrError)) {
		t.Errorf("IPv4 literal asked as ip6: %#v", err)
	}
	if got, err := z.LookupNetIP(ctx, "ip6", "2001:db8::5"); err != nil || len(got) != 1 || got[0] != netip.MustParseAddr("2001:db8::5") {
		t.Errorf("IPv6 literal: %v, %v", got, err)
	}
	// A name that ends in a digit is still looked up as a name.
	z.AddA("host1.example.org", "192.0.2.41")
	if got, err := z.LookupNetIP(ctx, "ip", "HOST1.example.org."); err != nil || len(got) != 1 {
		t.Errorf("name ending in a digit: %v, %v", got, err)
	}
}

func TestCNAMEChainBound(t *testing.T) {
	z := New()
	// c0 -> c1 -> ... -> c8 -> end: eight aliases, then the data.
	for i := range 8 {
		z.AddCNAME(fmt.Sprintf("c%d.example", i), fmt.Sprintf("c%d.example", i+1))
	}
	z.AddCNAME("c8.example", "end.example")
	z.AddTXT("end.example", "data")
	ctx := context.Background()
	if got, err := z.LookupTXT(ctx, "c1.example"); err != nil || len(got) != 1 {
		t.Errorf("chain of 8 CNAMEs: %v, %v", got, err)
	}
	_, err := z.LookupTXT(ctx, "c0.example") // nine CNAMEs
	if domainauth.Classify(ctx, err) != domainauth.ErrorKindTemporary {
		t.Errorf("chain of 9 CNAMEs: %v, want a temporary error", err)
	}
	// LookupCNAMETarget takes one hop only, even inside a loop.
	z.AddCNAME("self.example", "self.example")
	if got, err := z.LookupCNAMETarget(ctx, "self.example"); err != nil || got != "self.example" {
		t.Errorf("LookupCNAMETarget on a self loop: %q, %v", got, err)
	}
}

func TestWildcards(t *testing.T) {
	z := New()
	z.AddCNAME("*.alias.example", "target.example")
	z.AddTXT("target.example", "t")
	z.AddTXT("*.example", "top")
	z.AddA("a.b.c.example", "192.0.2.1")
	ctx := context.Background()
	tests := []struct {
		name string
		want string // "" for not found
	}{
		{"x.alias.example", "t"},     // a wildcard CNAME is followed
		{"x.y.alias.example", "t"},   // at any depth below
		{"other.example", "top"},     // RFC 4592 §2.2.1
		{"b.c.example", ""},          // empty non-terminal: NODATA, not the wildcard
		{"c.example", ""},            // likewise
		{"x.a.b.c.example", ""},      // closest encloser a.b.c.example has no wildcard
		{"*.example", "top"},         // the wildcard's own name
		{"x.example.other", ""},      // outside the zone's names
		{"X.Other.EXAMPLE.", "top"},  // case and trailing dot
		{"sub.x.alias.example", "t"}, // deeper still
		{"alias.example", ""},        // the wildcard's parent exists only as a non-terminal
		{"q.target.example", ""},     // RFC 4592 §3.3.1: the closest encloser target.example has no "*."
	}
	for _, tt := range tests {
		got, err := z.LookupTXT(ctx, tt.name)
		switch {
		case tt.want == "" && !domainauth.IsNotFound(err):
			t.Errorf("LookupTXT(%q) = %q, %v; want not-found", tt.name, got, err)
		case tt.want != "" && (err != nil || len(got) != 1 || got[0] != tt.want):
			t.Errorf("LookupTXT(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if z.Remove("*.example", TypeANY) != 1 {
		t.Fatal("Remove of the wildcard")
	}
	if _, err := z.LookupTXT(ctx, "other.example"); !domainauth.IsNotFound(err) {
		t.Errorf("removed wildcard still answers: %v", err)
	}
}

func TestRootAndIDNNames(t *testing.T) {
	z := New()
	z.AddTXT(".", "root")
	z.AddTXT("bücher.example", "idn")
	ctx := context.Background()
	if got, err := z.LookupTXT(ctx, "."); err != nil || len(got) != 1 || got[0] != "root" {
		t.Errorf("root: %q, %v", got, err)
	}
	if got := z.Lookup(".", TypeTXT); len(got) != 1 {
		t.Errorf("Lookup(.) = %v", got)
	}
	for _, name := range []string{"bücher.example", "BÜCHER.example.", "xn--bcher-kva.example"} {
		if got, err := z.LookupTXT(ctx, name); err != nil || len(got) != 1 || got[0] != "idn" {
			t.Errorf("LookupTXT(%q) = %q, %v", name, got, err)
		}
	}
	p, err := ParseString("bücher.example. 60 TXT idn\n", "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := p.LookupTXT(ctx, "bücher.example"); err != nil || len(got) != 1 {
		t.Errorf("parsed U-label owner: %q, %v", got, err)
	}
}

func TestLookupResultsAreCopies(t *testing.T) {
	z := New()
	z.AddTXTStrings("a.example", "one", "two")
	z.AddTXTStrings("a.example", "three")
	ctx := context.Background()
	strs, err := z.LookupTXTStrings(ctx, "a.example")
	if err != nil || !cmp.Equal(strs, [][]string{{"one", "two"}, {"three"}}) {
		t.Fatalf("LookupTXTStrings = %q, %v", strs, err)
	}
	strs[0] = append(strs[0], "appended") // must not overwrite the next record
	strs[1][0] = "changed"
	if strs[1][0] != "changed" || len(strs[0]) != 3 {
		t.Fatal("result not writable")
	}
	again, _ := z.LookupTXTStrings(ctx, "a.example")
	txt, _ := z.LookupTXT(ctx, "a.example")
	if !cmp.Equal(again, [][]string{{"one", "two"}, {"three"}}) || !cmp.Equal(txt, []string{"onetwo", "three"}) {
		t.Errorf("zone changed through a result: %q %q", again, txt)
	}
	txt[0] = "x"
	if txt2, _ := z.LookupTXT(ctx, "a.example"); txt2[0] != "onetwo" {
		t.Error("LookupTXT returned shared data")
	}
}

func TestLookupAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	z := benchZone(&testing.B{})
	ctx := context.Background()
	for _, tt := range []struct {
		name string
		max  float64
		f    func()
	}{
		{"LookupTXT", 1, func() { z.LookupTXT(ctx, "amazonses.com") }},
		{"LookupTXT via CNAME", 1, func() { z.LookupTXT(ctx, "alias.example.org.") }},
		{"LookupTXTStrings", 2, func() { z.LookupTXTStrings(ctx, "example.org") }},
		{"LookupMX", 1, func() { z.LookupMX(ctx, "example.org") }},
		{"LookupNetIP ip", 1, func() { z.LookupNetIP(ctx, "ip", "mx1.example.org") }},
		{"LookupTXT NXDOMAIN", 1, func() { z.LookupTXT(ctx, "none.example.org") }},
	} {
		if n := testing.AllocsPerRun(50, tt.f); n > tt.max {
			t.Errorf("%s: %v allocations, want at most %v", tt.name, n, tt.max)
		}
	}
}

func TestConcurrentMixedUse(t *testing.T) {
	z := testZone(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			for j := range 100 {
				switch i {
				case 0:
					z.AddTXT(fmt.Sprintf("n%d.wild.example.org", j), "x")
					z.Remove(fmt.Sprintf("n%d.wild.example.org", j), TypeTXT)
				case 1:
					z.SetFault("example.org", TypeMX, FaultTimeout)
					z.SetFault("example.org", TypeMX, FaultNone)
					z.SetDelay(0)
				default:
					z.LookupTXT(ctx, "q.wild.example.org")
					z.LookupMX(ctx, "example.org")
					z.LookupTXTStrings(ctx, "example.org")
					z.LookupAddr(ctx, "192.0.2.10")
					z.LookupCNAMETarget(ctx, "www.example.org")
					z.Records()
					z.Lookup("example.org", TypeANY)
					_ = z.String()
				}
			}
		})
	}
	wg.Wait()
}

// TestNeedsWork compares the eight-bytes-at-a-time test with the plain one
// on every byte value at every position.
func TestNeedsWork(t *testing.T) {
	plain := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if c := s[i]; 'A' <= c && c <= 'Z' || c >= 0x80 {
				return true
			}
		}
		return false
	}
	base := []byte("abcdefghijklmnopq.example.org")
	for pos := range base {
		for c := range 256 {
			b := slices.Clone(base)
			b[pos] = byte(c)
			if got, want := needsWork(string(b)), plain(string(b)); got != want {
				t.Fatalf("needsWork(%q) = %v, want %v", b, got, want)
			}
		}
	}
}

// TestLookupExists checks NXDOMAIN against NODATA (domainauth.ExistenceResolver):
// owners, empty non-terminals (RFC 8020 §2), wildcards (RFC 4592 §3.3.1).
func TestLookupExists(t *testing.T) {
	z := testZone(t)
	z.AddTXT("*.example", "top")
	z.AddA("a.b.c.example", "192.0.2.1")
	ctx := context.Background()
	tests := []struct {
		name string
		want bool
	}{
		{"example.org", true},                  // owns records
		{"EXAMPLE.org.", true},                 // case and trailing dot
		{"www.example.org", true},              // owns only a CNAME
		{"loop1.example.org", true},            // a CNAME loop does not make the owner vanish
		{"b.deep.example.org", true},           // empty non-terminal
		{"deep.example.org", true},             // empty non-terminal, two up
		{"org", true},                          // the zone's names' ancestors exist
		{"nope.example.org", false},            // NXDOMAIN
		{"x.a.b.deep.example.org", false},      // below an owner
		{"anything.wild.example.org", true},    // synthesised by *.wild
		{"y.exists.wild.example.org", false},   // closest encloser exists.wild has no wildcard
		{"other.example", true},                // *.example
		{"b.c.example", true},                  // empty non-terminal, not the wildcard
		{"x.a.b.c.example", false},             // closest encloser a.b.c.example has no wildcard
		{"in-addr.arpa", true},                 // ancestor of the PTR owner
		{"11.2.0.192.in-addr.arpa", false},     // sibling of the PTR owner
		{"example.net", false},                 // outside the zone's names
		{".", true},                            // the root, in a zone with records
		{"nullmx.example.org", true},           // owns a null MX
		{"_dmarc.nullmx.example.org", false},   // below it, nothing
		{"www.example.org.example.org", false}, // not a CNAME target lookup
	}
	for _, tt := range tests {
		got, err := z.LookupExists(ctx, tt.name)
		if err != nil || got != tt.want {
			t.Errorf("LookupExists(%q) = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if got, err := New().LookupExists(ctx, "."); err != nil || got {
		t.Errorf("root of an empty zone: %v, %v; want false", got, err)
	}
}

func TestLookupExistsFaultsAndContext(t *testing.T) {
	z := testZone(t)
	ctx := context.Background()
	z.SetFault("example.org", TypeTXT, FaultServFail)
	if ok, err := z.LookupExists(ctx, "example.org"); err != nil || !ok {
		t.Errorf("a TXT fault affected LookupExists: %v, %v", ok, err)
	}
	z.SetFault("example.org", TypeANY, FaultServFail)
	if _, err := z.LookupExists(ctx, "example.org"); domainauth.Classify(ctx, err) != domainauth.ErrorKindTemporary {
		t.Errorf("TypeANY fault: %v; want a temporary error", err)
	}
	z.SetFault("nope.example.org", TypeANY, FaultTimeout)
	_, err := z.LookupExists(ctx, "nope.example.org")
	if de, ok := errors.AsType[*net.DNSError](err); !ok || !de.IsTimeout {
		t.Errorf("timeout fault at a missing name: %v", err)
	}
	z.SetDelay(time.Hour)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := z.LookupExists(cctx, "www.example.org"); domainauth.Classify(cctx, err) != domainauth.ErrorKindCanceled {
		t.Errorf("delay past the deadline: %v; want canceled", err)
	}
}
