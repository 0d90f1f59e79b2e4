package audit_test

import (
	"context"
	"fmt"
	"iter"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth/zone"
)

// generatedZone holds n domains set up as small senders commonly are: two
// MX hosts with forward-confirmed reverse DNS, SPF through their own MX and
// a shared provider's include, DMARC with reports to themselves.
func generatedZone(n int) *zone.Zone {
	z := zone.New()
	z.AddNS("example", "ns.example")
	z.AddTXT("_spf.provider.example", "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 -all")
	for i := range n {
		d := generatedDomain(i)
		for h := range 2 {
			host := fmt.Sprintf("mx%d.%s", h+1, d)
			addr := netip.AddrFrom4([4]byte{198, 18 + byte(h), byte(i >> 8), byte(i)})
			z.AddMX(d, uint16(10*(h+1)), host)
			z.AddA(host, addr.String())
			z.AddPTR(zone.ReverseName(addr), host)
		}
		z.AddTXT(d, "v=spf1 mx include:_spf.provider.example -all")
		z.AddTXT("_dmarc."+d, "v=DMARC1; p=reject; rua=mailto:dmarc@"+d)
	}
	return z
}

func generatedDomain(i int) string { return fmt.Sprintf("d%05d.example", i) }

func generatedDomains(n int) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range n {
			if !yield(generatedDomain(i)) {
				return
			}
		}
	}
}

// BenchmarkAuditAllLive audits generated domains through the wire, 2 ms
// an answer, with the default concurrency. domains/s is the throughput;
// peak-heap-MiB the most heap in use while it ran; harness-MiB what the
// test itself holds at the end (the zone, the name server and its query
// log, which grow with the number of domains). The audits' own share, the
// difference, must not grow with the number of domains.
func BenchmarkAuditAllLive(b *testing.B) {
	for _, n := range []int{1000} {
		b.Run(fmt.Sprintf("domains=%d", n), func(b *testing.B) {
			a, srv := liveAuditor(b, generatedZone(n), 2*time.Millisecond, "")
			ctx := context.Background()
			b.ReportAllocs()
			var peak, harness uint64
			var elapsed time.Duration
			q0 := srv.QueryCount()
			for b.Loop() {
				runtime.GC()
				stop := sampleHeap(&peak)
				start := time.Now()
				done := 0
				for rep, err := range a.AuditAll(ctx, generatedDomains(n)) {
					if err != nil {
						b.Fatal(err)
					}
					if rep.Errors > 0 || rep.Warnings > 0 {
						b.Fatalf("%s: %d errors, %d warnings: %v", rep.Domain, rep.Errors, rep.Warnings, rep.Findings())
					}
					done++
				}
				elapsed += time.Since(start)
				stop()
				harness = max(harness, liveHeap())
				if done != n {
					b.Fatalf("%d reports, want %d", done, n)
				}
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "domains/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(harness)/(1<<20), "harness-MiB")
			b.ReportMetric(float64(srv.QueryCount()-q0)/float64(n*b.N), "queries/domain")
		})
	}
}

// sampleHeap records the most heap in use, every millisecond, in *peak
// until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapInuse)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// liveHeap returns the bytes of live heap objects. Two collections: what a
// sync.Pool holds (the resolver's read buffers) survives the first.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
