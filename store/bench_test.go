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
// real schema and its indexes. Each iteration adds one new report.
func BenchmarkIngest(b *testing.B) {
	for _, e := range testEngines {
		b.Run(e.name, func(b *testing.B) {
			s := mustOpen(b, benchDSN(b, e), Options{})
			ctx := context.Background()
			for _, ix := range strings.Fields(os.Getenv("BENCH_DROP")) {
				if _, err := s.(*sqlStore).db.Exec("DROP INDEX " + ix); err != nil {
					b.Fatal(err)
				}
			}
			day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			const perReport = 1000
			reps := make([]*report.Aggregate, 64)
			for i := range reps {
				reps[i] = benchReport(benchOrgs[i%len(benchOrgs)], day, "", perReport, i*perReport, 5000)
			}
			b.ReportAllocs()
			i := 0
			start, cpu0 := time.Now(), cpuTime()
			for b.Loop() {
				a := reps[i%len(reps)]
				a.Metadata.ReportID = fmt.Sprint(i)
				if _, err := s.AddAggregate(ctx, a, Source{Name: "bench"}); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(i*perReport)/time.Since(start).Seconds(), "records/s")
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(i*perReport), "cpu-ns/record")
		})
	}
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
		for o, org := range benchOrgs {
			a := benchReport(org, day, fmt.Sprintf("%d.%d", d, o), perReport, (d*len(benchOrgs)+o)*perReport, 5000)
			if _, err := s.AddAggregate(ctx, a, Source{Name: "bench"}); err != nil {
				b.Fatal(err)
			}
			n += perReport
		}
	}
	if n != 1_000_000 {
		b.Fatalf("%d records, want 1,000,000", n)
	}
}

// BenchmarkOverview measures the dashboard overview's queries for one
// domain over its whole period (per-day counts, total, top ten failing
// sources with their diagnoses, policies, organisations, the domain and
// organisation lists, the newest reports) on one million records. Set
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
			f := Filter{Domain: "example.com"}
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
	timed("Days", func() error { _, err := s.Days(ctx, f); return err })
	timed("Total", func() error { _, err := s.Total(ctx, f); return err })
	timed("FailingSources", func() error { _, err := s.FailingSources(ctx, f, 10); return err })
	timed("Policies", func() error { _, err := s.Policies(ctx, f); return err })
	timed("Orgs", func() error { _, err := s.Orgs(ctx, f); return err })
	timed("LastIngest", func() error { _, err := s.LastIngest(ctx); return err })
	timed("Sources", func() error { _, err := s.Sources(ctx, f, 20); return err })
	timed("SourceDays", func() error { _, err := s.SourceDays(ctx, f, benchAddr(17).String()); return err })
}

// overview runs the overview page's queries.
func overview(b *testing.B, s Store, f Filter) {
	ctx := context.Background()
	if _, err := s.Days(ctx, f); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Total(ctx, f); err != nil {
		b.Fatal(err)
	}
	fs, err := s.FailingSources(ctx, f, 10)
	if err != nil {
		b.Fatal(err)
	}
	if len(fs) != 10 || len(fs[0].Diagnoses) == 0 {
		b.Fatalf("failing sources: %d, want 10 with diagnoses", len(fs))
	}
	if _, err := s.Policies(ctx, f); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Orgs(ctx, f); err != nil {
		b.Fatal(err)
	}
	if _, err := s.LastIngest(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Domains(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := s.OrgNames(ctx, Filter{Domain: f.Domain}); err != nil {
		b.Fatal(err)
	}
	if rs, err := s.Reports(ctx, f, Page{}); err != nil || len(rs) != DefaultLimit {
		b.Fatalf("reports: %d, %v", len(rs), err)
	}
}
