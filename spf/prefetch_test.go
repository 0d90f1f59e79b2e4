package spf

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

// countingResolver counts the queries that reach the zone.
type countingResolver struct {
	z  *zone.Zone
	mu sync.Mutex
	n  map[string]int
}

func (c *countingResolver) count(q string) {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[q]++
	c.mu.Unlock()
}

func (c *countingResolver) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := 0
	for _, v := range c.n {
		t += v
	}
	return t
}

func (c *countingResolver) LookupTXT(ctx context.Context, n string) ([]string, error) {
	c.count("TXT " + n)
	return c.z.LookupTXT(ctx, n)
}
func (c *countingResolver) LookupMX(ctx context.Context, n string) ([]*net.MX, error) {
	c.count("MX " + n)
	return c.z.LookupMX(ctx, n)
}
func (c *countingResolver) LookupNetIP(ctx context.Context, nw, h string) ([]netip.Addr, error) {
	c.count(nw + " " + h)
	return c.z.LookupNetIP(ctx, nw, h)
}
func (c *countingResolver) LookupAddr(ctx context.Context, a string) ([]string, error) {
	c.count("PTR " + a)
	return c.z.LookupAddr(ctx, a)
}

// TestPrefetchBudget checks how far prefetching may run ahead: at most
// MaxLookups term queries of its own per evaluation, only for terms within
// the budget as far as positions are known, however many terms a record
// has. For a flat record it queries exactly what sequential evaluation of
// a failing client does.
func TestPrefetchBudget(t *testing.T) {
	z := zone.New()
	var flat, nested []string
	for i := range 25 {
		leaf := fmt.Sprintf("leaf%d.example.net", i)
		z.AddTXT(leaf, "v=spf1 ip4:203.0.113.1 -all")
		flat = append(flat, "include:"+leaf)
		inner := fmt.Sprintf("i%d.example.net", i)
		z.AddTXT(inner, fmt.Sprintf("v=spf1 a:a%d.example.net include:%s -all", i, leaf))
		nested = append(nested, "include:"+inner)
	}
	z.AddTXT("flat.example.com", "v=spf1 ip4:192.0.2.1 "+strings.Join(flat, " ")+" -all")
	z.AddTXT("nested.example.com", "v=spf1 ip4:192.0.2.1 "+strings.Join(nested, " ")+" -all")
	for _, tt := range []struct {
		domain, ip string
		max        int
	}{
		{"flat.example.com", "198.51.100.1", 11},       // its TXT + 10 includes, as sequential
		{"flat.example.com", "192.0.2.1", 11},          // matches at once; prefetch still within 1 + 10
		{"nested.example.com", "198.51.100.1", 9 + 10}, // sequential stops at the 3rd void lookup
	} {
		seq := &countingResolver{z: z}
		pre := &countingResolver{z: z}
		in := from(netip.MustParseAddr(tt.ip), "x@"+tt.domain)
		a := (&Checker{Resolver: seq}).Check(context.Background(), in)
		b := (&Checker{Resolver: pre, Prefetch: true}).Check(context.Background(), in)
		if a.Code != b.Code || a.Lookups != b.Lookups || a.VoidLookups != b.VoidLookups {
			t.Errorf("%s %s: sequential %v/%d, prefetch %v/%d", tt.domain, tt.ip, a.Code, a.Lookups, b.Code, b.Lookups)
		}
		if n := pre.total(); n > tt.max {
			t.Errorf("%s %s: prefetch made %d queries, want at most %d: %v", tt.domain, tt.ip, n, tt.max, pre.n)
		}
		t.Logf("%s %s: sequential %d queries, prefetch %d", tt.domain, tt.ip, seq.total(), pre.total())
	}
}
