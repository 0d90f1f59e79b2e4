package audit_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/mtasts"
	"github.com/domainauth/domainauth/spf"
	"github.com/domainauth/domainauth/zone"
)

// existence adds domainauth.ExistenceResolver to a zone: names in exists
// exist, every other name does not (as a resolver that answers NXDOMAIN for
// everything would say for the top-level domain).
type existence struct {
	*zone.Zone
	exists map[string]bool
	err    error
}

func (e existence) LookupExists(ctx context.Context, name string) (bool, error) {
	return e.exists[name], e.err
}

func TestAuditDNSUnusable(t *testing.T) {
	z := zone.New() // nothing at all: no MX, no SPF
	tests := []struct {
		name      string
		r         domainauth.Resolver
		mustExist string
		trust     bool
		wantErr   bool
	}{
		{"the TLD does not exist: DNS is unusable", existence{z, map[string]bool{}, nil}, "", false, true},
		{"the TLD exists: the domain really has nothing", existence{z, map[string]bool{"org": true}, nil}, "", false, false},
		{"a configured name that must exist", existence{z, map[string]bool{"org": true}, nil}, "example.net", false, true},
		{"existence lookup fails", existence{z, map[string]bool{}, errors.New("SERVFAIL")}, "", false, true},
		{"TrustNotFound: no check", existence{z, map[string]bool{}, nil}, "", true, false},
		// A resolver without the capability (a *net.Resolver, say) is
		// taken at its word.
		{"no capability: no check", struct{ domainauth.Resolver }{z}, "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &audit.Auditor{Resolver: tt.r, MustExist: tt.mustExist, TrustNotFound: tt.trust}
			rep, err := a.Audit(context.Background(), "example.org")
			if got := errors.Is(err, audit.ErrDNSUnusable); got != tt.wantErr {
				t.Fatalf("err = %v, want ErrDNSUnusable: %v", err, tt.wantErr)
			}
			if rep == nil || rep.Domain != "example.org" {
				t.Fatalf("report %+v, want one for example.org", rep)
			}
		})
	}
}

// TestAuditDNSUnusableOnlyWhenNothingFound: a domain with MX and SPF needs
// no existence check, so a resolver without the TLD still gives a report.
func TestAuditDNSUnusableOnlyWhenNothingFound(t *testing.T) {
	z := zone.New()
	z.AddMX("example.org", 10, "mx.example.org")
	z.AddA("mx.example.org", "192.0.2.1")
	z.AddTXT("example.org", "v=spf1 mx -all")
	a := &audit.Auditor{Resolver: existence{z, map[string]bool{}, nil}}
	if _, err := a.Audit(context.Background(), "example.org"); err != nil {
		t.Fatalf("err = %v, want nil", err)
	}
}

func TestAuditStops(t *testing.T) {
	z := zone.New()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&audit.Auditor{Resolver: z}).Audit(ctx, "example.org"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v, want context.Canceled", err)
	}
	if _, err := (&audit.Auditor{Resolver: z}).Audit(context.Background(), "exa mple..org"); err == nil {
		t.Errorf("invalid domain: no error")
	}
	if _, err := (&audit.Auditor{}).Audit(context.Background(), "example.org"); err == nil {
		t.Errorf("no resolver: no error")
	}
	if _, err := (&audit.Auditor{}).DetectSES(context.Background(), "example.org"); err == nil {
		t.Errorf("DetectSES without a resolver: no error")
	}
	slow := zone.New()
	slow.SetDelay(time.Second)
	if _, err := (&audit.Auditor{Resolver: slow, Timeout: 20 * time.Millisecond}).Audit(context.Background(), "example.org"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: err = %v, want context.DeadlineExceeded", err)
	}
}

func codesOf(rep *audit.Report) string {
	var cs []string
	for _, f := range rep.Findings() {
		cs = append(cs, f.Code)
	}
	return strings.Join(cs, " ")
}

func TestAuditFindings(t *testing.T) {
	tests := []struct {
		name    string
		build   func(z *zone.Zone)
		want    []string // codes that must be present
		notWant []string
	}{
		{"MX address without PTR", func(z *zone.Zone) {
			z.AddMX("example.org", 10, "mx.example.org")
			z.AddA("mx.example.org", "192.0.2.1")
		}, []string{audit.FindingNoFCrDNS}, nil},
		{"PTR that does not resolve back", func(z *zone.Zone) {
			z.AddMX("example.org", 10, "mx.example.org")
			z.AddA("mx.example.org", "192.0.2.1")
			z.AddPTR("1.2.0.192.in-addr.arpa", "other.example.net")
		}, []string{audit.FindingNoFCrDNS}, nil},
		{"forward-confirmed PTR", func(z *zone.Zone) {
			z.AddMX("example.org", 10, "mx.example.org")
			z.AddA("mx.example.org", "192.0.2.1")
			z.AddPTR("1.2.0.192.in-addr.arpa", "mx.example.org")
		}, nil, []string{audit.FindingNoFCrDNS}},
		{"rua domain with a null MX", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example.org", "v=DMARC1; p=none; rua=mailto:d@example.org")
			z.AddMX("example.org", 0, ".")
		}, []string{audit.FindingDestinationCannotReceive}, nil},
		{"ruf domain that receives through its address (implicit MX)", func(z *zone.Zone) {
			z.AddTXT("_dmarc.example.org", "v=DMARC1; p=none; rua=mailto:d@example.org; ruf=mailto:f@example.org")
			z.AddA("example.org", "192.0.2.1")
		}, nil, []string{audit.FindingDestinationCannotReceive}},
		{"TLS-RPT rua domain with no MX and no address (RFC 8460 §3)", func(z *zone.Zone) {
			z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:tls@reports.example.net,https://reports.example.net/tls")
		}, []string{audit.FindingTLSRPTDestinationCannotReceive}, nil},
		{"TLS-RPT rua domain that receives mail", func(z *zone.Zone) {
			z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:tls@reports.example.net")
			z.AddMX("reports.example.net", 10, "mx.reports.example.net")
		}, nil, []string{audit.FindingTLSRPTDestinationCannotReceive}},
		{"TLS-RPT https rua only", func(z *zone.Zone) {
			z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua=https://reports.example.net/tls")
		}, nil, []string{audit.FindingTLSRPTDestinationCannotReceive}},
		{"TLS-RPT rua in the audited domain with a null MX", func(z *zone.Zone) {
			z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:tls@example.org")
			z.AddMX("example.org", 0, ".")
		}, []string{audit.FindingTLSRPTDestinationCannotReceive}, nil},
		{"null MX and a DKIM key", func(z *zone.Zone) {
			z.AddMX("example.org", 0, ".")
			z.AddTXT("s1._domainkey.example.org", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
		}, []string{audit.FindingNullMXSender}, nil},
		{"null MX and SPF -all: not a sender", func(z *zone.Zone) {
			z.AddMX("example.org", 0, ".")
			z.AddTXT("example.org", "v=spf1 -all")
		}, nil, []string{audit.FindingNullMXSender}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			tt.build(z)
			rep, err := (&audit.Auditor{Resolver: z, Zone: z}).Audit(context.Background(), "example.org")
			if err != nil {
				t.Fatal(err)
			}
			got := " " + codesOf(rep) + " "
			for _, c := range tt.want {
				if !strings.Contains(got, " "+c+" ") {
					t.Errorf("want %s; got %s", c, got)
				}
			}
			for _, c := range tt.notWant {
				if strings.Contains(got, " "+c+" ") {
					t.Errorf("do not want %s; got %s", c, got)
				}
			}
			for _, f := range rep.Findings() {
				if (f.Code == audit.FindingNoFCrDNS || f.Code == audit.FindingNullMXSender || f.Code == audit.FindingDestinationCannotReceive || f.Code == audit.FindingTLSRPTDestinationCannotReceive) && f.Fix == "" {
					t.Errorf("%s has no Fix", f.Code)
				}
			}
		})
	}
}

// TestAuditFCrDNSBound: an MX set with one address more than
// DefaultMaxFCrDNSAddrs gives that many PTR findings, at the default and at
// a reduced limit.
func TestAuditFCrDNSBound(t *testing.T) {
	z := zone.New()
	z.AddMX("example.org", 10, "mx.example.org")
	for i := range audit.DefaultMaxFCrDNSAddrs + 1 {
		z.AddA("mx.example.org", fmt.Sprintf("192.0.2.%d", i+1))
	}
	for _, limit := range []int{0, 3} {
		rep, err := (&audit.Auditor{Resolver: z, Zone: z, MaxFCrDNSAddrs: limit}).Audit(context.Background(), "example.org")
		if err != nil {
			t.Fatal(err)
		}
		want := limit
		if limit == 0 {
			want = audit.DefaultMaxFCrDNSAddrs
		}
		if n := strings.Count(codesOf(rep), audit.FindingNoFCrDNS); n != want {
			t.Errorf("MaxFCrDNSAddrs %d: %d PTR findings, want %d", limit, n, want)
		}
	}
}

// addrCounter counts forward lookups of PTR names.
type addrCounter struct {
	*zone.Zone
	n atomic.Int32
}

func (c *addrCounter) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if strings.HasPrefix(host, "ptr") {
		c.n.Add(1)
	}
	return c.Zone.LookupNetIP(ctx, network, host)
}

// TestAuditPTRNamesBound: an address with one PTR name more than
// DefaultMaxPTRNames, none of which resolves back, costs that many forward
// lookups and no more.
func TestAuditPTRNamesBound(t *testing.T) {
	z := zone.New()
	z.AddMX("example.org", 10, "mx.example.org")
	z.AddA("mx.example.org", "192.0.2.1")
	for i := range audit.DefaultMaxPTRNames + 1 {
		z.AddPTR("1.2.0.192.in-addr.arpa", fmt.Sprintf("ptr%d.example.net", i))
	}
	r := &addrCounter{Zone: z}
	rep, err := (&audit.Auditor{Resolver: r, Zone: z}).Audit(context.Background(), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	if n := r.n.Load(); n != audit.DefaultMaxPTRNames {
		t.Errorf("%d forward lookups of PTR names, want %d", n, audit.DefaultMaxPTRNames)
	}
	if !strings.Contains(codesOf(rep), audit.FindingNoFCrDNS) {
		t.Errorf("no %s finding: %s", audit.FindingNoFCrDNS, codesOf(rep))
	}
}

// TestAuditDestinationsBound: a record with one destination domain more
// than DefaultMaxDestinations, none of which can receive mail, gives that
// many findings.
func TestAuditDestinationsBound(t *testing.T) {
	z := zone.New()
	var uris []string
	for i := range audit.DefaultMaxDestinations + 1 {
		uris = append(uris, fmt.Sprintf("mailto:d@r%d.example.net", i))
	}
	z.AddTXT("_dmarc.example.org", "v=DMARC1; p=none; rua="+strings.Join(uris, ","))
	z.AddTXT("_smtp._tls.example.org", "v=TLSRPTv1; rua="+strings.Join(uris, ","))
	rep, err := (&audit.Auditor{Resolver: z, Zone: z}).Audit(context.Background(), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	// The DMARC and the TLSRPT record each have the bound to themselves.
	for _, code := range []string{audit.FindingDestinationCannotReceive, audit.FindingTLSRPTDestinationCannotReceive} {
		if n := strings.Count(codesOf(rep), code); n != audit.DefaultMaxDestinations {
			t.Errorf("%d %s findings, want %d", n, code, audit.DefaultMaxDestinations)
		}
	}
}

func TestAuditAll(t *testing.T) {
	z := zone.New()
	n := 50
	domains := func(yield func(string) bool) {
		for i := range n {
			if !yield(fmt.Sprintf("d%d.example", i)) {
				return
			}
		}
	}
	var inFlight, peak atomic.Int32
	seen := map[string]bool{}
	// The empty zone is all of DNS here: its not-found answers are the truth.
	a := &audit.Auditor{Resolver: &gauge{Zone: z, in: &inFlight, peak: &peak}, Zone: z, Concurrency: 3, TrustNotFound: true}
	for rep, err := range a.AuditAll(context.Background(), domains) {
		if err != nil {
			t.Fatal(err)
		}
		seen[rep.Domain] = true
	}
	if len(seen) != n {
		t.Errorf("%d reports, want %d", len(seen), n)
	}
	// Each audit runs its areas concurrently, so the bound is on audits:
	// at most Concurrency domains at once.
	if p := peak.Load(); p > 3 {
		t.Errorf("peak %d audits at once, want at most 3", p)
	}
	// Stopping early ends the iteration and the audits.
	got := 0
	for range a.AuditAll(context.Background(), domains) {
		got++
		if got == 2 {
			break
		}
	}
	if got != 2 {
		t.Errorf("early stop: %d reports", got)
	}
}

// gauge counts the domains whose MX lookup of the apex is in flight, with
// a short delay so that audits overlap.
type gauge struct {
	*zone.Zone
	in, peak *atomic.Int32
}

func (g *gauge) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	if strings.Count(name, ".") == 1 {
		n := g.in.Add(1)
		for {
			p := g.peak.Load()
			if n <= p || g.peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		defer g.in.Add(-1)
	}
	return g.Zone.LookupMX(ctx, name)
}

func TestTree(t *testing.T) {
	// Post-order, as spf.Linter lists terms: an include's terms come
	// before the include.
	post := []spf.TermCost{
		{Term: "a", Depth: 0},
		{Term: "ip-less:1", Depth: 1},
		{Term: "ip-less:2", Depth: 1},
		{Term: "include:x", Depth: 0},
		{Term: "a:deep", Depth: 2},
		{Term: "include:y2", Depth: 1},
		{Term: "include:y", Depth: 0},
		{Term: "mx", Depth: 0},
	}
	want := []string{"a", "include:x", "ip-less:1", "ip-less:2", "include:y", "include:y2", "a:deep", "mx"}
	var got []string
	for _, tc := range audit.Tree(post) {
		got = append(got, tc.Term)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Tree = %v, want %v", got, want)
	}
	// A malformed list loses nothing.
	odd := []spf.TermCost{{Term: "x", Depth: 3}, {Term: "y", Depth: 0}, {Term: "z", Depth: 1}}
	if n := len(audit.Tree(odd)); n != len(odd) {
		t.Errorf("malformed list: %d terms out of %d", n, len(odd))
	}
}

// TestTreeLinear guards the linear-time tree: a long flat list and a deep
// chain are both ordered without quadratic work.
func TestTreeLinear(t *testing.T) {
	const n = 200000
	flat := make([]spf.TermCost, n)
	chain := make([]spf.TermCost, n)
	for i := range n {
		flat[i] = spf.TermCost{Term: "a", Depth: 0}
		chain[i] = spf.TermCost{Term: "include:x", Depth: n - 1 - i}
	}
	start := time.Now()
	if len(audit.Tree(flat)) != n || len(audit.Tree(chain)) != n {
		t.Fatal("terms lost")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Tree of %d terms took %v", n, d)
	}
}

// TestAuditAllMemoryFlat: AuditAll keeps nothing of a report once yielded,
// so the heap after many domains is what it was after a few.
func TestAuditAllMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("audits thousands of domains")
	}
	z := zone.New()
	z.AddTXT("_dmarc.example", "v=DMARC1; p=reject; rua=mailto:d@example.org")
	const n = 4000
	domains := func(yield func(string) bool) {
		for i := range n {
			if !yield(fmt.Sprintf("d%d.example", i)) {
				return
			}
		}
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	a := &audit.Auditor{Resolver: z, Zone: z, Concurrency: 4}
	var early, late uint64
	i := 0
	for rep, err := range a.AuditAll(context.Background(), domains) {
		if err != nil || rep == nil {
			t.Fatal(err)
		}
		i++
		switch i {
		case 200:
			early = heap()
		case n - 10:
			late = heap()
		}
	}
	if i != n {
		t.Fatalf("%d reports, want %d", i, n)
	}
	if late > early+2<<20 {
		t.Errorf("heap grew from %d to %d bytes between report 200 and %d", early, late, n-10)
	}
}

func BenchmarkAudit(b *testing.B) {
	f, err := os.Open("../examples/zones/example.org.zone")
	if err != nil {
		b.Fatal(err)
	}
	z, err := zone.Parse(f, "example.org")
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	a := &audit.Auditor{Resolver: z, Zone: z}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Audit(context.Background(), "example.org"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTreeFromLinter guards the contract Tree relies on: spf.Linter lists
// Report.Terms in post-order with Depth. If the walk order changes, this
// fails rather than the tree going quietly wrong.
func TestTreeFromLinter(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.org", "v=spf1 a include:_a.example.org include:_b.example.org mx -all")
	z.AddTXT("_a.example.org", "v=spf1 a:x.example.org include:_c.example.org -all")
	z.AddTXT("_b.example.org", "v=spf1 exists:y.example.org -all")
	z.AddTXT("_c.example.org", "v=spf1 a:z.example.org -all")
	rep := (&spf.Linter{Resolver: z}).Lint(context.Background(), "example.org")
	var got []string
	for _, tc := range audit.Tree(rep.Terms) {
		got = append(got, fmt.Sprintf("%d:%s", tc.Depth, tc.Term))
	}
	want := []string{"0:a", "0:include:_a.example.org", "1:a:x.example.org", "1:include:_c.example.org", "2:a:z.example.org",
		"0:include:_b.example.org", "1:exists:y.example.org", "0:mx"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Tree of the lint's terms:\n got %v\nwant %v", got, want)
	}
}

// TestAuditMTASTSSuggestion: a domain without MTA-STS is told the record
// and the policy to publish for its own MX hosts (mtasts.Suggest), in
// testing mode, with an id from the Auditor's clock.
func TestAuditMTASTSSuggestion(t *testing.T) {
	z := zone.New()
	z.AddMX("example.org", 10, "mx1.example.org")
	z.AddMX("example.org", 20, "MX2.example.org.")
	z.AddA("mx1.example.org", "192.0.2.1")
	z.AddA("mx2.example.org", "192.0.2.2")
	clock := domainauth.FixedClock(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	rep, err := (&audit.Auditor{Resolver: z, Zone: z, Clock: clock}).Audit(context.Background(), "example.org")
	if err != nil {
		t.Fatal(err)
	}
	var fix string
	for _, f := range rep.Findings() {
		if f.Code == mtasts.FindingNoRecord {
			fix = f.Fix
		}
	}
	for _, want := range []string{"https://mta-sts.example.org/.well-known/mta-sts.txt", `"mode: testing"`,
		`"mx: mx1.example.org", "mx: mx2.example.org"`, `"max_age: 86400"`, `_mta-sts.example.org "v=STSv1; id=20261203100000Z;"`} {
		if !strings.Contains(fix, want) {
			t.Errorf("fix %q lacks %q", fix, want)
		}
	}
}
