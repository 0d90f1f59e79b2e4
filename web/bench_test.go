package web

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
)

// benchRecords sizes the store of BenchmarkOverviewPage; the issue's
// figure is for -benchrecords 1000000 (one policy domain, 400 days, 5,000
// source addresses).
var benchRecords = flag.Int("benchrecords", 100_000, "records in the store of BenchmarkOverviewPage")

// benchStore fills a SQLite store with n records of example.org over 400
// days from 5,000 addresses, one report per day and reporter, 250 records
// each; a fifth of the addresses fail DMARC.
func benchStore(b *testing.B, n int) Store {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	rng := rand.New(rand.NewPCG(1, 2))
	const perReport, days, sources = 250, 400, 5000
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i*perReport < n; i++ {
		d := start.AddDate(0, 0, i%days)
		a := &report.Aggregate{
			Metadata: report.Metadata{OrgName: fmt.Sprintf("reporter-%d", i/days), ReportID: fmt.Sprint(i),
				DateRange: report.DateRange{Begin: d, End: d.Add(24*time.Hour - time.Second)}},
			Policy: report.PolicyPublished{Domain: "example.org", P: report.DispositionReject},
		}
		for range min(perReport, n-i*perReport) {
			s := rng.IntN(sources)
			res := report.DMARCResultPass
			if s%5 == 0 {
				res = report.DMARCResultFail
			}
			ip := netip.AddrFrom4([4]byte{10, 0, byte(s >> 8), byte(s)})
			a.Records = append(a.Records, rec(ip.String(), uint64(1+rng.IntN(50)), res, res, "example.org"))
		}
		if _, err := st.AddAggregate(ctx, a, store.Source{Name: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	return st.(Store)
}

// BenchmarkOverviewPage times the overview page of one domain, every
// query and the rendering included: cold (a new handler each time, so
// nothing is cached) and cached (nothing ingested since the last view).
func BenchmarkOverviewPage(b *testing.B) {
	st := benchStore(b, *benchRecords)
	newHandler := func() http.Handler {
		h, err := NewHandler(Config{Store: st})
		if err != nil {
			b.Fatal(err)
		}
		return h
	}
	view := func(h http.Handler) {
		if w := get(h, "/?domain=example.org"); w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			view(newHandler())
		}
	})
	b.Run("cached", func(b *testing.B) {
		h := newHandler()
		view(h)
		b.ReportAllocs()
		for b.Loop() {
			view(h)
		}
	})
}
