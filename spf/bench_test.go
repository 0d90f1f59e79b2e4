package spf

import (
	"context"
	"maps"
	"net/netip"
	"testing"
	"time"

	"github.com/domainauth/domainauth/zone"
)

// sesRecord stands in for amazonses.com's published SPF record: twelve ip4
// ranges and -all.
const sesRecord = "v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 ip4:54.240.0.0/18 " +
	"ip4:69.169.224.0/20 ip4:23.249.208.0/20 ip4:23.251.224.0/19 ip4:76.223.176.0/20 " +
	"ip4:54.240.64.0/19 ip4:54.240.96.0/19 ip4:76.223.128.0/19 ip4:216.221.160.0/19 " +
	"ip4:206.55.144.0/20 -all"

type benchCase struct {
	name string
	zone func() *zone.Zone
	in   Input
	want Code
}

// benchCases are the four evaluation cases of issue 3.
func benchCases() []benchCase {
	return []benchCase{
		{
			name: "a-ip4-cidr",
			zone: func() *zone.Zone {
				z := zone.New()
				z.AddTXT("example.com", "v=spf1 ip4:192.0.2.0/24 -all")
				return z
			},
			in:   Input{IP: netip.MustParseAddr("192.0.2.10"), MailFrom: "alice@example.com", HELO: "mx.example.com"},
			want: CodePass,
		},
		{
			name: "b-include-amazonses",
			zone: func() *zone.Zone {
				z := zone.New()
				z.AddTXT("mail.example.com", "v=spf1 include:amazonses.com ~all")
				z.AddTXT("amazonses.com", sesRecord)
				return z
			},
			in:   Input{IP: netip.MustParseAddr("54.240.8.31"), MailFrom: "bounce@mail.example.com", HELO: "a8-31.smtp-out.amazonses.com"},
			want: CodePass,
		},
		{
			name: "c-include-tree",
			zone: providerTree,
			in:   Input{IP: netip.MustParseAddr("172.253.112.77"), MailFrom: "bob@example.com", HELO: "mail-yw1.provider.test"},
			want: CodePass,
		},
		{
			name: "d-exists-macro",
			zone: func() *zone.Zone {
				z := zone.New()
				z.AddTXT("example.com", "v=spf1 exists:%{i}._spf.%{d} -all")
				z.AddA("192.0.2.10._spf.example.com", "127.0.0.2")
				return z
			},
			in:   Input{IP: netip.MustParseAddr("192.0.2.10"), MailFrom: "alice@example.com", HELO: "mx.example.com"},
			want: CodePass,
		},
	}
}

// providerTree is a three-level include tree in the style large mail
// providers publish: about 30 ranges, the client in the last one.
func providerTree() *zone.Zone {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 include:spf.protection.test include:_spf.provider.test -all")
	z.AddTXT("spf.protection.test", "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/14 "+
		"ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 -all")
	z.AddTXT("_spf.provider.test", "v=spf1 include:_netblocks.provider.test include:_netblocks2.provider.test "+
		"include:_netblocks3.provider.test ~all")
	z.AddTXT("_netblocks.provider.test", "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ip4:66.102.0.0/20 "+
		"ip4:66.249.80.0/20 ip4:72.14.192.0/18 ip4:74.125.0.0/16 ip4:108.177.8.0/21 ip4:173.194.0.0/16 ~all")
	z.AddTXT("_netblocks2.provider.test", "v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 "+
		"ip6:2607:f8b0:4000::/36 ip6:2800:3f0:4000::/36 ip6:2a00:1450:4000::/36 ip6:2c0f:fb50:4000::/36 "+
		"ip6:2001:db8:1::/48 ip6:2001:db8:2::/48 ~all")
	z.AddTXT("_netblocks3.provider.test", "v=spf1 ip4:130.211.0.0/22 ip4:108.177.96.0/19 ip4:35.191.0.0/16 "+
		"ip4:209.85.128.0/17 ip4:216.58.192.0/19 ip4:216.239.32.0/19 ip4:142.250.0.0/15 ip4:172.253.0.0/16 ~all")
	return z
}

func TestBenchCases(t *testing.T) {
	for _, bc := range benchCases() {
		for _, pf := range []bool{false, true} {
			c := &Checker{Resolver: bc.zone(), Prefetch: pf}
			r := c.Check(context.Background(), bc.in)
			if r.Code != bc.want {
				t.Errorf("%s (prefetch %v): got %v (%v), want %v", bc.name, pf, r.Code, r.Err, bc.want)
			}
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRecord("v=spf1 mx a:mail.example.com ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.net ~all"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	for _, bc := range benchCases() {
		b.Run(bc.name, func(b *testing.B) {
			c := &Checker{Resolver: bc.zone()}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if r := c.Check(ctx, bc.in); r.Code != bc.want {
					b.Fatalf("got %v (%v)", r.Code, r.Err)
				}
			}
		})
	}
}

// BenchmarkCheckFresh is BenchmarkCheck with a new Checker per check, as a
// caller that builds one per message does: no record cache helps it.
func BenchmarkCheckFresh(b *testing.B) {
	for _, bc := range benchCases() {
		b.Run(bc.name, func(b *testing.B) {
			z := bc.zone()
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				c := &Checker{Resolver: z}
				if r := c.Check(ctx, bc.in); r.Code != bc.want {
					b.Fatalf("got %v (%v)", r.Code, r.Err)
				}
			}
		})
	}
}

// wideTree is a wider include tree as real domains publish: the root has
// five includes, the first with three includes of its own and the third
// with one; nine DNS-querying terms, depth three. The client is in the last
// include, so evaluation walks the whole tree.
func wideTree() *zone.Zone { return wideTreeWith(nil) }

// wideTreeWith is wideTree with the records in over replacing those at
// the same names ("" removes one).
func wideTreeWith(over map[string]string) *zone.Zone {
	records := map[string]string{
		"example.org": "v=spf1 include:_spf.crm.test include:spf.helpdesk.test " +
			"include:_spf.esp.test include:spf.newsletter.test include:_spf.office.test -all",
		"_spf.crm.test":       "v=spf1 include:_spf1.crm.test include:_spf2.crm.test include:_spf3.crm.test ~all",
		"_spf1.crm.test":      "v=spf1 ip4:13.110.208.0/21 ip4:13.110.216.0/22 ip4:13.110.224.0/20 ~all",
		"_spf2.crm.test":      "v=spf1 ip4:136.146.128.0/20 ip4:136.146.208.0/22 ~all",
		"_spf3.crm.test":      "v=spf1 ip4:161.71.32.0/19 ip4:161.71.64.0/20 ~all",
		"spf.helpdesk.test":   "v=spf1 ip4:192.161.144.0/20 ip4:185.12.80.0/22 ~all",
		"_spf.esp.test":       "v=spf1 include:_netblocks.esp.test ~all",
		"_netblocks.esp.test": "v=spf1 ip4:198.2.128.0/18 ip4:148.105.8.0/21 ~all",
		"spf.newsletter.test": "v=spf1 ip4:198.21.0.0/21 ip4:167.89.0.0/17 ~all",
		"_spf.office.test":    "v=spf1 ip4:40.92.0.0/15 ip4:52.100.0.0/14 -all",
	}
	maps.Copy(records, over)
	z := zone.New()
	for name, txt := range records {
		if txt != "" {
			z.AddTXT(name, txt)
		}
	}
	return z
}

// latencyCase is a tree BenchmarkLatency and TestPrefetchLatency evaluate
// at 2 ms per DNS answer; the client passes.
type latencyCase struct {
	name string
	zone func() *zone.Zone
	in   Input
}

// latencyCases are the google-like tree of benchmark case (c) and the wide
// tree. Both are three levels deep: three round trips is the bound no
// prefetching can beat.
func latencyCases() []latencyCase {
	bc := benchCases()[2]
	return []latencyCase{
		{"google-like", bc.zone, bc.in},
		{"wide", wideTree, Input{IP: netip.MustParseAddr("52.100.7.9"), MailFrom: "news@example.org", HELO: "mail.example.org"}},
	}
}

// BenchmarkLatency evaluates the latency cases with 2 ms per DNS lookup,
// sequentially and with prefetching.
func BenchmarkLatency(b *testing.B) {
	for _, lc := range latencyCases() {
		for _, pf := range []bool{false, true} {
			name := lc.name + "/sequential"
			if pf {
				name = lc.name + "/prefetch"
			}
			b.Run(name, func(b *testing.B) {
				z := lc.zone()
				z.SetDelay(2 * time.Millisecond)
				c := &Checker{Resolver: z, Prefetch: pf}
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if r := c.Check(ctx, lc.in); r.Code != CodePass {
						b.Fatalf("got %v (%v)", r.Code, r.Err)
					}
				}
			})
		}
	}
}

// TestPrefetchLatency checks the latency goals at 2 ms per lookup: with
// prefetching the google-like tree takes at most 0.6 and the wide tree at
// most 0.35 of the sequential wall time (within one round trip of their
// depth bound of three round trips).
func TestPrefetchLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	goals := map[string]float64{"google-like": 0.6, "wide": 0.35}
	for _, lc := range latencyCases() {
		measure := func(pf bool) time.Duration {
			z := lc.zone()
			z.SetDelay(2 * time.Millisecond)
			c := &Checker{Resolver: z, Prefetch: pf}
			best := time.Hour
			for range 5 {
				start := time.Now()
				if r := c.Check(context.Background(), lc.in); r.Code != CodePass {
					t.Fatalf("%s: got %v (%v)", lc.name, r.Code, r.Err)
				}
				best = min(best, time.Since(start))
			}
			return best
		}
		// A loaded machine can delay the goroutines; the goal holds if one
		// of three rounds meets it.
		for round := range 3 {
			seq, pre := measure(false), measure(true)
			t.Logf("%s at 2ms/lookup: sequential %v, prefetch %v (%.2fx)", lc.name, seq, pre, float64(pre)/float64(seq))
			if float64(pre) <= goals[lc.name]*float64(seq) {
				break
			}
			if round == 2 {
				t.Errorf("%s: prefetch %v > %.2f x sequential %v", lc.name, pre, goals[lc.name], seq)
			}
		}
	}
}

// BenchmarkScanRecord is the work a Checker used once does on the 14 terms
// of sesRecord: parse each, keep none.
func BenchmarkScanRecord(b *testing.B) {
	e := &eval{ip: netip.MustParseAddr("203.0.113.1")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.scanRecord(sesRecord); err != nil {
			b.Fatal(err)
		}
	}
}
