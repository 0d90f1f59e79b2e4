package spf

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/domainauth/domainauth/zone"
)

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

// TestLintFindings has one case per finding code.
func TestLintFindings(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(z *zone.Zone)
		want   []string // codes that must appear
		absent []string // codes that must not
	}{
		{"clean record", func(z *zone.Zone) {
			z.AddTXT("example.com", "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all")
			z.AddTXT("_spf.example.net", "v=spf1 ip4:198.51.100.0/24 -all")
		}, nil, []string{FindingNoAll, FindingPassAll, FindingTooManyLookups, FindingIncludeNoRecord}},
		{"no record", func(z *zone.Zone) { z.AddTXT("example.com", "google-site-verification=x") }, []string{FindingNoRecord}, nil},
		{"multiple records", func(z *zone.Zone) {
			z.AddTXT("example.com", "v=spf1 -all")
			z.AddTXT("example.com", "v=spf1 mx -all")
		}, []string{FindingMultipleRecords}, nil},
		{"syntax error", func(z *zone.Zone) { z.AddTXT("example.com", "v=spf1 ip4:192.0.2.0/33 -all") }, []string{FindingSyntax}, nil},
		{"dns error", func(z *zone.Zone) {
			z.AddTXT("example.com", "v=spf1 include:t.example.net -all")
			z.SetFault("t.example.net", zone.TypeANY, zone.FaultServFail)
		}, []string{FindingDNSError}, nil},
		{"too many lookups", func(z *zone.Zone) {
			z.AddTXT("example.com", "v=spf1 include:big.example.net a mx -all")
			z.AddTXT("big.example.net", "v=spf1 "+repeat("exists:x.example.net", 9)+" -all")
			z.AddA("x.example.net", "127.0.0.2")
			z.AddA("example.com", "192.0.2.1")
			z.AddMX("example.com", 10, "example.com")
		}, []string{FindingTooManyLookups, FindingLookupCost}, nil},
		{"void lookups", func(z *zone.Zone) {
			z.AddTXT("example.com", "v=spf1 a:nx1.example.com a:nx2.example.com mx:nx3.example.com -all")
		}, []string{FindingVoidLookup, FindingTooManyVoids}, nil},
		{"too many MX names", func(z *zone.Zone) {
			z.AddTXT("example.com", "v=spf1 mx -all")
			for i := range 11 {
				z.AddMX("example.com", uint16(i), "mx.example.com")
			}
		}, []string{FindingTooManyMXNames}, nil},
		{"include loop", func(z *zone.Zone) {
			z.AddTXT("example.com", "v=spf1 include:a.example.net -all")
			z.AddTXT("a.example.net", "v=spf1 include:b.example.net -all")
			z.AddTXT("b.example.net", "v=spf1 include:A.example.net. -all")
		}, []string{FindingLoop}, nil},
		{"redirect loop", func(z *zone.Zone) { z.AddTXT("example.com", "v=spf1 redirect=example.com") }, []string{FindingLoop}, nil},
		{"include without record", func(z *zone.Zone) { z.AddTXT("example.com", "v=spf1 include:gone.example.net -all") }, []string{FindingIncludeNoRecord}, nil},
		{"ptr", func(z *zone.Zone) { z.AddTXT("example.com", "v=spf1 ptr -all") }, []string{FindingPTR}, nil},
		{"p macro", func(z *zone.Zone) { z.AddTXT("example.com", "v=spf1 exists:%{p}.x.example.com -all") }, []string{FindingPTR, FindingMacro}, nil},
		{"+all", func(z *zone.Zone) { z.AddTXT("example.com", "v=spf1 +all") }, []string{FindingPassAll}, nil},
		{"?all", func(z *zone.Zone) { z.AddTXT("example.com", "v=spf1 ?all") }, []string{FindingNeutralAll}, nil},
		{"no all, no redirect", func(z *zone.Zone) { z.AddTXT("example.com", "v=spf1 ip4:192.0.2.1") }, []string{FindingNoAll}, nil},
		{"terms after all", func(z *zone.Zone) { z.AddTXT("example.com", "v=spf1 -all ip4:192.0.2.1") }, []string{FindingTermsAfterAll}, nil},
		{"redirect with all", func(z *zone.Zone) {
			z.AddTXT("example.com", "v=spf1 -all redirect=x.example.net")
			z.AddTXT("x.example.net", "v=spf1 -all")
		}, []string{FindingRedirectWithAll}, []string{FindingNoAll}},
		{"unknown modifier", func(z *zone.Zone) { z.AddTXT("example.com", "v=spf1 -all default=deny") }, []string{FindingUnknownModifier}, nil},
		{"response size", func(z *zone.Zone) {
			z.AddTXT("example.com", "v=spf1 "+repeat("ip4:192.0.2.1", 35)+" -all")
		}, []string{FindingResponseSize}, []string{FindingLongString}},
		{"macro target", func(z *zone.Zone) { z.AddTXT("example.com", "v=spf1 include:%{d}.spf.example.net -all") }, []string{FindingMacro}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			tt.setup(z)
			rep := (&Linter{Resolver: z}).Lint(context.Background(), "example.com")
			got := codes(rep.Findings)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing %s; got %v", w, rep.Findings)
				}
			}
			for _, a := range tt.absent {
				if slices.Contains(got, a) {
					t.Errorf("unexpected %s; got %v", a, rep.Findings)
				}
			}
			for _, f := range rep.Findings {
				if !strings.HasPrefix(f.Code, "spf.") || f.RFC == "" || f.Message == "" || f.Where == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
		})
	}
}

// TestLintCounts checks the worst-case count keeps going past 10 and is
// broken down per term.
func TestLintCounts(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 a include:big.example.net include:small.example.net redirect=r.example.net")
	z.AddTXT("big.example.net", "v=spf1 "+repeat("a:x.example.net", 12)+" -all")
	z.AddTXT("small.example.net", "v=spf1 ip4:192.0.2.0/24 -all")
	z.AddTXT("r.example.net", "v=spf1 mx -all")
	z.AddA("x.example.net", "192.0.2.1")
	z.AddA("example.com", "192.0.2.1")
	z.AddMX("r.example.net", 10, "x.example.net")
	l := &Linter{Resolver: z}
	rep := l.Lint(context.Background(), "example.com")
	// a(1) + include big (1+12) + include small (1) + redirect (1 + mx 1) = 17.
	if rep.Lookups != 17 {
		t.Errorf("Lookups = %d, want 17; terms %+v", rep.Lookups, rep.Terms)
	}
	costs := map[string]int{}
	for _, tc := range rep.Terms {
		if tc.Depth == 0 {
			costs[tc.Term] = tc.Lookups
		}
	}
	want := map[string]int{"a": 1, "include:big.example.net": 13, "include:small.example.net": 1, "redirect=r.example.net": 2}
	for k, v := range want {
		if costs[k] != v {
			t.Errorf("cost of %s = %d, want %d", k, costs[k], v)
		}
	}
	if !rep.HasErrors() || rep.Record == "" {
		t.Errorf("HasErrors %v Record %q", rep.HasErrors(), rep.Record)
	}
}

// plainResolver hides the zone's optional capabilities.
type plainResolver struct{ z *zone.Zone }

func (p plainResolver) LookupTXT(ctx context.Context, n string) ([]string, error) {
	return p.z.LookupTXT(ctx, n)
}
func (p plainResolver) LookupMX(ctx context.Context, n string) ([]*net.MX, error) {
	return p.z.LookupMX(ctx, n)
}
func (p plainResolver) LookupNetIP(ctx context.Context, nw, h string) ([]netip.Addr, error) {
	return p.z.LookupNetIP(ctx, nw, h)
}
func (p plainResolver) LookupAddr(ctx context.Context, a string) ([]string, error) {
	return p.z.LookupAddr(ctx, a)
}

// spfRRResolver adds the type SPF capability.
type spfRRResolver struct{ plainResolver }

func (s spfRRResolver) LookupSPFRR(_ context.Context, n string) ([]string, error) {
	var out []string
	for _, rr := range s.z.Lookup(n, zone.TypeSPF) {
		out = append(out, rr.Joined())
	}
	return out, nil
}

func TestLintCapabilities(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 "+repeat("ip4:192.0.2.1", 20)+" -all")
	if err := z.Add(zone.RR{Name: "example.com", Type: zone.TypeSPF, Text: []string{"v=spf1 -all"}}); err != nil {
		t.Fatal(err)
	}
	rep := (&Linter{Resolver: plainResolver{z}}).Lint(context.Background(), "example.com")
	if got := codes(rep.Findings); !slices.Contains(got, FindingLongStringUnknown) || slices.Contains(got, FindingSPFRRType) {
		t.Errorf("without capabilities: %v", got)
	}
	rep = (&Linter{Resolver: spfRRResolver{plainResolver{z}}}).Lint(context.Background(), "example.com")
	if got := codes(rep.Findings); !slices.Contains(got, FindingSPFRRType) {
		t.Errorf("with the SPF RR capability: %v", got)
	}
	// The zone splits long records itself: no long-string finding.
	rep = (&Linter{Resolver: z}).Lint(context.Background(), "example.com")
	if got := codes(rep.Findings); slices.Contains(got, FindingLongString) || slices.Contains(got, FindingLongStringUnknown) {
		t.Errorf("with TXT strings: %v", got)
	}
}

// oneStringResolver serves a TXT record as a single character-string of
// any length, which zone.Zone refuses to hold (it splits at 255 bytes), to
// show the lint catches a provisioning tool that does not split.
type oneStringResolver struct {
	plainResolver
	txt string
}

func (o oneStringResolver) LookupTXT(context.Context, string) ([]string, error) {
	return []string{o.txt}, nil
}

func (o oneStringResolver) LookupTXTStrings(context.Context, string) ([][]string, error) {
	return [][]string{{o.txt}}, nil
}

func TestLintLongString(t *testing.T) {
	r := oneStringResolver{plainResolver{zone.New()}, "v=spf1 " + repeat("ip4:192.0.2.1", 20) + " -all"}
	rep := (&Linter{Resolver: r}).Lint(context.Background(), "example.com")
	if got := codes(rep.Findings); !slices.Contains(got, FindingLongString) {
		t.Errorf("got %v", got)
	}
}

// addWideTree gives domain an include tree of 1+10+100 records, just past
// the Linter's default MaxRecords of 100.
func addWideTree(z *zone.Zone, domain string) {
	var top []string
	for i := range 10 {
		mid := fmt.Sprintf("i%d.%s", i, domain)
		top = append(top, "include:"+mid)
		var leaves []string
		for j := range 10 {
			leaf := fmt.Sprintf("l%d.%s", j, mid)
			leaves = append(leaves, "include:"+leaf)
			z.AddTXT(leaf, "v=spf1 ip4:192.0.2.1 -all")
		}
		z.AddTXT(mid, "v=spf1 "+strings.Join(leaves, " ")+" -all")
	}
	z.AddTXT(domain, "v=spf1 "+strings.Join(top, " ")+" -all")
}

// TestLintRecordLimitIsNotDNSError guards the code of the MaxRecords
// finding: reaching the lint's own bound is spf.lint-limit, not a DNS
// failure (which callers such as audit.DNSFailures count as a failed
// lookup), with the default limits.
func TestLintRecordLimitIsNotDNSError(t *testing.T) {
	z := zone.New()
	addWideTree(z, "example.com")
	rep := (&Linter{Resolver: plainResolver{z}}).Lint(context.Background(), "example.com")
	var limit bool
	for _, f := range rep.Findings {
		if f.Code == FindingDNSError {
			t.Errorf("DNS error finding on a zone that answers everything: %+v", f)
		}
		if f.Code == FindingLintLimit && strings.Contains(f.Message, "more than 100 records") {
			limit = true
		}
	}
	if !limit {
		t.Errorf("no %s finding for the 100-record bound; codes %v", FindingLintLimit, codes(rep.Findings))
	}
}
