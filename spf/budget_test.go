package spf

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

// pMacroRecord returns a record of about size bytes, a terms whose
// domain-specs are long runs of %{p} labels, then -all, and adds to z an
// address (not the client's) for each term's target when %{p} is
// "unknown". It returns the number of a terms.
func pMacroRecord(z *zone.Zone, size int) int {
	var b strings.Builder
	b.WriteString("v=spf1")
	n := 0
	for ; b.Len() < size; n++ {
		fmt.Fprintf(&b, " a:%s%d.example.com", strings.Repeat("%{p}.", 100), n)
		z.AddA(truncateDomain(fmt.Sprintf("%s%d.example.com", strings.Repeat("unknown.", 100), n)), "198.51.100.1")
	}
	z.AddTXT("example.com", b.String()+" -all")
	return n
}

// TestPMacroQueriesBounded guards issue 11 item 11: the %{p} macro
// computes the client's validated names once per check (one PTR query,
// one address query per distinct name, RFC 7208 §4.6.4), however often
// the record uses it, with the default limits.
func TestPMacroQueriesBounded(t *testing.T) {
	ip := netip.MustParseAddr("192.0.2.77")
	rev := zone.ReverseName(ip)
	tests := []struct {
		name     string
		size     int
		ptrNames []string
		distinct int
	}{
		{"5KB record, one unconfirmed name", 5 << 10, []string{"host.example.com"}, 1},
		{"50KB record, 10 identical names", 50 << 10, []string{
			"host.example.com", "HOST.example.com", "Host.Example.Com", "host.EXAMPLE.com", "hOst.example.com",
			"hoSt.example.com", "hosT.example.com", "HOst.example.com", "hOSt.example.com", "hoST.example.com"}, 1},
		{"50KB record, 10 distinct names", 50 << 10, []string{
			"h0.example.net", "h1.example.net", "h2.example.net", "h3.example.net", "h4.example.net",
			"h5.example.net", "h6.example.net", "h7.example.net", "h8.example.net", "h9.example.net"}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			terms := pMacroRecord(z, tt.size)
			for _, n := range tt.ptrNames {
				z.AddPTR(rev, n)
			}
			for _, pf := range []bool{false, true} {
				cr := &countingResolver{z: z}
				r := (&Checker{Resolver: cr, Prefetch: pf}).Check(context.Background(), from(ip, "a@example.com"))
				// The root TXT, one PTR, one address query per distinct
				// name, and one query per DNS-querying term evaluated.
				max := 1 + 1 + tt.distinct + r.Lookups
				total := cr.total()
				t.Logf("prefetch %v: %v, %d lookups, %d queries", pf, r.Code, r.Lookups, total)
				if total > max {
					t.Errorf("prefetch %v: %d queries, want at most %d", pf, total, max)
				}
				if n := cr.n["PTR "+ip.String()]; n != 1 {
					t.Errorf("prefetch %v: %d PTR queries, want 1", pf, n)
				}
				switch {
				case terms <= 10 && r.Code != CodeFail:
					t.Errorf("prefetch %v: %v (%v), want fail", pf, r.Code, r.Err)
				case terms > 10 && (r.Code != CodePermError || !errors.Is(r.Err, ErrTooManyLookups)):
					t.Errorf("prefetch %v: %v (%v), want permerror for too many lookups", pf, r.Code, r.Err)
				}
			}
		})
	}
}

// worstCaseZone publishes, at example.com, records that spend every limit
// of RFC 7208 §4.6.4 on as many queries as they allow: n mx terms whose
// targets have 10 MX hosts each (none the client's), a redirect whose
// exp= text uses %{p} with 10 PTR names, none confirmed. It returns the
// client.
func worstCaseZone(z *zone.Zone, n int) netip.Addr {
	ip := netip.MustParseAddr("192.0.2.77")
	var terms []string
	for i := range n {
		target := fmt.Sprintf("mx%d.example.net", i)
		for j := range 10 {
			host := fmt.Sprintf("h%d.%s", j, target)
			z.AddMX(target, uint16(j), host)
			z.AddA(host, "198.51.100.1")
		}
		terms = append(terms, "mx:"+target)
	}
	for i := range 10 {
		z.AddPTR(zone.ReverseName(ip), fmt.Sprintf("p%d.example.org", i))
	}
	z.AddTXT("example.com", "v=spf1 "+strings.Join(terms, " ")+" exp=why.example.com -all")
	z.AddTXT("why.example.com", "%{p} is not allowed")
	return ip
}

// TestMaxQueries guards the total query budget (Checker.MaxQueries): the
// worst record the default limits allow stays within the default; going
// past the budget is a permerror wrapping ErrTooManyQueries, also inside
// ptr and %{p}, where DNS errors mean no match; prefetching keeps to the
// budget and never changes a result.
func TestMaxQueries(t *testing.T) {
	tests := []struct {
		name       string
		mxTerms    int
		maxLookups int
		maxQueries int
		want       Code
		queries    int // sequential queries, exactly
	}{
		// 1 TXT + 10 x (MX + 10 A) + exp TXT + PTR + 10 confirmations.
		{"default limits: the worst case fits", 10, 0, 0, CodeFail, 123},
		// With 20 terms allowed, the 201st query is refused.
		{"just past the default", 20, 20, 0, CodePermError, 200},
		{"reduced", 3, 0, 30, CodePermError, 30},
		{"reduced, at the limit", 2, 0, 23 + 12, CodeFail, 35},
		{"no limit", 20, 20, -1, CodeFail, 1 + 20*11 + 12},
		// The budget runs out in %{p}'s confirmations (exp= text).
		{"reduced, in %{p}", 2, 0, 23 + 5, CodeFail, 28},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			ip := worstCaseZone(z, tt.mxTerms)
			var res [2]Result
			for i, pf := range []bool{false, true} {
				cr := &countingResolver{z: z}
				c := &Checker{Resolver: cr, MaxLookups: tt.maxLookups, MaxQueries: tt.maxQueries, Prefetch: pf, Trace: true}
				res[i] = c.Check(context.Background(), from(ip, "a@example.com"))
				r := res[i]
				total := cr.total()
				t.Logf("prefetch %v: %v (%v), %d queries", pf, r.Code, r.Err, total)
				if r.Code != tt.want {
					t.Errorf("prefetch %v: %v (%v), want %v", pf, r.Code, r.Err, tt.want)
				}
				if (r.Code == CodePermError) != errors.Is(r.Err, ErrTooManyQueries) {
					t.Errorf("prefetch %v: err %v, want ErrTooManyQueries with permerror only", pf, r.Err)
				}
				limit := tt.maxQueries
				if limit == 0 {
					limit = 200
				}
				if !pf && total != tt.queries {
					t.Errorf("sequential: %d queries, want %d", total, tt.queries)
				}
				if limit > 0 && total > limit {
					t.Errorf("prefetch %v: %d queries, over the budget of %d", pf, total, limit)
				}
			}
			if d := resultDiff(res[0], res[1]); d != "" {
				t.Errorf("sequential / prefetch differ: %s", d)
			}
		})
	}
}

// TestMaxQueriesPrefetchEquivalence runs a tree of includes, a, mx and ptr
// terms under every budget from 1 query up to more than it needs, and
// under the budgets where prefetching starts to have room beside the
// worst case of the other limits (about 134 queries): each result equals
// the sequential one and prefetching never issues more queries than the
// budget.
func TestMaxQueriesPrefetchEquivalence(t *testing.T) {
	z := wideTreeWith(map[string]string{
		"_spf.crm.test":       "v=spf1 ip4:13.110.208.0/21 ~all",
		"spf.newsletter.test": "v=spf1 a:a.newsletter.test mx:newsletter.test ip4:198.21.0.0/21 ~all",
		"_spf.office.test":    "v=spf1 ptr:office.test exists:%{p}.office.test -all",
	})
	z.AddA("a.newsletter.test", "198.51.100.9")
	for j := range 4 {
		h := fmt.Sprintf("mx%d.newsletter.test", j)
		z.AddMX("newsletter.test", uint16(j), h)
		z.AddA(h, "198.51.100.1")
	}
	ip := netip.MustParseAddr("52.100.7.9")
	z.AddPTR(zone.ReverseName(ip), "out.office.test")
	z.AddA("out.office.test", "52.100.7.9")
	budgets := []int{-1, 0}
	for b := 1; b <= 30; b++ {
		budgets = append(budgets, b, 120+b)
	}
	// The client is in the last include, then in the first.
	for _, client := range []netip.Addr{ip, netip.MustParseAddr("13.110.208.5")} {
		in := Input{IP: client, MailFrom: "news@example.org", HELO: "mail.example.org"}
		for _, budget := range budgets {
			var res [2]Result
			var n [2]int
			for i, pf := range []bool{false, true} {
				cr := &countingResolver{z: z}
				res[i] = (&Checker{Resolver: cr, MaxQueries: budget, Prefetch: pf, Trace: true}).Check(context.Background(), in)
				n[i] = cr.total()
				if limit := cmp.Or(budget, 200); limit > 0 && n[i] > limit {
					t.Errorf("%v, budget %d, prefetch %v: %d queries", client, budget, pf, n[i])
				}
			}
			if d := resultDiff(res[0], res[1]); d != "" {
				t.Errorf("%v, budget %d: sequential / prefetch differ: %s", client, budget, d)
			}
			t.Logf("%v, budget %d: %v (%v), sequential %d queries, prefetch %d", client, budget, res[0].Code, res[0].Err, n[0], n[1])
		}
	}
}

// TestMaxQueriesInPTR: running out of queries while confirming PTR names,
// for the ptr mechanism or for %{p} in a domain-spec, is a permerror, not
// the "no match" a DNS error gives there (RFC 7208 §5.5).
func TestMaxQueriesInPTR(t *testing.T) {
	ip := netip.MustParseAddr("192.0.2.77")
	z := zone.New()
	for i := range 10 {
		z.AddPTR(zone.ReverseName(ip), fmt.Sprintf("p%d.example.org", i))
	}
	z.AddTXT("ptr.example.com", "v=spf1 ptr:example.org -all")
	z.AddTXT("pmacro.example.com", "v=spf1 exists:%{p}.example.com -all")
	for _, d := range []string{"ptr.example.com", "pmacro.example.com"} {
		for _, pf := range []bool{false, true} {
			cr := &countingResolver{z: z}
			r := (&Checker{Resolver: cr, MaxQueries: 5, Prefetch: pf}).Check(context.Background(), from(ip, "a@"+d))
			if r.Code != CodePermError || !errors.Is(r.Err, ErrTooManyQueries) {
				t.Errorf("%s, prefetch %v: %v (%v), want permerror wrapping ErrTooManyQueries", d, pf, r.Code, r.Err)
			}
			if n := cr.total(); n > 5 {
				t.Errorf("%s, prefetch %v: %d queries, want at most 5", d, pf, n)
			}
		}
	}
}

// TestMaxQueriesExtremeLimits: negative or huge values of the other
// limits neither panic nor let prefetching past MaxQueries.
func TestMaxQueriesExtremeLimits(t *testing.T) {
	ip := netip.MustParseAddr("192.0.2.77")
	z := zone.New()
	z.AddPTR(zone.ReverseName(ip), "p.example.org")
	z.AddA("p.example.org", "192.0.2.77")
	z.AddTXT("example.com", "v=spf1 ptr:example.org exists:%{p}.example.com include:inc.example.com -all")
	z.AddTXT("inc.example.com", "v=spf1 a:x.example.net mx:example.net -all")
	for _, lim := range []struct{ lookups, mx, ptr int }{
		{0, -1, -1},
		{1 << 62, 1 << 62, 1 << 62},
	} {
		var res [2]Result
		for i, pf := range []bool{false, true} {
			cr := &countingResolver{z: z}
			c := &Checker{Resolver: cr, Prefetch: pf, MaxQueries: 4, MaxLookups: lim.lookups, MaxMXNames: lim.mx, MaxPTRNames: lim.ptr}
			res[i] = c.Check(context.Background(), from(ip, "a@example.com"))
			if n := cr.total(); n > 4 {
				t.Errorf("%+v, prefetch %v: %d queries, want at most 4", lim, pf, n)
			}
		}
		if d := resultDiff(res[0], res[1]); d != "" {
			t.Errorf("%+v: sequential / prefetch differ: %s", lim, d)
		}
	}
}
