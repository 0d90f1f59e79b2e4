package store

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/domainauth/domainauth/report"
)

// benchOrgs are the reporting organisations of the generated data.
var benchOrgs = []string{"google.com", "Yahoo", "Microsoft Corporation", "Mail.Ru", "comcast.net",
	"Enterprise Outlook", "web.de", "fastmail.com", "zoho.com", "orange.fr"}

// benchAddr returns source address i of the generated data (5,000 of them
// for the overview data set).
func benchAddr(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{198, 51, byte(100 + i/250), byte(i % 250)})
}

// benchReport returns a daily report shaped like the shared samples: each
// record one source address with a count, the evaluated policy, the header
// From domain and one DKIM and one SPF result. Every tenth source fails
// DMARC (an unconfigured sender or a spoofer); the rest pass by DKIM and
// SPF, or by DKIM alone through an ESP's envelope.
func benchReport(org string, day time.Time, id string, records, firstAddr, addrs int) *report.Aggregate {
	a := &report.Aggregate{
		Metadata: report.Metadata{OrgName: org, Email: "noreply-dmarc@" + org, ReportID: id,
			DateRange: report.DateRange{Begin: day, End: day.Add(24*time.Hour - time.Second)}},
		Policy: report.PolicyPublished{Domain: "example.com", ADKIM: report.AlignmentRelaxed, ASPF: report.AlignmentRelaxed,
			P: report.DispositionQuarantine, SP: report.DispositionQuarantine},
		Records: make([]report.Record, records),
	}
	for i := range a.Records {
		n := (firstAddr + i) % addrs
		r := &a.Records[i]
		r.Row.SourceIP = benchAddr(n)
		r.Row.Count = uint64(1 + (i*7)%40)
		r.Identifiers.HeaderFrom = "example.com"
		switch {
		case n%10 == 0:
			r.Row.PolicyEvaluated = report.PolicyEvaluated{Disposition: report.DispositionQuarantine, DKIM: report.DMARCResultFail, SPF: report.DMARCResultFail}
			r.AuthResults.DKIM = []report.DKIMAuthResult{{Domain: "example.com", Selector: "s1", Result: report.DKIMResultFail}}
			r.AuthResults.SPF = []report.SPFAuthResult{{Domain: "bad.example.net", Scope: report.SPFScopeMFrom, Result: report.SPFResultSoftFail}}
		case n%10 < 4:
			r.Row.PolicyEvaluated = report.PolicyEvaluated{Disposition: report.DispositionNone, DKIM: report.DMARCResultPass, SPF: report.DMARCResultFail}
			r.AuthResults.DKIM = []report.DKIMAuthResult{{Domain: "example.com", Selector: "ses1", Result: report.DKIMResultPass}}
			r.AuthResults.SPF = []report.SPFAuthResult{{Domain: "us-west-2.amazonses.com", Scope: report.SPFScopeMFrom, Result: report.SPFResultPass}}
		default:
			r.Row.PolicyEvaluated = report.PolicyEvaluated{Disposition: report.DispositionNone, DKIM: report.DMARCResultPass, SPF: report.DMARCResultPass}
			r.AuthResults.DKIM = []report.DKIMAuthResult{{Domain: "example.com", Selector: "s1", Result: report.DKIMResultPass}}
			r.AuthResults.SPF = []report.SPFAuthResult{{Domain: "example.com", Scope: report.SPFScopeMFrom, Result: report.SPFResultPass}}
		}
	}
	return a
}

// benchDSN returns an on-disk database of the engine, or skips.
func benchDSN(b *testing.B, e engine) string {
	if e.name == "sqlite" {
		return filepath.Join(b.TempDir(), "reports.db")
	}
	return e.dsn(b)
}

// BenchmarkIngest measures ingest throughput in records per second: reports
// of 1,000 records into an on-disk database (SQLite in WAL mode) with the
// real schema and its indexes. Each iteration adds one new report in a
// transaction of its own (Store.AddAggregate).
func BenchmarkIngest(b *testing.B) {
	for _, e := range testEngines {
		b.Run(e.name, func(b *testing.B) { benchIngest(b, e, 1000, 1) })
	}
}

// BenchmarkIngestBatch is BenchmarkIngest with reports of 250 and 1,000
// records, one per transaction (batch=1) or in Batches of 64 reports (the
// ingest package's default): each iteration adds one report, and every
// 64th commits the batch.
func BenchmarkIngestBatch(b *testing.B) {
	for _, e := range testEngines {
		for _, per := range []int{250, 1000} {
			for _, batch := range []int{1, 64} {
				b.Run(fmt.Sprintf("%s/records=%d/batch=%d", e.name, per, batch), func(b *testing.B) { benchIngest(b, e, per, batch) })
			}
		}
	}
}

// benchIngest adds reports of perReport records, batch reports per
// transaction (1: Store.AddAggregate).
func benchIngest(b *testing.B, e engine, perReport, batch int) {
	s := mustOpen(b, benchDSN(b, e), Options{})
	ctx := context.Background()
	for _, ix := range strings.Fields(os.Getenv("BENCH_DROP")) {
		if _, err := s.(*sqlStore).db.Exec("DROP INDEX " + ix); err != nil {
			b.Fatal(err)
		}
	}
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	reps := make([]*report.Aggregate, 64)
	for i := range reps {
		reps[i] = benchReport(benchOrgs[i%len(benchOrgs)], day, "", perReport, i*perReport, 5000)
	}
	b.ReportAllocs()
	i := 0
	var bt Batch
	start, cpu0 := time.Now(), cpuTime()
	for b.Loop() {
		a := reps[i%len(reps)]
		a.Metadata.ReportID = fmt.Sprint(i)
		var err error
		if batch == 1 {
			_, err = s.AddAggregate(ctx, a, Source{Name: "bench"})
		} else {
			if bt == nil {
				if bt, err = s.Begin(ctx); err != nil {
					b.Fatal(err)
				}
			}
			_, err = bt.AddAggregate(ctx, a, Source{Name: "bench"})
			if err == nil && bt.Len() == batch {
				err, bt = bt.Commit(), nil
			}
		}
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
	if bt != nil {
		if err := bt.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(i*perReport)/time.Since(start).Seconds(), "records/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(i*perReport), "cpu-ns/record")
}

// cpuTime returns the process's user and system CPU time, which a loaded
// machine disturbs less than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// overviewData fills s with one million records of one policy domain over
// 400 days from 5,000 source addresses: ten reporting organisations send
// a daily report of 250 records each.
func overviewData(b *testing.B, s Store) {
	ctx := context.Background()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const days, perReport = 400, 250
	n := 0
	for d := range days {
		day := start.AddDate(0, 0, d)
		// A day's ten reports in one Batch, as ingest would add them.
		bt, err := s.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for o, org := range benchOrgs {
			a := benchReport(org, day, fmt.Sprintf("%d.%d", d, o), perReport, (d*len(benchOrgs)+o)*perReport, 5000)
			if _, err := bt.AddAggregate(ctx, a, Source{Name: "bench"}); err != nil {
				b.Fatal(err)
			}
			n += perReport
		}
		if err := bt.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if n != 1_000_000 {
		b.Fatalf("%d records, want 1,000,000", n)
	}
}

// BenchmarkOverview measures the dashboard overview's queries over the
// whole period (per-day counts, total, the top 20 failing sources with
// their diagnoses, policies, organisations, the domain and organisation
// lists, the newest 50 reports: the page's limits) on one million records
// of one domain, filtered by the domain ("domain") and not ("all", the
// dashboard's default view). Set
// DOMAINAUTH_BENCH_OVERVIEW_DB to a file to keep the SQLite data set
// between runs, and DOMAINAUTH_BENCH_VERBOSE to log each query's time.
func BenchmarkOverview(b *testing.B) {
	for _, e := range testEngines {
		b.Run(e.name, func(b *testing.B) {
			dsn := benchDSN(b, e)
			keep := os.Getenv("DOMAINAUTH_BENCH_OVERVIEW_DB")
			if e.name == "sqlite" && keep != "" {
				dsn = keep
			}
			s := mustOpen(b, dsn, Options{})
			if n, err := s.Total(context.Background(), Filter{}); err != nil || n.Messages == 0 {
				t0 := time.Now()
				overviewData(b, s)
				b.Logf("%s: 1,000,000 records stored in %v", e.name, time.Since(t0).Round(time.Millisecond))
			}
			// The overview of the one domain, and the dashboard's default
			// view of all domains.
			for _, f := range []Filter{{Domain: "example.com"}, {}} {
				name := "domain"
				if f.Domain == "" {
					name = "all"
				}
				b.Run(name, func(b *testing.B) {
					if os.Getenv("DOMAINAUTH_BENCH_VERBOSE") != "" {
						timeQueries(b, e.name, s, f)
					}
					b.ReportAllocs()
					cpu0, n := cpuTime(), 0
					for b.Loop() {
						n++
						overview(b, s, f)
					}
					b.ReportMetric(float64(cpuTime()-cpu0)/float64(n)/1e6, "cpu-ms/op")
				})
			}
		})
	}
}

// timeQueries logs each query's time once.
func timeQueries(b *testing.B, name string, s Store, f Filter) {
	ctx := context.Background()
	timed := func(q string, run func() error) {
		t := time.Now()
		if err := run(); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %s %v", name, q, time.Since(t).Round(time.Microsecond))
	}
	timed("Days", func() error { _, err := s.Days(ctx, f, MaxLimit); return err })
	timed("Total", func() error { _, err := s.Total(ctx, f); return err })
	timed("FailingSources", func() error { _, err := s.FailingSources(ctx, f, 10); return err })
	timed("Policies", func() error { _, err := s.Policies(ctx, f, 0); return err })
	timed("Orgs", func() error { _, err := s.Orgs(ctx, f, 0); return err })
	timed("LastIngest", func() error { _, err := s.LastIngest(ctx); return err })
	timed("Sources", func() error { _, err := s.Sources(ctx, f, 20); return err })
	timed("SourceDays", func() error { _, err := s.SourceDays(ctx, f, benchAddr(17).String()); return err })
}

// overview runs the overview page's queries.
func overview(b *testing.B, s Store, f Filter) {
	ctx := context.Background()
	if _, err := s.Days(ctx, f, MaxLimit); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Total(ctx, f); err != nil {
		b.Fatal(err)
	}
	// The page's limits: web.DefaultTopSources failing sources and 50
	// reports.
	fs, err := s.FailingSources(ctx, f, 20)
	if err != nil {
		b.Fatal(err)
	}
	if len(fs) != 20 || len(fs[0].Diagnoses) == 0 {
		b.Fatalf("failing sources: %d, want 20 with diagnoses", len(fs))
	}
	if _, err := s.Policies(ctx, f, 0); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Orgs(ctx, f, 0); err != nil {
		b.Fatal(err)
	}
	if _, err := s.LastIngest(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Domains(ctx, 0); err != nil {
		b.Fatal(err)
	}
	if _, err := s.OrgNames(ctx, Filter{Domain: f.Domain}, 0); err != nil {
		b.Fatal(err)
	}
	if rs, err := s.Reports(ctx, f, Page{Limit: 50}); err != nil || len(rs) != 50 {
		b.Fatalf("reports: %d, %v", len(rs), err)
	}
}
