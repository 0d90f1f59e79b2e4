package zone

import (
	"context"
	"errors"
	"net"
	"net/netip"
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
	if domainauth.Classify(ctx, err) != domainauth.Temporary {
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
	if !errors.As(err, &de) || !de.IsTimeout || domainauth.Classify(ctx, err) != domainauth.Temporary {
		t.Errorf("timeout fault: %v", err)
	}
	if _, err := z.LookupMX(ctx, "example.org"); err != nil {
		t.Errorf("a TXT fault affected MX: %v", err)
	}
	z.SetFault("host.example.org", TypeANY, FaultServFail)
	if _, err := z.LookupNetIP(ctx, "ip4", "www.example.org"); domainauth.Classify(ctx, err) != domainauth.Temporary {
		t.Errorf("fault at the end of a CNAME chain: %v", err)
	}
	z.SetFault("example.org", TypeTXT, NoFault)
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
	if !errors.Is(err, context.DeadlineExceeded) || domainauth.Classify(ctx, err) != domainauth.Canceled {
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
