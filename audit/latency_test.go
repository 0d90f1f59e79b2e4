package audit_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/audit"
	"github.com/domainauth/domainauth/internal/dnstest"
	"github.com/domainauth/domainauth/livedns"
	"github.com/domainauth/domainauth/zone"
)

// bundled are the zones of examples/zones, audited as "domainauth check"
// audits them on live DNS (the comment at the top of each file gives the
// region).
var bundled = []struct{ file, domain, region string }{
	{"../examples/zones/example.org.zone", "example.org", ""},
	{"../examples/zones/broken.example.zone", "broken.example", "eu-south-1"},
	{"../examples/zones/secure.example.zone", "secure.example", ""},
}

func readZone(tb testing.TB, file, origin string) *zone.Zone {
	tb.Helper()
	f, err := os.Open(file)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	z, err := zone.Parse(f, origin)
	if err != nil {
		tb.Fatal(err)
	}
	return z
}

// liveAuditor serves z on the loopback test name server with delay per
// answer and returns an Auditor that asks it through livedns, as the
// command does on live DNS. The resolver's cache is off, so what is shared
// between the areas is the audit's own doing.
func liveAuditor(tb testing.TB, z *zone.Zone, delay time.Duration, region string) (*audit.Auditor, *dnstest.Server) {
	srv := dnstest.Start(tb, z, dnstest.Options{Delay: delay})
	r := &livedns.Resolver{Server: srv.Addr(), CacheSize: -1}
	return &audit.Auditor{Resolver: r, Region: region}, srv
}

// BenchmarkAuditLive audits each bundled zone through the wire with 2 ms
// per answer: ms/op is the audit's wall time, queries/op what it asks.
func BenchmarkAuditLive(b *testing.B) {
	for _, c := range bundled {
		b.Run(c.domain, func(b *testing.B) {
			a, srv := liveAuditor(b, readZone(b, c.file, c.domain), 2*time.Millisecond, c.region)
			ctx := context.Background()
			b.ReportAllocs()
			q0 := srv.QueryCount()
			start := time.Now()
			for b.Loop() {
				if _, err := a.Audit(ctx, c.domain); err != nil {
					b.Fatal(err)
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/n, "ms/op")
			b.ReportMetric(float64(srv.QueryCount()-q0)/n, "queries/op")
		})
	}
}

// TestAuditRoundTrips guards the audit's latency: one audit of each bundled
// zone takes at most six round trips to the name server (the MX → address →
// PTR → address chain alone is four), however many queries it makes. The
// delay per answer is long enough that the round trips dominate; the best
// of a few runs, with one round trip of slack, absorbs a loaded machine.
func TestAuditRoundTrips(t *testing.T) {
	if testing.Short() {
		t.Skip("measures wall time")
	}
	const (
		delay  = 25 * time.Millisecond
		bound  = 6
		slack  = 1
		trials = 5
	)
	for _, c := range bundled {
		t.Run(c.domain, func(t *testing.T) {
			a, srv := liveAuditor(t, readZone(t, c.file, c.domain), delay, c.region)
			var times []time.Duration
			for range trials {
				q0 := srv.QueryCount()
				start := time.Now()
				if _, err := a.Audit(context.Background(), c.domain); err != nil {
					t.Fatal(err)
				}
				d := time.Since(start)
				times = append(times, d)
				t.Logf("%v, %d queries (%.1f round trips)", d, srv.QueryCount()-q0, float64(d)/float64(delay))
				if d <= (bound+slack)*delay {
					break
				}
			}
			if best := slices.Min(times); best > (bound+slack)*delay {
				t.Errorf("best of %d audits took %v, %.1f round trips of %v; want at most %d (+%d slack)",
					len(times), best, float64(best)/float64(delay), delay, bound, slack)
			}
		})
	}
}

// TestAuditAsksEachQuestionOnce: the areas share their lookups, so one
// audit of a bundled zone sends each question (name and type) once.
func TestAuditAsksEachQuestionOnce(t *testing.T) {
	for _, c := range bundled {
		t.Run(c.domain, func(t *testing.T) {
			a, srv := liveAuditor(t, readZone(t, c.file, c.domain), 0, c.region)
			if _, err := a.Audit(context.Background(), c.domain); err != nil {
				t.Fatal(err)
			}
			asked := map[string]int{}
			for _, q := range srv.Queries() {
				asked[strings.ToLower(strings.TrimSuffix(q.Name, "."))+" "+q.Type.String()]++
			}
			for q, n := range asked {
				if n > 1 {
					t.Errorf("%s asked %d times", q, n)
				}
			}
			t.Logf("%d queries", len(srv.Queries()))
		})
	}
}
