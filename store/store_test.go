package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/domainauth/domainauth/internal/shared"
	"github.com/domainauth/domainauth/report"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// conformanceReports decodes every aggregate sample that decodes.
func conformanceReports(t testing.TB) []*report.Aggregate {
	t.Helper()
	dir := shared.Require(t, "conformance", "dmarc-aggregate")
	var out []*report.Aggregate
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) == ".json" || filepath.Ext(p) == ".md" {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		if a, err := report.Decode(f); err == nil {
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 20 {
		t.Fatalf("only %d samples decoded", len(out))
	}
	return out
}

// addAll adds the reports to s, failing t on the first error.
func addAll(t testing.TB, s Store, as []*report.Aggregate) {
	t.Helper()
	for _, a := range as {
		if _, err := s.AddAggregate(context.Background(), a, Source{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDaysEqualSummary guards the agreement with `report summary`: the
// per-day figures equal report.Summary's ByDay over the same reports.
func TestDaysEqualSummary(t *testing.T) {
	as := conformanceReports(t)
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		var want report.Summary
		keys := map[[5]string]bool{}
		first := make([]Outcome, len(as))
		for i, a := range as {
			res, err := s.AddAggregate(ctx, a, Source{Name: "sample"})
			if err != nil {
				t.Fatalf("report %d (%s %s): %v", i, a.Metadata.OrgName, a.Metadata.ReportID, err)
			}
			first[i] = res.Outcome
			k := [5]string{a.Metadata.OrgName, a.Metadata.ReportID, canonDomain(a.Policy.Domain),
				a.Metadata.DateRange.Begin.String(), a.Metadata.DateRange.End.String()}
			if keys[k] {
				continue
			}
			keys[k] = true
			if res.Outcome != OutcomeAdded {
				t.Errorf("report %d: %v, want added", i, res.Outcome)
			}
			want.Add(a)
		}
		days, err := s.Days(ctx, Filter{}, MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]*report.Counts{}
		for _, d := range days {
			got[d.Day] = &d.Counts
		}
		if diff := cmp.Diff(want.ByDay, got); diff != "" {
			t.Errorf("Days differ from report.Summary.ByDay (-want +got):\n%s", diff)
		}
		total, err := s.Total(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if total != want.Total {
			t.Errorf("Total = %+v, want %+v", total, want.Total)
		}
		// Re-adding changes nothing: what was stored is a duplicate, what
		// conflicted with a stored report conflicts again.
		for i, a := range as {
			res, err := s.AddAggregate(ctx, a, Source{Name: "again"})
			if err != nil {
				t.Fatal(err)
			}
			want := OutcomeDuplicate
			if first[i] == OutcomeConflict {
				want = OutcomeConflict
			}
			if res.Outcome != want {
				t.Errorf("re-adding %s %s: %v, want %v", a.Metadata.OrgName, a.Metadata.ReportID, res.Outcome, want)
			}
		}
		again, err := s.Total(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if again != total {
			t.Errorf("after re-adding: %+v, want %+v", again, total)
		}
		// Every query answers.
		for _, q := range []func() (int, error){
			func() (int, error) { x, err := s.Sources(ctx, Filter{}, 0); return len(x), err },
			func() (int, error) { x, err := s.Orgs(ctx, Filter{}, 0); return len(x), err },
			func() (int, error) { x, err := s.FailingSources(ctx, Filter{}, 5); return len(x), err },
			func() (int, error) { x, err := s.Reports(ctx, Filter{}, Page{}); return len(x), err },
			func() (int, error) { x, err := s.Policies(ctx, Filter{}, 0); return len(x), err },
			func() (int, error) { x, err := s.Domains(ctx, 0); return len(x), err },
		} {
			n, err := q()
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Error("a query returned nothing")
			}
		}
	})
}

var benchDay = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// TestReportRoundTrip: a stored report reads back as it was decoded.
func TestReportRoundTrip(t *testing.T) {
	as := conformanceReports(t)
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		seen := map[int64]bool{}
		for _, a := range as {
			res, err := s.AddAggregate(ctx, a, Source{Name: "f"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != OutcomeAdded || seen[res.ID] {
				continue
			}
			seen[res.ID] = true
			got, err := s.Report(ctx, res.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(a, got.Aggregate, cmpopts.IgnoreFields(report.Aggregate{}, "Namespaces"), cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Addr{})); diff != "" {
				t.Errorf("%s %s read back differently (-added +stored):\n%s", a.Metadata.OrgName, a.Metadata.ReportID, diff)
			}
			if got.Messages != a.Messages() || got.Records != len(a.Records) || got.Warnings != len(a.Warnings) {
				t.Errorf("%s: info %+v, want %d messages, %d records", a.Metadata.ReportID, got.ReportInfo, a.Messages(), len(a.Records))
			}
		}
		if _, err := s.Report(ctx, 1<<40); !errors.Is(err, ErrNotFound) {
			t.Errorf("Report(unknown) = %v, want ErrNotFound", err)
		}
	})
}

// TestReportHead: ReportHead gives a report's first records as Report
// lists them, at most the limit (DefaultLimit for 0 or less), and counts
// over all of them equal to the report's summary, for every conformance
// report, on both engines.
func TestReportHead(t *testing.T) {
	as := conformanceReports(t)
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		cut := 0
		for _, a := range as {
			res, err := s.AddAggregate(ctx, a, Source{Name: "f"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != OutcomeAdded {
				continue
			}
			whole, err := s.Report(ctx, res.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := report.Summarize(whole.Aggregate).Total
			for _, limit := range []int{-1, 0, 1, 2, len(a.Records), len(a.Records) + 1} {
				head, counts, err := s.ReportHead(ctx, res.ID, limit)
				if err != nil {
					t.Fatal(err)
				}
				n := min(len(whole.Aggregate.Records), limit)
				if limit <= 0 {
					n = min(len(whole.Aggregate.Records), DefaultLimit)
				}
				if n < len(whole.Aggregate.Records) {
					cut++
				}
				if diff := cmp.Diff(whole.Aggregate.Records[:n], head.Aggregate.Records, cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Addr{})); diff != "" {
					t.Errorf("%s, limit %d: records differ from Report's first %d (-Report +ReportHead):\n%s", a.Metadata.ReportID, limit, n, diff)
				}
				if counts != want || head.Records != whole.Records || head.ReportInfo != whole.ReportInfo {
					t.Errorf("%s, limit %d: counts %+v, info %+v; want %+v, %+v", a.Metadata.ReportID, limit, counts, head.ReportInfo, want, whole.ReportInfo)
				}
			}
		}
		if cut == 0 {
			t.Error("no report was cut: the test shows nothing")
		}
		if _, _, err := s.ReportHead(ctx, 1<<40, 0); !errors.Is(err, ErrNotFound) {
			t.Errorf("ReportHead(unknown) = %v, want ErrNotFound", err)
		}
	})
}

// TestConflictRecorded: a report under a stored key with other content
// is recorded once per distinct content, and the first stays.
func TestConflictRecorded(t *testing.T) {
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		a := benchReport("google.com", benchDay, "r1", 5, 0, 100)
		first, err := s.AddAggregate(ctx, a, Source{Name: "first"})
		if err != nil || first.Outcome != OutcomeAdded {
			t.Fatalf("first: %+v %v", first, err)
		}
		b := benchReport("google.com", benchDay, "r1", 5, 0, 100)
		b.Records[2].Row.Count += 1000
		for i, want := range []Outcome{OutcomeConflict, OutcomeConflict} {
			res, err := s.AddAggregate(ctx, b, Source{Name: "second"})
			if err != nil || res.Outcome != want || res.ID != first.ID {
				t.Fatalf("try %d: %+v %v, want %v of %d", i, res, err, want, first.ID)
			}
		}
		if res, err := s.AddAggregate(ctx, a, Source{Name: "third"}); err != nil || res.Outcome != OutcomeDuplicate {
			t.Fatalf("same again: %+v %v", res, err)
		}
		d, err := s.Report(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.ConflictList) != 1 || d.Conflicts != 1 || d.ConflictList[0].Source != "second" ||
			d.ConflictList[0].Messages != b.Messages() || d.Source != "first" || d.Messages != a.Messages() {
			t.Errorf("conflicts: %+v; report %+v", d.ConflictList, d.ReportInfo)
		}
		total, err := s.Total(ctx, Filter{})
		if err != nil || total.Messages != a.Messages() {
			t.Errorf("total %d (%v), want the first report's %d", total.Messages, err, a.Messages())
		}
	})
}

// summaryOf is report.Summary over the reports f selects.
func summaryOf(as []*report.Aggregate, f Filter) *report.Summary {
	var s report.Summary
	for _, a := range as {
		if f.Domain != "" && canonDomain(a.Policy.Domain) != f.Domain || f.Org != "" && a.Metadata.OrgName != f.Org {
			continue
		}
		s.Add(a)
	}
	return &s
}

// TestFilters: the per-day figures of a domain and of an organisation
// equal report.Summary's over the same reports, and a date range keeps
// those days.
func TestFilters(t *testing.T) {
	var as []*report.Aggregate
	for d := range 6 {
		for o, org := range benchOrgs[:3] {
			a := benchReport(org, benchDay.AddDate(0, 0, d), fmt.Sprint(d, o), 20, d*7+o, 50)
			if o == 2 {
				a.Policy.Domain = "Other.Example"
			}
			if d == 3 {
				// A two-day window, split over both days.
				a.Metadata.DateRange.End = a.Metadata.DateRange.End.Add(24 * time.Hour)
			}
			as = append(as, a)
		}
	}
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		addAll(t, s, as)
		for _, f := range []Filter{{}, {Domain: "example.com"}, {Domain: "other.example"}, {Org: benchOrgs[1]},
			{Domain: "example.com", Org: benchOrgs[0]}} {
			days, err := s.Days(ctx, f, MaxLimit)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]*report.Counts{}
			for _, d := range days {
				got[d.Day] = &d.Counts
			}
			if diff := cmp.Diff(summaryOf(as, f).ByDay, got); diff != "" {
				t.Errorf("%+v: days differ from report.Summary (-summary +store):\n%s", f, diff)
			}
			orgs, err := s.Orgs(ctx, f, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range orgs {
				if want := summaryOf(as, Filter{Domain: f.Domain, Org: o.OrgName}).Total; o.Counts != want {
					t.Errorf("%+v: org %s: %+v, want %+v", f, o.OrgName, o.Counts, want)
				}
			}
			srcs, err := s.Sources(ctx, f, MaxLimit)
			if err != nil {
				t.Fatal(err)
			}
			want := summaryOf(as, f).BySourceIP
			if len(srcs) != len(want) {
				t.Errorf("%+v: %d sources, want %d", f, len(srcs), len(want))
			}
			for _, sc := range srcs {
				if w := want[sc.SourceIP]; w == nil || *w != sc.Counts {
					t.Errorf("%+v: source %s: %+v, want %+v", f, sc.SourceIP, sc.Counts, w)
				}
			}
		}
		from, to := benchDay.AddDate(0, 0, 2).Format(time.DateOnly), benchDay.AddDate(0, 0, 3).Format(time.DateOnly)
		days, err := s.Days(ctx, Filter{From: from, To: to}, MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		if len(days) != 2 || days[0].Day != from || days[1].Day != to {
			t.Errorf("days %s to %s: %+v", from, to, days)
		}
		if _, err := s.Days(ctx, Filter{From: "2026-13-01"}, 0); err == nil {
			t.Error("a bad date was accepted")
		}
		ips := map[string]bool{}
		for _, a := range as {
			ips[a.Records[0].Row.SourceIP.String()] = true
		}
		// One source's days: report.Summary over its records, reports kept.
		ip := as[0].Records[0].Row.SourceIP.String()
		sd, err := s.SourceDays(ctx, Filter{}, ip)
		if err != nil {
			t.Fatal(err)
		}
		var want report.Summary
		for _, a := range as {
			b := *a
			b.Records = nil
			for _, r := range a.Records {
				if r.Row.SourceIP.String() == ip {
					b.Records = append(b.Records, r)
				}
			}
			if len(b.Records) > 0 {
				want.Add(&b)
			}
		}
		got := map[string]*report.Counts{}
		for _, d := range sd {
			got[d.Day] = &d.Counts
		}
		if diff := cmp.Diff(want.ByDay, got); diff != "" {
			t.Errorf("SourceDays(%s) (-summary +store):\n%s", ip, diff)
		}
		// Failing sources: the all-time totals and a period's ranking.
		for _, f := range []Filter{{Domain: "example.com"}, {Domain: "example.com", From: from}} {
			fs, err := s.FailingSources(ctx, f, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) == 0 || fs[0].DMARCFail == 0 || len(fs[0].Diagnoses) == 0 || fs[0].HeaderFrom[0] != "example.com" {
				t.Errorf("%+v: failing sources %+v", f, fs)
			}
		}
	})
}

// TestPrune: retention deletes old reports everywhere, and what remains
// answers as if only it had been added.
func TestPrune(t *testing.T) {
	var as []*report.Aggregate
	for d := range 5 {
		as = append(as, benchReport("google.com", benchDay.AddDate(0, 0, d), fmt.Sprint(d), 30, d*3, 40))
	}
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		addAll(t, s, as)
		p, err := s.Prune(ctx, benchDay.AddDate(0, 0, 2))
		if err != nil || p.Aggregate != 2 {
			t.Fatalf("Prune = %+v, %v; want 2 aggregate reports", p, err)
		}
		ref := mustOpen(t, testEngines[0].dsn(t), Options{})
		addAll(t, ref, as[2:])
		f := Filter{Domain: "example.com"}
		for _, q := range []struct {
			name string
			run  func(Store) (any, error)
		}{
			{"Days", func(s Store) (any, error) { return s.Days(ctx, f, MaxLimit) }},
			{"Sources", func(s Store) (any, error) { return s.Sources(ctx, f, MaxLimit) }},
			{"FailingSources", func(s Store) (any, error) { return s.FailingSources(ctx, f, MaxLimit) }},
			{"Policies", func(s Store) (any, error) { return s.Policies(ctx, f, 0) }},
		} {
			got, err := q.run(s)
			if err != nil {
				t.Fatal(err)
			}
			want, err := q.run(ref)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s after pruning (-fresh +pruned):\n%s", q.name, diff)
			}
		}
		ss := s.(*sqlStore)
		for _, table := range []string{"aggregate_records", "aggregate_failing", "aggregate_days"} {
			var n, m int
			ss.db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n)
			ref.(*sqlStore).db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&m)
			if n != m {
				t.Errorf("%s: %d rows after pruning, want %d", table, n, m)
			}
		}
	})
}

// TestLimits: a report past a bound is refused whole, and one for a
// domain outside the allow-list too.
func TestLimits(t *testing.T) {
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{MaxRecords: 10, AllowDomains: []string{"Example.COM."}})
		if _, err := s.AddAggregate(ctx, benchReport("o", benchDay, "ok", 10, 0, 10), Source{}); err != nil {
			t.Fatalf("10 records with MaxRecords 10: %v", err)
		}
		if _, err := s.AddAggregate(ctx, benchReport("o", benchDay, "big", 11, 0, 11), Source{}); !errors.Is(err, ErrTooLarge) {
			t.Errorf("11 records with MaxRecords 10: %v, want ErrTooLarge", err)
		}
		other := benchReport("o", benchDay, "other", 1, 0, 10)
		other.Policy.Domain = "example.net"
		if _, err := s.AddAggregate(ctx, other, Source{}); !errors.Is(err, ErrNotAllowed) {
			t.Errorf("example.net: %v, want ErrNotAllowed", err)
		}
		rs, err := s.Reports(ctx, Filter{}, Page{})
		if err != nil || len(rs) != 1 {
			t.Errorf("reports stored: %d (%v), want 1", len(rs), err)
		}
	})
}

// TestMaxReportMessagesCapped: a MaxReportMessages past 2^63-1 is held
// there, so that a report whose counts a signed 64-bit column cannot hold
// is refused rather than stored negative.
func TestMaxReportMessagesCapped(t *testing.T) {
	s := mustOpen(t, testEngines[0].dsn(t), Options{MaxReportMessages: math.MaxUint64})
	a := benchReport("o", benchDay, "huge", 1, 0, 1)
	a.Records[0].Row.Count = math.MaxInt64 + 1
	if _, err := s.AddAggregate(context.Background(), a, Source{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a record of 2^63 messages: %v, want ErrTooLarge", err)
	}
	a.Records[0].Row.Count = math.MaxInt64
	a.Metadata.ReportID = "max"
	if _, err := s.AddAggregate(context.Background(), a, Source{}); err != nil {
		t.Fatalf("a record of 2^63-1 messages: %v", err)
	}
	if n, err := s.Total(context.Background(), Filter{}); err != nil || n.Messages != math.MaxInt64 {
		t.Errorf("Total = %d, %v; want 2^63-1", n.Messages, err)
	}
}

// TestDefaultLimitMaxReportMessages: with the default limits, a report of
// 2^40 messages is stored and one of 2^40+1 refused.
func TestDefaultLimitMaxReportMessages(t *testing.T) {
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		a := benchReport("o", benchDay, "at", 2, 0, 2)
		a.Records[0].Row.Count, a.Records[1].Row.Count = 1<<39, 1<<39
		if _, err := s.AddAggregate(ctx, a, Source{}); err != nil {
			t.Fatalf("2^40 messages: %v", err)
		}
		a.Metadata.ReportID = "past"
		a.Records[1].Row.Count++
		if _, err := s.AddAggregate(ctx, a, Source{}); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("2^40+1 messages: %v, want ErrTooLarge", err)
		}
		// A saturated count (2^64-1) is refused too, never wrapped.
		a.Metadata.ReportID = "saturated"
		a.Records[1].Row.Count = math.MaxUint64
		if _, err := s.AddAggregate(ctx, a, Source{}); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("2^64-1 messages: %v, want ErrTooLarge", err)
		}
	})
}

// TestDefaultLimitMaxRecords: with the default limits, a report of
// 1,000,001 records is refused. Slow: skipped under -short and -race.
func TestDefaultLimitMaxRecords(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("stores a million records: run without -short and -race")
	}
	s := mustOpen(t, testEngines[0].dsn(t), Options{})
	a := benchReport("o", benchDay, "past", 1_000_001, 0, 5000)
	if _, err := s.AddAggregate(context.Background(), a, Source{}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("1,000,001 records: %v, want ErrTooLarge", err)
	}
}

// TestConcurrentWriters: two stores on one SQLite file (an ingest and the
// dashboard, or two ingests) write and read at once.
func TestConcurrentWriters(t *testing.T) {
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s1 := mustOpen(t, dsn, Options{})
		s2 := mustOpen(t, dsn, Options{})
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for w, s := range []Store{s1, s2} {
			wg.Go(func() {
				for i := range 20 {
					if _, err := s.AddAggregate(ctx, benchReport(benchOrgs[w], benchDay, fmt.Sprint(i), 50, i, 200), Source{}); err != nil {
						errs <- err
					}
					if _, err := s.Days(ctx, Filter{}, MaxLimit); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		rs, err := s1.Reports(ctx, Filter{}, Page{Limit: 100})
		if err != nil || len(rs) != 40 {
			t.Errorf("%d reports (%v), want 40", len(rs), err)
		}
	})
}

// TestDashboardQueries: a source's figures and reports, and the health
// check, on both engines.
func TestDashboardQueries(t *testing.T) {
	as := []*report.Aggregate{
		benchReport("google.com", benchDay, "1", 10, 0, 10),
		benchReport("Yahoo", benchDay.AddDate(0, 0, 1), "2", 10, 0, 10),
		benchReport("Yahoo", benchDay.AddDate(0, 0, 2), "3", 5, 5, 10),
	}
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		st := mustOpen(t, dsn, Options{})
		s, ok := st.(Dashboard)
		if !ok {
			t.Fatal("the store is no Dashboard")
		}
		addAll(t, s, as)
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		ip := benchAddr(0).String() // in reports 1 and 2, failing
		src, err := s.Source(ctx, Filter{}, ip)
		if err != nil {
			t.Fatal(err)
		}
		want := summaryOf(as, Filter{}).BySourceIP[ip]
		if src.Counts != *want || len(src.Diagnoses) == 0 {
			t.Errorf("Source(%s) = %+v, want counts %+v and diagnoses", ip, src, *want)
		}
		rs, err := s.SourceReports(ctx, Filter{}, ip, Page{})
		if err != nil || len(rs) != 2 || rs[0].ReportID != "2" || rs[1].ReportID != "1" {
			t.Errorf("SourceReports(%s) = %+v, %v; want reports 2 and 1", ip, rs, err)
		}
		rs, err = s.SourceReports(ctx, Filter{Org: "Yahoo"}, ip, Page{})
		if err != nil || len(rs) != 1 {
			t.Errorf("SourceReports(%s, Yahoo) = %d reports, %v; want 1", ip, len(rs), err)
		}
	})
}

// TestProvider: a failing source's provider is the sender report.Summary
// names from its records' passing domains.
func TestProvider(t *testing.T) {
	a := benchReport("google.com", benchDay, "p", 4, 1, 4)
	for i := range a.Records {
		r := &a.Records[i]
		r.Row.SourceIP = benchAddr(100)
		r.Row.PolicyEvaluated.DKIM, r.Row.PolicyEvaluated.SPF = report.DMARCResultFail, report.DMARCResultFail
		r.AuthResults.DKIM = []report.DKIMAuthResult{{Domain: "amazonses.com", Result: report.DKIMResultPass}}
	}
	var sum report.Summary
	sum.Add(a)
	want := ""
	for name := range sum.BySender {
		if name != "" {
			want = name
		}
	}
	if want == "" {
		t.Fatal("report.Summary names no sender for amazonses.com")
	}
	forEngines(t, func(t *testing.T, dsn string) {
		s := mustOpen(t, dsn, Options{})
		if _, err := s.AddAggregate(context.Background(), a, Source{}); err != nil {
			t.Fatal(err)
		}
		fs, err := s.FailingSources(context.Background(), Filter{}, 1)
		if err != nil || len(fs) != 1 || fs[0].Provider != want {
			t.Errorf("FailingSources = %+v, %v; want provider %q", fs, err, want)
		}
	})
}

// TestSourceAcrossBlocks: the queries by source address find an address's
// records in every index block (2^reportBlockBits reports each) of the
// selected reports, and count them as report.Summary does.
func TestSourceAcrossBlocks(t *testing.T) {
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		const n = 2<<reportBlockBits + 3 // three blocks
		var as []*report.Aggregate
		bt, err := s.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			a := benchReport(benchOrgs[i%len(benchOrgs)], benchDay.AddDate(0, 0, i%20), fmt.Sprint(i), 2, 0, 2)
			if _, err := bt.AddAggregate(ctx, a, Source{}); err != nil {
				t.Fatal(err)
			}
			as = append(as, a)
		}
		if err := bt.Commit(); err != nil {
			t.Fatal(err)
		}
		ip := benchAddr(1).String()
		for _, f := range []Filter{{}, {Org: benchOrgs[3]}, {From: benchDay.AddDate(0, 0, 5).Format(time.DateOnly)}} {
			var sum report.Summary
			reports := 0
			for _, a := range as {
				day := a.Metadata.DateRange.Begin.Format(time.DateOnly)
				if f.Org != "" && a.Metadata.OrgName != f.Org || f.From != "" && day < f.From {
					continue
				}
				sum.Add(a)
				reports++
			}
			srcs, err := s.Sources(ctx, f, MaxLimit)
			if err != nil || len(srcs) != 2 {
				t.Fatalf("%+v: Sources: %d, %v", f, len(srcs), err)
			}
			for _, sc := range srcs {
				if w := sum.BySourceIP[sc.SourceIP]; w == nil || *w != sc.Counts || sc.Reports != reports {
					t.Errorf("%+v: source %s: %+v in %d reports, want %+v in %d", f, sc.SourceIP, sc.Counts, sc.Reports, w, reports)
				}
			}
			rs, err := s.(Dashboard).SourceReports(ctx, f, ip, Page{Limit: MaxLimit})
			if err != nil || len(rs) != reports {
				t.Errorf("%+v: SourceReports: %d, %v; want %d", f, len(rs), err, reports)
			}
			days, err := s.SourceDays(ctx, f, ip)
			if err != nil {
				t.Fatal(err)
			}
			var msgs uint64
			for _, d := range days {
				msgs += d.Messages
			}
			if w := sum.BySourceIP[ip]; w == nil || msgs != w.Messages {
				t.Errorf("%+v: SourceDays sum to %d messages, want %+v", f, msgs, w)
			}
		}
	})
}

// TestDefaultLimitConflictsAtMaxLimit: a report met in MaxLimit+1
// changed copies lists the first MaxLimit of them and counts them all.
// Storing them takes seconds under the race detector: skipped there and
// under -short (CI's bounds step runs it without -race).
func TestDefaultLimitConflictsAtMaxLimit(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("slow under -race and -short; run without them")
	}
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		first, err := s.AddAggregate(ctx, benchReport("google.com", benchDay, "r1", 1, 0, 1), Source{Name: "first"})
		if err != nil {
			t.Fatal(err)
		}
		addBatch(t, s, MaxLimit+1, OutcomeConflict, func(i int) *report.Aggregate {
			a := benchReport("google.com", benchDay, "r1", 1, 0, 1)
			a.Records[0].Row.Count += uint64(i + 1)
			return a
		})
		d, err := s.Report(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.ConflictList) != MaxLimit || d.Conflicts != MaxLimit+1 {
			t.Errorf("%d conflicts listed, %d counted; want MaxLimit, %d, and all %d", len(d.ConflictList), d.Conflicts, MaxLimit, MaxLimit+1)
		}
	})
}

// TestReportHeadCountsWindows: ReportHead's counts, the sum of a report's
// day shares, equal its summary's total also for windows split unevenly
// over several days, reversed or empty windows, records of no messages,
// and a report of exactly the default MaxReportMessages split over days.
func TestReportHeadCountsWindows(t *testing.T) {
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]func(a *report.Aggregate){
		"three days, uneven": func(a *report.Aggregate) {
			a.Metadata.DateRange = report.DateRange{Begin: day.Add(12*time.Hour + 17*time.Second), End: day.Add(55*time.Hour + 3*time.Minute)}
		},
		"no messages": func(a *report.Aggregate) {
			for i := range a.Records {
				a.Records[i].Row.Count = 0
			}
		},
		"some records of no messages": func(a *report.Aggregate) {
			a.Metadata.DateRange.End = day.Add(71 * time.Hour)
			a.Records[0].Row.Count, a.Records[3].Row.Count = 0, 0
		},
		"reversed window": func(a *report.Aggregate) {
			a.Metadata.DateRange = report.DateRange{Begin: day.Add(48 * time.Hour), End: day}
		},
		"default MaxReportMessages over days": func(a *report.Aggregate) {
			a.Metadata.DateRange.End = day.Add(4*24*time.Hour + 5*time.Hour)
			a.Records = a.Records[:3]
			a.Records[0].Row.Count, a.Records[1].Row.Count, a.Records[2].Row.Count = 1<<40-10, 3, 7
		},
	}
	forEngines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := mustOpen(t, dsn, Options{})
		for name, edit := range cases {
			a := benchReport("example.net", day, name, 12, 0, 12)
			edit(a)
			res, err := s.AddAggregate(ctx, a, Source{})
			if err != nil || res.Outcome != OutcomeAdded {
				t.Fatalf("%s: AddAggregate = %+v, %v", name, res, err)
			}
			whole, err := s.Report(ctx, res.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := report.Summarize(whole.Aggregate).Total
			if _, counts, err := s.ReportHead(ctx, res.ID, 1); err != nil || counts != want {
				t.Errorf("%s: ReportHead counts %+v, %v; want the summary's %+v", name, counts, err, want)
			}
		}
	})
}
