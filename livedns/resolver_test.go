package livedns_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnstest"
	"github.com/domainauth/domainauth/livedns"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

// testZone holds one of each thing the tests ask for.
func testZone(t testing.TB) *zone.Zone {
	t.Helper()
	z, err := zone.ParseString(`
$ORIGIN example.org.
$TTL 300
@        SOA   ns1 hostmaster 1 7200 3600 1209600 60
@        NS    ns1
@        MX    20 mx2
@        MX    10 mx1
@        TXT   "v=spf1 " "ip4:192.0.2.0/24 " "include:_spf.example.net -all"
@        TXT   "other"
ns1      A     192.0.2.53
mx1      A     192.0.2.10
mx1      AAAA  2001:db8::10
mx2      A     192.0.2.11
www      CNAME web
web      CNAME host
host     A     192.0.2.20
host     TXT   "at the end of the chain"
mail     CNAME mx1
a.b.deep TXT   "deep"
nullmx   MX    0 .
dangling CNAME nowhere.example.org.
10.2.0.192.in-addr.arpa. PTR mx1.example.org.
_spf.example.net. TXT "v=spf1 ip4:198.51.100.0/24 -all"
org.     NS    a0.org.afilias-nst.info.
`, ".")
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// start serves z and returns a resolver that asks the server. Tests that
// expect a timeout set a short one; this one is long enough for a loaded
// machine under the race detector.
func start(t testing.TB, z *zone.Zone, opts dnstest.Options) (*dnstest.Server, *livedns.Resolver) {
	t.Helper()
	srv := dnstest.Start(t, z, opts)
	return srv, &livedns.Resolver{Server: srv.Addr(), Timeout: 2 * time.Second}
}

func TestLookups(t *testing.T) {
	_, r := start(t, testZone(t), dnstest.Options{})
	ctx := context.Background()
	tests := []struct {
		name string
		run  func() (any, error)
		want any
	}{
		{"TXT joined", func() (any, error) { return r.LookupTXT(ctx, "example.org") },
			[]string{"v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all", "other"}},
		{"TXT strings kept apart", func() (any, error) { return r.LookupTXTStrings(ctx, "Example.ORG.") },
			[][]string{{"v=spf1 ", "ip4:192.0.2.0/24 ", "include:_spf.example.net -all"}, {"other"}}},
		{"TXT through a CNAME chain", func() (any, error) { return r.LookupTXT(ctx, "www.example.org") },
			[]string{"at the end of the chain"}},
		{"MX by preference", func() (any, error) { return r.LookupMX(ctx, "example.org") },
			[]*net.MX{{Host: "mx1.example.org.", Pref: 10}, {Host: "mx2.example.org.", Pref: 20}}},
		{"null MX", func() (any, error) { return r.LookupMX(ctx, "nullmx.example.org") },
			[]*net.MX{{Host: ".", Pref: 0}}},
		{"A", func() (any, error) { return r.LookupNetIP(ctx, "ip4", "mx1.example.org") },
			[]netip.Addr{netip.MustParseAddr("192.0.2.10")}},
		{"AAAA", func() (any, error) { return r.LookupNetIP(ctx, "ip6", "mx1.example.org") },
			[]netip.Addr{netip.MustParseAddr("2001:db8::10")}},
		{"A and AAAA", func() (any, error) { return r.LookupNetIP(ctx, "ip", "mx1.example.org") },
			[]netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("2001:db8::10")}},
		{"ip with one family", func() (any, error) { return r.LookupNetIP(ctx, "ip", "mx2.example.org") },
			[]netip.Addr{netip.MustParseAddr("192.0.2.11")}},
		{"A through CNAMEs", func() (any, error) { return r.LookupNetIP(ctx, "ip4", "www.example.org") },
			[]netip.Addr{netip.MustParseAddr("192.0.2.20")}},
		{"address literal", func() (any, error) { return r.LookupNetIP(ctx, "ip", "192.0.2.99") },
			[]netip.Addr{netip.MustParseAddr("192.0.2.99")}},
		{"PTR", func() (any, error) { return r.LookupAddr(ctx, "192.0.2.10") },
			[]string{"mx1.example.org."}},
		{"CNAME target, one hop", func() (any, error) { return r.LookupCNAMETarget(ctx, "www.example.org") },
			"web.example.org"},
		{"CNAME target of a dangling CNAME", func() (any, error) { return r.LookupCNAMETarget(ctx, "dangling.example.org") },
			"nowhere.example.org"},
		{"exists with data", func() (any, error) { return r.LookupExists(ctx, "org") }, true},
		{"exists without NS (NODATA)", func() (any, error) { return r.LookupExists(ctx, "mx1.example.org") }, true},
		{"exists as empty non-terminal", func() (any, error) { return r.LookupExists(ctx, "b.deep.example.org") }, true},
		{"exists as a dangling CNAME", func() (any, error) { return r.LookupExists(ctx, "dangling.example.org") }, true},
		{"does not exist (NXDOMAIN)", func() (any, error) { return r.LookupExists(ctx, "nope.example.org") }, false},
		{"not a domain name", func() (any, error) { return r.LookupExists(ctx, "a..b") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.run()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	srv, r := start(t, testZone(t), dnstest.Options{})
	ctx := context.Background()
	tests := []struct {
		name string
		run  func() error
	}{
		{"NXDOMAIN", func() error { _, err := r.LookupTXT(ctx, "nope.example.org"); return err }},
		{"NODATA", func() error { _, err := r.LookupTXT(ctx, "mx1.example.org"); return err }},
		{"NODATA at an empty non-terminal", func() error { _, err := r.LookupMX(ctx, "deep.example.org"); return err }},
		{"dangling CNAME", func() error { _, err := r.LookupTXT(ctx, "dangling.example.org"); return err }},
		{"no CNAME", func() error { _, err := r.LookupCNAMETarget(ctx, "host.example.org"); return err }},
		{"no PTR", func() error { _, err := r.LookupAddr(ctx, "192.0.2.77"); return err }},
		{"no address of either family", func() error { _, err := r.LookupNetIP(ctx, "ip", "example.org"); return err }},
		{"empty label", func() error { _, err := r.LookupTXT(ctx, "a..example.org"); return err }},
		{"name over 253 octets", func() error {
			_, err := r.LookupTXT(ctx, strings.Repeat("a.", 127)+"org")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			de, ok := errors.AsType[*net.DNSError](err)
			if !ok || !de.IsNotFound || de.IsTemporary || domainauth.Classify(ctx, err) != domainauth.ErrorKindNotFound {
				t.Errorf("err = %#v; want a not-found *net.DNSError", err)
			}
		})
	}
	for _, q := range srv.Queries() {
		if strings.Contains(q.Name, "..") || len(q.Name) > 254 {
			t.Errorf("a name that cannot be a domain name was sent: %q", q.Name)
		}
	}
	if _, err := r.LookupNetIP(ctx, "ip4", "2001:db8::1"); !errors.As(err, new(*net.AddrError)) {
		t.Errorf("IPv6 literal for ip4: %v; want *net.AddrError", err)
	}
	if _, err := r.LookupNetIP(ctx, "tcp", "example.org"); !errors.As(err, new(net.UnknownNetworkError)) {
		t.Errorf("network tcp: %v; want net.UnknownNetworkError", err)
	}
}

// TestTruncationFallsBackToTCP: an answer over the advertised EDNS0 size
// (1232 by default) or, from a server without EDNS0, over 512 bytes comes
// truncated over UDP and is asked again over TCP (RFC 7766 §5).
func TestTruncationFallsBackToTCP(t *testing.T) {
	z := testZone(t)
	long := strings.Repeat("k", 250)
	for i := range 6 { // 6 records of 250 bytes: over 1232
		z.AddTXT("big.example.org", fmt.Sprint(i)+long)
	}
	z.AddTXTStrings("medium.example.org", long, long) // two records: over 512, under 1232
	z.AddTXTStrings("medium.example.org", long)
	for _, tt := range []struct {
		name    string
		opts    dnstest.Options
		qname   string
		records int
		tcp     bool
	}{
		{"over 1232 with EDNS0", dnstest.Options{}, "big.example.org", 6, true},
		{"under 1232 with EDNS0", dnstest.Options{}, "medium.example.org", 2, false},
		{"over 512 without EDNS0", dnstest.Options{NoEDNS: true}, "medium.example.org", 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, r := start(t, z, tt.opts)
			got, err := r.LookupTXTStrings(context.Background(), tt.qname)
			if err != nil || len(got) != tt.records {
				t.Fatalf("got %d records, %v; want %d", len(got), err, tt.records)
			}
			var nets []string
			for _, q := range srv.Queries() {
				nets = append(nets, q.Network)
				if !q.EDNS {
					t.Errorf("query without EDNS0: %+v", q)
				}
			}
			want := []string{"udp"}
			if tt.tcp {
				want = append(want, "tcp")
			}
			if diff := cmp.Diff(want, nets); diff != "" {
				t.Errorf("transports (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServFailIsTemporary(t *testing.T) {
	srv, r := start(t, testZone(t), dnstest.Options{})
	srv.FailName("example.org", dnstest.ServFail)
	ctx := context.Background()
	_, err := r.LookupMX(ctx, "example.org")
	de, ok := errors.AsType[*net.DNSError](err)
	if !ok || !de.IsTemporary || de.IsTimeout || de.IsNotFound || domainauth.Classify(ctx, err) != domainauth.ErrorKindTemporary {
		t.Fatalf("err = %#v; want a temporary, not timed-out *net.DNSError", err)
	}
	if !strings.Contains(de.Err, "SERVFAIL") || de.Server != srv.Addr() || de.Name != "example.org" {
		t.Errorf("err = %v; want SERVFAIL from %s for example.org", err, srv.Addr())
	}
	if n := srv.QueryCount(); n != 1 {
		t.Errorf("%d queries; an error code is not retried", n)
	}
	if _, err := r.LookupExists(ctx, "example.org"); domainauth.Classify(ctx, err) != domainauth.ErrorKindTemporary {
		t.Errorf("LookupExists after SERVFAIL: %v; want temporary (a failure is not NXDOMAIN)", err)
	}
	srv.FailName("example.org.", dnstest.NoFailure)
	if _, err := r.LookupMX(ctx, "example.org"); err != nil {
		t.Errorf("a failure must not be cached: %v", err)
	}
}

func TestTimeoutIsRetriedThenTemporary(t *testing.T) {
	srv, r := start(t, testZone(t), dnstest.Options{})
	r.Timeout, r.Attempts = 50*time.Millisecond, 3
	srv.FailName("example.org", dnstest.Timeout)
	ctx := context.Background()
	begin := time.Now()
	_, err := r.LookupTXT(ctx, "example.org")
	de, ok := errors.AsType[*net.DNSError](err)
	if !ok || !de.IsTimeout || !de.IsTemporary || domainauth.Classify(ctx, err) != domainauth.ErrorKindTemporary {
		t.Fatalf("err = %#v; want a timeout", err)
	}
	if n := srv.QueryCount(); n != 3 {
		t.Errorf("%d queries; want 3 attempts", n)
	}
	if el := time.Since(begin); el < 150*time.Millisecond || el > 2*time.Second {
		t.Errorf("took %v; want about 3 × 50ms", el)
	}
}

// TestMismatchedAnswersAreIgnored: an answer with another ID or another
// question is never taken (RFC 5452 §9.1); the right one that follows is,
// and without it the query times out.
func TestMismatchedAnswersAreIgnored(t *testing.T) {
	z := testZone(t)
	for i := range 6 { // over 1232 bytes: truncated over UDP, then TCP
		z.AddTXT("big.example.org", fmt.Sprint(i)+strings.Repeat("k", 250))
	}
	for _, tt := range []struct {
		name    string
		qname   string
		failure dnstest.Failure
		records int // 0: a timeout
	}{
		{"wrong ID then the answer", "host.example.org", dnstest.WrongID, 1},
		{"wrong question then the answer", "host.example.org", dnstest.WrongQuestion, 1},
		{"only a wrong ID", "host.example.org", dnstest.WrongOnly, 0},
		{"wrong ID then the answer, over UDP and TCP", "big.example.org", dnstest.WrongID, 6},
		{"wrong question then the answer, over UDP and TCP", "big.example.org", dnstest.WrongQuestion, 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, r := start(t, z, dnstest.Options{})
			r.Timeout, r.Attempts = 100*time.Millisecond, 1
			srv.FailName(tt.qname, tt.failure)
			got, err := r.LookupTXT(context.Background(), tt.qname)
			if tt.records > 0 {
				if err != nil || len(got) != tt.records {
					t.Errorf("got %d records, %v; want %d", len(got), err, tt.records)
				}
				return
			}
			if de, ok := errors.AsType[*net.DNSError](err); !ok || !de.IsTimeout {
				t.Errorf("got %q, %v; want a timeout", got, err)
			}
		})
	}
}

// TestNXDomainForEverything: a resolver that answers NXDOMAIN for every
// name says a top-level domain does not exist; the audit uses that to
// report DNS as unusable.
func TestNXDomainForEverything(t *testing.T) {
	_, r := start(t, testZone(t), dnstest.Options{NXDomainAll: true})
	ctx := context.Background()
	if ok, err := r.LookupExists(ctx, "org"); err != nil || ok {
		t.Errorf("LookupExists(org) = %v, %v; want false", ok, err)
	}
	if _, err := r.LookupMX(ctx, "example.org"); !domainauth.IsNotFound(err) {
		t.Errorf("LookupMX: %v; want not found", err)
	}
}

func TestCNAMEChainBound(t *testing.T) {
	z := testZone(t)
	chain := func(prefix string, hops int) string {
		for i := range hops {
			z.AddCNAME(fmt.Sprintf("%s%d.example.org", prefix, i), fmt.Sprintf("%s%d.example.org", prefix, i+1))
		}
		z.AddTXT(fmt.Sprintf("%s%d.example.org", prefix, hops), "end")
		return prefix + "0.example.org"
	}
	atBound, pastBound := chain("c", 8), chain("d", 9) // the default bound is 8
	z.AddCNAME("loop1.example.org", "loop2.example.org")
	z.AddCNAME("loop2.example.org", "loop1.example.org")
	srv, r := start(t, z, dnstest.Options{})
	ctx := context.Background()
	if got, err := r.LookupTXT(ctx, atBound); err != nil || len(got) != 1 {
		t.Errorf("8 hops: %q, %v; want the record", got, err)
	}
	for _, name := range []string{pastBound, "loop1.example.org"} {
		before := srv.QueryCount()
		_, err := r.LookupTXT(ctx, name)
		if de, ok := errors.AsType[*net.DNSError](err); !ok || !de.IsTemporary || !strings.Contains(de.Err, "CNAME chain") {
			t.Errorf("%s: %v; want a temporary CNAME-chain error", name, err)
		}
		if n := srv.QueryCount() - before; n > 9 {
			t.Errorf("%s: %d queries", name, n)
		}
	}
}

// TestMaxRecordsDefault: an answer with more than 1,000 records is refused.
func TestMaxRecordsDefault(t *testing.T) {
	z := testZone(t)
	for i := range 1001 {
		if i < 1000 {
			z.AddA("many.example.org", fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		}
		z.AddA("toomany.example.org", fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	_, r := start(t, z, dnstest.Options{})
	ctx := context.Background()
	if got, err := r.LookupNetIP(ctx, "ip4", "many.example.org"); err != nil || len(got) != 1000 {
		t.Errorf("1000 records: %d, %v", len(got), err)
	}
	_, err := r.LookupNetIP(ctx, "ip4", "toomany.example.org")
	if domainauth.Classify(ctx, err) != domainauth.ErrorKindTemporary || !strings.Contains(err.Error(), "too many records") {
		t.Errorf("1001 records: %v; want a temporary error", err)
	}
}

func TestCache(t *testing.T) {
	srv, r := start(t, testZone(t), dnstest.Options{})
	ctx := context.Background()
	count := func(f func()) int {
		before := srv.QueryCount()
		f()
		return srv.QueryCount() - before
	}
	lookup := func(name string) func() { return func() { r.LookupTXT(ctx, name) } }
	if n := count(lookup("example.org")); n != 1 {
		t.Errorf("first lookup: %d queries", n)
	}
	if n := count(lookup("EXAMPLE.org.")); n != 0 {
		t.Errorf("second lookup, other spelling: %d queries; want the cache", n)
	}
	if n := count(func() { r.LookupTXTStrings(ctx, "example.org") }); n != 0 {
		t.Errorf("TXT strings after TXT: %d queries; want the cache", n)
	}
	// The zone's SOA allows negative caching (RFC 2308 §5).
	count(lookup("nope.example.org"))
	if n := count(lookup("nope.example.org")); n != 0 {
		t.Errorf("repeated NXDOMAIN: %d queries; want the cache", n)
	}
	// Callers own what they get.
	a, _ := r.LookupTXTStrings(ctx, "example.org")
	a[0][0] = "changed"
	if b, _ := r.LookupTXTStrings(ctx, "example.org"); b[0][0] != "v=spf1 " {
		t.Errorf("the cache shares its records with callers: %q", b[0][0])
	}

	// Outside the SOA's zone no negative answer is cached.
	srv2, r2 := start(t, testZone(t), dnstest.Options{})
	r2.LookupTXT(ctx, "nope.example.com")
	r2.LookupTXT(ctx, "nope.example.com")
	if n := srv2.QueryCount(); n != 2 {
		t.Errorf("NXDOMAIN without SOA: %d queries; want 2 (not cached)", n)
	}

	srv3, off := start(t, testZone(t), dnstest.Options{})
	off.CacheSize = -1
	off.LookupTXT(ctx, "example.org")
	off.LookupTXT(ctx, "example.org")
	if n := srv3.QueryCount(); n != 2 {
		t.Errorf("CacheSize -1: %d queries; want 2", n)
	}

	srv4 := dnstest.Start(t, testZone(t), dnstest.Options{})
	short := &livedns.Resolver{Server: srv4.Addr(), MaxCacheTTL: 20 * time.Millisecond}
	short.LookupTXT(ctx, "example.org")
	time.Sleep(40 * time.Millisecond)
	short.LookupTXT(ctx, "example.org")
	if n := srv4.QueryCount(); n != 2 {
		t.Errorf("past MaxCacheTTL: %d queries; want 2", n)
	}
}

func TestContextHonoured(t *testing.T) {
	_, r := start(t, testZone(t), dnstest.Options{Delay: time.Hour})
	r.Timeout = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	begin := time.Now()
	_, err := r.LookupTXT(ctx, "example.org")
	if domainauth.Classify(ctx, err) != domainauth.ErrorKindCanceled || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v; want the context's deadline", err)
	}
	if el := time.Since(begin); el > 2*time.Second {
		t.Errorf("took %v after a 30ms deadline", el)
	}
	cctx, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel2)
	if _, err := r.LookupMX(cctx, "example.org"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v; want context.Canceled", err)
	}
	if _, err := r.LookupMX(cctx, "example.org"); !errors.Is(err, context.Canceled) {
		t.Errorf("already cancelled: %v; want context.Canceled", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	_, r := start(t, testZone(t), dnstest.Options{Delay: time.Millisecond})
	r.CacheSize = 4 // churn the cache
	ctx := context.Background()
	names := []string{"example.org", "www.example.org", "host.example.org", "nope.example.org", "mx1.example.org", "nullmx.example.org"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 30 {
				name := names[(g+i)%len(names)]
				switch i % 4 {
				case 0:
					r.LookupTXT(ctx, name)
				case 1:
					r.LookupMX(ctx, name)
				case 2:
					r.LookupNetIP(ctx, "ip", name)
				case 3:
					if _, err := r.LookupExists(ctx, name); err != nil {
						t.Errorf("LookupExists(%s): %v", name, err)
					}
				}
			}
		})
	}
	wg.Wait()
	if got, err := r.LookupTXT(ctx, "host.example.org"); err != nil || len(got) != 1 {
		t.Errorf("after concurrent use: %q, %v", got, err)
	}
}

// TestSPFOverLiveDNS runs spf.Checker end to end over the wire.
func TestSPFOverLiveDNS(t *testing.T) {
	_, r := start(t, testZone(t), dnstest.Options{})
	c := &spf.Checker{Resolver: r}
	for _, tt := range []struct {
		ip   string
		want string
	}{
		{"192.0.2.5", "pass"},    // ip4 in the record
		{"198.51.100.7", "pass"}, // through include:
		{"203.0.113.1", "fail"},  // -all
	} {
		res := c.Check(context.Background(), spf.Input{IP: netip.MustParseAddr(tt.ip), MailFrom: "alice@example.org"})
		if res.Code.String() != tt.want {
			t.Errorf("%s: %v (%v); want %s", tt.ip, res.Code, res.Err, tt.want)
		}
	}
}

func TestServers(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"192.0.2.53", "192.0.2.53:53"},
		{"192.0.2.53:5353", "192.0.2.53:5353"},
		{"2001:db8::53", "[2001:db8::53]:53"},
		{"[2001:db8::53]:53", "[2001:db8::53]:53"},
	} {
		r := &livedns.Resolver{Server: tt.in}
		if got := r.Servers(); len(got) != 1 || got[0] != tt.want {
			t.Errorf("Server %q: %q; want %q", tt.in, got, tt.want)
		}
	}
	if got := (&livedns.Resolver{}).Servers(); len(got) == 0 {
		t.Error("no system servers, not even the local default")
	}
}

// TestUnreachableServer: nothing listens, so the error is temporary.
func TestUnreachableServer(t *testing.T) {
	// A port just closed gives "connection refused" or a timeout.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	r := &livedns.Resolver{Server: addr, Timeout: 50 * time.Millisecond}
	ctx := context.Background()
	if _, err := r.LookupTXT(ctx, "example.org"); domainauth.Classify(ctx, err) != domainauth.ErrorKindTemporary {
		t.Errorf("err = %v; want temporary", err)
	}
}

func BenchmarkLookupTXT(b *testing.B) {
	z := testZone(b)
	for _, bc := range []struct {
		name  string
		cache int
	}{{"cached", 0}, {"uncached", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			_, r := start(b, z, dnstest.Options{})
			r.CacheSize = bc.cache
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.LookupTXT(ctx, "example.org"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestConcurrentLookupsShareOneQuery: askers of a question already in
// flight wait for its answer instead of asking again.
func TestConcurrentLookupsShareOneQuery(t *testing.T) {
	// The delay leaves the 10 goroutines ample time to join the first query.
	srv, r := start(t, testZone(t), dnstest.Options{Delay: 500 * time.Millisecond})
	r.CacheSize = -1 // sharing does not depend on the cache
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if got, err := r.LookupTXT(ctx, "Host.example.org"); err != nil || len(got) != 1 {
				t.Errorf("got %q, %v", got, err)
			}
		})
	}
	wg.Wait()
	if n := srv.QueryCount(); n != 1 {
		t.Errorf("%d queries for one question asked 10 times at once; want 1", n)
	}
	// Errors are shared too, naming the name each caller gave.
	srv.FailName("nope.example.org", dnstest.ServFail)
	for _, name := range []string{"nope.example.org", "NOPE.example.org"} {
		wg.Go(func() {
			_, err := r.LookupTXT(ctx, name)
			if de, ok := errors.AsType[*net.DNSError](err); !ok || de.Name != name || !de.IsTemporary {
				t.Errorf("%s: %v", name, err)
			}
		})
	}
	wg.Wait()
}

// TestWaiterOutlivesFirstCaller: when the caller whose query is in flight
// gives up, one still waiting asks again under its own context.
func TestWaiterOutlivesFirstCaller(t *testing.T) {
	srv, r := start(t, testZone(t), dnstest.Options{Delay: 60 * time.Millisecond})
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	first := make(chan error, 1)
	go func() { _, err := r.LookupTXT(short, "example.org"); first <- err }()
	for srv.QueryCount() == 0 { // the first caller's query is in flight
		time.Sleep(time.Millisecond)
	}
	got, err := r.LookupTXT(context.Background(), "example.org")
	if err != nil || len(got) != 2 {
		t.Errorf("the waiter got %q, %v", got, err)
	}
	if err := <-first; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the first caller: %v; want its deadline", err)
	}
	if n := srv.QueryCount(); n != 2 {
		t.Errorf("%d queries; want 2 (the waiter asked again)", n)
	}
}
