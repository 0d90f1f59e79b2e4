package spf

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/zone"
)

// resultDiff describes how two results differ, in every field a caller
// can see (the trace compared step by step), or "" when they do not.
func resultDiff(a, b Result) string {
	var d []string
	term := func(t *Term) string {
		if t == nil {
			return "<nil>"
		}
		return t.String()
	}
	errText := func(err error) string {
		if err == nil {
			return "<nil>"
		}
		return err.Error()
	}
	if a.Code != b.Code {
		d = append(d, fmt.Sprintf("code %v / %v", a.Code, b.Code))
	}
	if term(a.Matched) != term(b.Matched) {
		d = append(d, fmt.Sprintf("matched %s / %s", term(a.Matched), term(b.Matched)))
	}
	if a.Domain != b.Domain || a.Identity != b.Identity || a.Explanation != b.Explanation {
		d = append(d, fmt.Sprintf("domain/identity/explanation %q %q %q / %q %q %q", a.Domain, a.Identity, a.Explanation, b.Domain, b.Identity, b.Explanation))
	}
	if a.Lookups != b.Lookups || a.VoidLookups != b.VoidLookups {
		d = append(d, fmt.Sprintf("lookups %d+%d void / %d+%d void", a.Lookups, a.VoidLookups, b.Lookups, b.VoidLookups))
	}
	if errText(a.Err) != errText(b.Err) {
		d = append(d, fmt.Sprintf("err %s / %s", errText(a.Err), errText(b.Err)))
	}
	for _, sentinel := range []error{ErrTooManyLookups, ErrTooManyVoidLookups, ErrTooManyMXNames, ErrMultipleRecords, ErrNoRecord, ErrInvalidTarget, ErrDNS, ErrCanceled, ErrTooManyQueries} {
		if errors.Is(a.Err, sentinel) != errors.Is(b.Err, sentinel) {
			d = append(d, fmt.Sprintf("errors.Is %v differs", sentinel))
		}
	}
	steps := func(r Result) []string {
		var s []string
		for _, st := range r.Trace {
			s = append(s, st.String())
		}
		return s
	}
	if sa, sb := steps(a), steps(b); !slices.Equal(sa, sb) {
		d = append(d, fmt.Sprintf("trace\n  %s\n/\n  %s", strings.Join(sa, "\n  "), strings.Join(sb, "\n  ")))
	}
	return strings.Join(d, "; ")
}

// checkBothWays evaluates in sequentially and with prefetching (each on a
// fresh Checker, so neither warms the other's record cache) and fails the
// test if the results differ in anything but wall time.
func checkBothWays(t *testing.T, label string, r domainauthResolver, in Input, helo bool) Result {
	t.Helper()
	var res [2]Result
	for i, pf := range []bool{false, true} {
		c := &Checker{Resolver: r, Prefetch: pf, Trace: true, DefaultExplanation: "DEFAULT %{i}"}
		if helo {
			res[i] = c.CheckHELO(context.Background(), in)
		} else {
			res[i] = c.Check(context.Background(), in)
		}
	}
	if d := resultDiff(res[0], res[1]); d != "" {
		t.Errorf("%s: sequential / prefetch differ: %s", label, d)
	}
	return res[0]
}

type domainauthResolver = interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// TestPrefetchSameAsSequential: Checker.Prefetch promises results equal to
// sequential evaluation in every field, the trace included, for every
// outcome: each case of both conformance suites (MAIL FROM and HELO
// identities), the RFC tables and the benchmark trees.
func TestPrefetchSameAsSequential(t *testing.T) {
	n := 0
	for _, file := range []string{"rfc7208-tests.json", "rfc4408-tests.json"} {
		for _, sc := range loadSuite(t, file) {
			z := suiteZone(t, sc.ZoneData)
			for name, tc := range sc.Tests {
				in := Input{IP: netip.MustParseAddr(tc.Host), MailFrom: tc.MailFrom, HELO: tc.Helo}
				checkBothWays(t, file+" "+name, z, in, false)
				checkBothWays(t, file+" "+name+" (HELO)", z, in, true)
				n++
			}
		}
	}
	z := rfcZone()
	for _, d := range []string{"sender.example.com", "servfail.example.com", "exp10.example.com", "mx-servfail.example.com",
		"mxhost-servfail.example.com", "after-all.example.com", "redirect-all.example.com", "ptr.example.com", "redirect-bad.example.com", "hostile.example.com"} {
		for _, ip := range []string{"192.0.2.1", "192.0.2.2", "2001:db8::1"} {
			checkBothWays(t, d+" "+ip, z, from(netip.MustParseAddr(ip), strings.Repeat("x", 64)+"@"+d), false)
		}
	}
	for _, bc := range benchCases() {
		checkBothWays(t, bc.name, bc.zone(), bc.in, false)
		for _, ip := range []string{"203.0.113.7", "2001:db8::7"} {
			in := bc.in
			in.IP = netip.MustParseAddr(ip)
			checkBothWays(t, bc.name+" "+ip, bc.zone(), in, false)
		}
	}
	for _, lc := range latencyCases() {
		for _, ip := range []string{lc.in.IP.String(), "13.110.208.5", "203.0.113.7", "2001:db8::7"} {
			in := lc.in
			in.IP = netip.MustParseAddr(ip)
			checkBothWays(t, lc.name+" "+ip, lc.zone(), in, false)
		}
	}
	t.Logf("%d suite cases compared, each for both identities", n)
}

// TestPrefetchUnreachedFailures: what prefetching fetches for terms that
// evaluation never reaches cannot change the result: an early match
// hides a later include that times out, has no record, or is broken, a
// redirect beside all, and an mx target over the MX-name limit; and a
// failure evaluation does reach gives the same temperror or permerror.
func TestPrefetchUnreachedFailures(t *testing.T) {
	z := zone.New()
	z.AddTXT("slow.example.net", "v=spf1 -all")
	z.SetFault("slow.example.net", zone.TypeTXT, zone.FaultTimeout)
	z.AddTXT("broken.example.net", "v=spf1 ip4:1.2.3.4/33")
	z.AddTXT("multi.example.net", "v=spf1 -all")
	z.AddTXT("multi.example.net", "v=spf1 +all")
	for i := range 11 {
		z.AddMX("mx11.example.net", uint16(i), fmt.Sprintf("mx%d.example.net", i))
	}
	z.SetFault("afail.example.net", zone.TypeA, zone.FaultServFail)
	rest := "include:slow.example.net include:nx.example.net include:broken.example.net include:multi.example.net mx:mx11.example.net a:afail.example.net exists:afail.example.net"
	z.AddTXT("early.example.com", "v=spf1 ip4:192.0.2.0/24 "+rest+" -all")
	z.AddTXT("redirect.example.com", "v=spf1 ip4:192.0.2.0/24 redirect=slow.example.net ~all")
	for i, term := range strings.Fields(rest) {
		z.AddTXT(fmt.Sprintf("reach%d.example.com", i), "v=spf1 ip4:198.51.100.0/24 "+term+" -all")
	}
	for _, ip := range []string{"192.0.2.1", "198.51.100.1", "203.0.113.1"} {
		for _, d := range []string{"early.example.com", "redirect.example.com", "reach0.example.com", "reach1.example.com",
			"reach2.example.com", "reach3.example.com", "reach4.example.com", "reach5.example.com", "reach6.example.com"} {
			r := checkBothWays(t, d+" "+ip, z, from(netip.MustParseAddr(ip), "a@"+d), false)
			if ip == "192.0.2.1" && strings.HasPrefix(d, "early") && r.Code != CodePass {
				t.Errorf("%s %s: %v, want pass", d, ip, r.Code)
			}
		}
	}
}

// slowResolver delays the lookups of some names, honouring ctx.
type slowResolver struct {
	*zone.Zone
	slow  map[string]bool
	delay time.Duration
}

func (s *slowResolver) wait(ctx context.Context, name string) error {
	if !s.slow[name] {
		return nil
	}
	select {
	case <-time.After(s.delay):
		return nil
	case <-ctx.Done():
		return &net.DNSError{Err: ctx.Err().Error(), Name: name, IsTimeout: true}
	}
}

func (s *slowResolver) LookupTXT(ctx context.Context, n string) ([]string, error) {
	if err := s.wait(ctx, n); err != nil {
		return nil, err
	}
	return s.Zone.LookupTXT(ctx, n)
}

func (s *slowResolver) LookupNetIP(ctx context.Context, nw, h string) ([]netip.Addr, error) {
	if err := s.wait(ctx, h); err != nil {
		return nil, err
	}
	return s.Zone.LookupNetIP(ctx, nw, h)
}

// waitGoroutines waits up to a second for the goroutine count to fall back
// to before, and reports whether it did.
func waitGoroutines(before int) (int, bool) {
	after := runtime.NumGoroutine()
	for i := 0; i < 1000 && after > before; i++ {
		time.Sleep(time.Millisecond)
		after = runtime.NumGoroutine()
	}
	return after, after <= before
}

// TestPrefetchNoLeakOnEarlyResult: when evaluation decides before the
// prefetched queries answer, Check cancels them and returns at once, and
// no prefetch goroutine outlives it. Canceling ctx mid-evaluation gives
// temperror in both modes, again without leaks.
func TestPrefetchNoLeakOnEarlyResult(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 ip4:192.0.2.0/24 include:s1.example.net include:s2.example.net a:s3.example.net exists:s4.example.net -all")
	for _, n := range []string{"s1.example.net", "s2.example.net"} {
		z.AddTXT(n, "v=spf1 -all")
	}
	slow := &slowResolver{Zone: z, delay: 10 * time.Second, slow: map[string]bool{
		"s1.example.net": true, "s2.example.net": true, "s3.example.net": true, "s4.example.net": true}}
	before := runtime.NumGoroutine()
	start := time.Now()
	r := (&Checker{Resolver: slow, Prefetch: true}).Check(context.Background(), from(ip1, "a@example.com"))
	if el := time.Since(start); r.Code != CodePass || el > 2*time.Second {
		t.Errorf("early pass: %v after %v", r.Code, el)
	}
	if after, ok := waitGoroutines(before); !ok {
		t.Errorf("early pass: %d goroutines before, %d after", before, after)
	}

	for _, pf := range []bool{false, true} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		start := time.Now()
		r := (&Checker{Resolver: slow, Prefetch: pf}).Check(ctx, from(netip.MustParseAddr("203.0.113.1"), "a@example.com"))
		cancel()
		if el := time.Since(start); r.Code != CodeTempError || !errors.Is(r.Err, ErrCanceled) || r.Lookups != 1 || el > 2*time.Second {
			t.Errorf("prefetch %v: canceled mid-evaluation: %v %v, %d lookups, after %v", pf, r.Code, r.Err, r.Lookups, el)
		}
		if after, ok := waitGoroutines(before); !ok {
			t.Errorf("prefetch %v: %d goroutines before, %d after", pf, before, after)
		}
	}

	// A context canceled before Check: the same temperror either way.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var res [2]Result
	for i, pf := range []bool{false, true} {
		res[i] = (&Checker{Resolver: z, Prefetch: pf}).Check(ctx, from(ip1, "a@example.com"))
	}
	if d := resultDiff(res[0], res[1]); d != "" || res[0].Code != CodeTempError || !errors.Is(res[0].Err, ErrCanceled) {
		t.Errorf("canceled ctx: %v %v; %s", res[0].Code, res[0].Err, d)
	}
}

func (s *slowResolver) LookupAddr(ctx context.Context, a string) ([]string, error) {
	if err := s.wait(ctx, a); err != nil {
		return nil, err
	}
	return s.Zone.LookupAddr(ctx, a)
}

// TestPrefetchSkipsInvalidTargets: evaluation never queries a macro target
// that is not a valid name (it is permerror, RFC 7208 §4.8); prefetching
// must not query it either.
func TestPrefetchSkipsInvalidTargets(t *testing.T) {
	z := zone.New()
	z.AddTXT("example.com", "v=spf1 ip4:192.0.2.0/24 a:%{l}.example.com exists:%{l}.x.example.com include:%{l}.y.example.com -all")
	cr := &countingResolver{z: z}
	local := strings.Repeat("x", 64)
	r := (&Checker{Resolver: cr, Prefetch: true}).Check(context.Background(), from(ip1, local+"@example.com"))
	if r.Code != CodePass || cr.total() != 1 {
		t.Errorf("got %v after queries %v, want pass after the TXT query only", r.Code, cr.n)
	}
}
