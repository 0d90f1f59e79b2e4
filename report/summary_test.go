package report

import (
	"encoding/json"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var summaryCmp = cmp.Options{cmpopts.EquateEmpty(), cmpopts.IgnoreUnexported(Summary{})}

// sesReport is the seed material's case: Amazon SES sends for example.com
// with Easy DKIM but the default MAIL FROM (us-west-2.amazonses.com), so
// DKIM passes and aligns while SPF passes without aligning.
func sesReport() *Aggregate {
	b := &Builder{
		Metadata: Metadata{OrgName: "google.com", Email: "noreply-dmarc-support@google.com", ReportID: "1",
			DateRange: DateRange{Begin: time.Unix(1700006400, 0), End: time.Unix(1700092799, 0)}},
		Policy: PolicyPublished{Domain: "example.com", P: DispositionQuarantine},
	}
	ses := []DKIMAuthResult{{Domain: "example.com", Selector: "ai33r7fqmoefihzcm3c5yksogilyhsfv", Result: DKIMResultPass},
		{Domain: "amazonses.com", Selector: "224i4yxa5dv7c2xz3womw6peuasteono", Result: DKIMResultPass}}
	spf := []SPFAuthResult{{Domain: "us-west-2.amazonses.com", Scope: SPFScopeMFrom, Result: SPFResultPass}}
	b.Add(Evaluation{SourceIP: netip.MustParseAddr("54.240.27.1"), HeaderFrom: "example.com", EnvelopeFrom: "us-west-2.amazonses.com",
		Disposition: DispositionNone, DKIM: DMARCResultPass, SPF: DMARCResultFail, DKIMResults: ses, SPFResults: spf, Count: 40})
	// A second identity without Easy DKIM: only SES's own signature passes.
	b.Add(Evaluation{SourceIP: netip.MustParseAddr("54.240.27.2"), HeaderFrom: "news.example.org", EnvelopeFrom: "us-west-2.amazonses.com",
		Disposition: DispositionQuarantine, DKIM: DMARCResultFail, SPF: DMARCResultFail, DKIMResults: ses[1:], SPFResults: spf, Count: 5})
	// A spoofer.
	b.Add(Evaluation{SourceIP: netip.MustParseAddr("198.51.100.7"), HeaderFrom: "example.com", EnvelopeFrom: "example.com",
		Disposition: DispositionQuarantine, DKIM: DMARCResultFail, SPF: DMARCResultFail,
		SPFResults: []SPFAuthResult{{Domain: "example.com", Scope: SPFScopeMFrom, Result: SPFResultFail}}, Count: 3})
	return b.Aggregate()
}

// TestDiagnosisAndWarningAsFinding: the report's diagnoses and decoding
// warnings convert to the module-wide domainauth.Finding without losing the
// code, severity, place, rule or count.
func TestDiagnosisAndWarningAsFinding(t *testing.T) {
	var ds []domainauth.Finding
	for _, d := range Summarize(sesReport()).Diagnoses() {
		ds = append(ds, d.Finding())
	}
	want := domainauth.Finding{Code: "report.spf-esp-envelope", Severity: domainauth.SeverityWarning,
		Where: "example.com (us-west-2.amazonses.com)", RFC: "RFC 7489 §3.1.2"}
	i := slices.IndexFunc(ds, func(f domainauth.Finding) bool { return f.Where == want.Where })
	if i < 0 {
		t.Fatalf("no finding for %s in %v", want.Where, ds)
	}
	got := ds[i]
	if !strings.HasSuffix(got.Message, " [40 messages]") {
		t.Errorf("message %q lacks the count", got.Message)
	}
	got.Message = ""
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diagnosis.Finding (-want +got):\n%s", diff)
	}
	one := Diagnosis{Code: "report.unauthenticated", Severity: domainauth.SeverityError, HeaderFrom: "example.com", Messages: 1}
	if f := one.Finding(); f.Where != "example.com" || !strings.HasSuffix(f.Message, " [1 message]") {
		t.Errorf("one message: %+v", f)
	}

	tests := []struct {
		name string
		w    Warning
		want domainauth.Finding
	}{
		{"element and line, repeated", Warning{Code: "report.enum-case", Message: "m", Path: "feedback/record", Line: 7, Count: 3},
			domainauth.Finding{Code: "report.enum-case", Severity: domainauth.SeverityWarning, Where: "feedback/record line 7", Message: "m (x3)"}},
		{"container level, once", Warning{Code: "report.gzip-trailing-data", Message: "m", Count: 1},
			domainauth.Finding{Code: "report.gzip-trailing-data", Severity: domainauth.SeverityWarning, Message: "m"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.w.Finding()); diff != "" {
			t.Errorf("%s: Warning.Finding (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestDiagnosesSES(t *testing.T) {
	s := Summarize(sesReport())
	got := map[string]Diagnosis{}
	for _, d := range s.Diagnoses() {
		got[d.Code+" "+d.HeaderFrom] = d
	}
	for _, want := range []struct {
		code, hf, detail string
		messages         uint64
		sev              Severity
		text             string
	}{
		{FindingSPFESPEnvelope, "example.com", "us-west-2.amazonses.com", 40, domainauth.SeverityWarning, "custom MAIL FROM"},
		{FindingSPFESPEnvelope, "news.example.org", "us-west-2.amazonses.com", 5, domainauth.SeverityWarning, "Amazon SES"},
		{FindingDKIMESPOnly, "news.example.org", "amazonses.com", 5, domainauth.SeverityError, "Easy DKIM"},
		{FindingDMARCReliesOnDKIM, "example.com", "", 40, domainauth.SeverityInfo, "DKIM alone"},
		{FindingUnauthenticated, "example.com", "", 3, domainauth.SeverityError, "spoofing"},
	} {
		d, ok := got[want.code+" "+want.hf]
		if !ok {
			t.Errorf("missing %s for %s; got %v", want.code, want.hf, s.Diagnoses())
			continue
		}
		if d.Detail != want.detail || d.Messages != want.messages || d.Severity != want.sev || !strings.Contains(d.Message, want.text) {
			t.Errorf("%s: got %+v", want.code, d)
		}
	}
	if len(got) != 5 {
		t.Errorf("%d diagnoses, want 5: %v", len(got), s.Diagnoses())
	}
	if s.Total.Messages != 48 || s.Total.DMARCPass != 40 || s.Total.DKIMAligned != 40 || s.Total.SPFAligned != 0 || s.Total.Quarantined != 8 {
		t.Errorf("totals %+v", s.Total)
	}
	top := s.TopFailing(1)
	if len(top) != 1 || top[0].SourceIP != "54.240.27.2" || top[0].DMARCFail != 5 {
		t.Errorf("top failing %+v", top)
	}
}

// TestMergeAssociative: summarising reports in any grouping and merging
// gives the same summary (the property parallel use relies on).
func TestMergeAssociative(t *testing.T) {
	var all []*Aggregate
	for _, a := range samples(t) {
		all = append(all, a)
	}
	all = append(all, sesReport(), builtSample())
	slices.SortFunc(all, func(a, b *Aggregate) int {
		return strings.Compare(a.Metadata.ReportID+a.Metadata.OrgName, b.Metadata.ReportID+b.Metadata.OrgName)
	})
	// Reports with one identity (copies of a report among the samples)
	// are counted once by Add, which Merge cannot undo: the property
	// holds for distinct reports (TestSummaryDuplicates covers the rest).
	seen := map[ReportIdentity]bool{}
	all = slices.DeleteFunc(all, func(a *Aggregate) bool {
		dup := seen[a.Identity()]
		seen[a.Identity()] = true
		return dup
	})
	seq := &Summary{}
	for _, a := range all {
		seq.Add(a)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 5 {
		// Random partition into groups, each summarised, merged in a random tree.
		perm := rng.Perm(len(all))
		var parts []*Summary
		for i := 0; i < len(perm); {
			n := 1 + rng.IntN(5)
			s := &Summary{}
			for j := i; j < min(i+n, len(perm)); j++ {
				s.Add(all[perm[j]])
			}
			parts = append(parts, s)
			i += n
		}
		for len(parts) > 1 {
			i := rng.IntN(len(parts) - 1)
			parts[i].Merge(parts[i+1])
			parts = slices.Delete(parts, i+1, i+2)
		}
		if d := cmp.Diff(seq, parts[0], summaryCmp); d != "" {
			t.Fatalf("round %d: merged summary differs:\n%s", round, d)
		}
		if d := cmp.Diff(seq.Diagnoses(), parts[0].Diagnoses()); d != "" {
			t.Fatalf("round %d: diagnoses differ:\n%s", round, d)
		}
	}
	// And through JSON, as workers in other processes would send them.
	b, err := json.Marshal(seq)
	if err != nil {
		t.Fatal(err)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	merged := &Summary{}
	merged.Merge(&back)
	if d := cmp.Diff(seq, merged, summaryCmp); d != "" {
		t.Fatalf("JSON round trip differs:\n%s", d)
	}
}

// TestSplitDays: a multi-day window is split in proportion, exactly.
func TestSplitDays(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	for _, c := range []struct {
		name  string
		dr    DateRange
		total uint64
		want  map[string]uint64
	}{
		{"one UTC day", DateRange{day("2024-01-02"), day("2024-01-03").Add(-time.Second)}, 10, map[string]uint64{"2024-01-02": 10}},
		{"zero-length", DateRange{day("2024-01-02").Add(5 * time.Hour), day("2024-01-02").Add(5 * time.Hour)}, 7, map[string]uint64{"2024-01-02": 7}},
		{"two halves", DateRange{day("2024-01-02").Add(12 * time.Hour), day("2024-01-03").Add(12*time.Hour - time.Second)}, 11,
			map[string]uint64{"2024-01-02": 6, "2024-01-03": 5}},
		{"four days", DateRange{day("2024-01-01"), day("2024-01-05").Add(-time.Second)}, 10,
			map[string]uint64{"2024-01-01": 3, "2024-01-02": 2, "2024-01-03": 3, "2024-01-04": 2}},
		{"three years (over MaxSplitDays)", DateRange{day("2021-01-01"), day("2024-01-01")}, 9, map[string]uint64{"2024-01-01": 9}},
		{"no window", DateRange{}, 4, map[string]uint64{"": 4}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := map[string]uint64{}
			var sum uint64
			for d, n := range splitDays(c.dr, Counts{Messages: c.total, DMARCPass: c.total}) {
				got[d] = n.Messages
				sum += n.DMARCPass
			}
			if d := cmp.Diff(c.want, got); d != "" || sum != c.total {
				t.Errorf("split (-want +got):\n%s (sum %d)", d, sum)
			}
		})
	}
}

// TestJSONNames: JSON output uses the XML element names (snake_case).
func TestJSONNames(t *testing.T) {
	a := sesReport()
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"report_metadata"`, `"org_name"`, `"report_id"`, `"date_range"`, `"policy_published"`,
		`"record"`, `"source_ip":"54.240.27.1"`, `"policy_evaluated"`, `"header_from"`, `"envelope_from"`, `"auth_results"`,
		`"selector"`, `"scope":"mfrom"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("report JSON lacks %s: %s", k, b)
		}
	}
	var back Aggregate
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(a, &back, cmpOpts); d != "" {
		t.Errorf("JSON round trip:\n%s", d)
	}
	s := Summarize(a)
	sb, _ := json.Marshal(struct {
		*Summary
		Diagnoses []Diagnosis `json:"diagnoses"`
	}{s, s.Diagnoses()})
	for _, k := range []string{`"by_org"`, `"by_source_ip"`, `"by_header_from"`, `"by_day"`, `"dmarc_pass"`, `"dkim_aligned"`,
		`"spf_aligned"`, `"severity":"warning"`, `"code":"report.spf-esp-envelope"`} {
		if !strings.Contains(string(sb), k) {
			t.Errorf("summary JSON lacks %s: %s", k, sb)
		}
	}
}

func TestBuilderGroups(t *testing.T) {
	a := builtSample()
	if len(a.Records) != 2 || a.Records[0].Row.Count != 3 || a.Records[1].Row.Count != 1 {
		t.Fatalf("records %+v", a.Records)
	}
	// Results given in another order, and domains in another case, group.
	b := &Builder{}
	e := Evaluation{SourceIP: netip.MustParseAddr("192.0.2.1"), HeaderFrom: "Example.COM", DKIM: DMARCResultPass, SPF: DMARCResultFail,
		Disposition: DispositionNone, DKIMResults: []DKIMAuthResult{{Domain: "a.example", Result: DKIMResultPass}, {Domain: "b.example", Result: DKIMResultFail}}}
	b.Add(e)
	e.HeaderFrom = "example.com."
	e.DKIMResults = []DKIMAuthResult{e.DKIMResults[1], e.DKIMResults[0]}
	b.Add(e)
	e.SourceIP = netip.MustParseAddr("192.0.2.2")
	b.Add(e)
	got := b.Aggregate()
	if b.Len() != 2 || got.Records[0].Row.Count != 2 || got.Records[0].Identifiers.HeaderFrom != "example.com" {
		t.Errorf("grouping: %+v", got.Records)
	}
}

// TestProvidersLooksUpOnce: the per-record memory of provider lookups
// answers as SenderMap.ByDomain does, for any spelling of a domain and past
// the domains it remembers.
func TestProvidersLooksUpOnce(t *testing.T) {
	m := DefaultSenders()
	if m.ByDomain("amazonses.com") == nil {
		t.Fatal("the default sender map does not know amazonses.com")
	}
	pc := providers{m: m}
	domains := []string{"amazonses.com", "AmazonSES.com.", "us-west-2.amazonses.com", "example.com",
		"sendgrid.net", "mail.example.net", "google.com", "amazonses.com", "example.org", "example.com"}
	for _, d := range domains {
		if got, want := pc.byDomain(d), m.ByDomain(d); got != want {
			t.Errorf("byDomain(%q) = %v, want %v", d, got, want)
		}
	}
	if pc.n != len(pc.seen) {
		t.Errorf("%d domains remembered, want %d", pc.n, len(pc.seen))
	}
	if pc.seen[0].domain != "amazonses.com" || pc.seen[1].domain != "us-west-2.amazonses.com" {
		t.Errorf("remembered %q, %q: the two spellings of amazonses.com should share one entry", pc.seen[0].domain, pc.seen[1].domain)
	}
}
