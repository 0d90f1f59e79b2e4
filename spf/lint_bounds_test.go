package spf

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/zone"
)

// bigRecord returns a record of about size bytes of a terms with distinct
// targets (none published: each is a void lookup), then -all.
func bigRecord(size int) string {
	var b strings.Builder
	b.WriteString("v=spf1")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, " a:h%d.example.net", i)
	}
	return b.String() + " -all"
}

// treeParents builds the tree of Report.Terms in one pass as its doc says
// (each term takes the entries one level deeper that precede it) and
// reports the entries left without a parent below depth 0.
func treeParents(terms []TermCost) (orphans int) {
	var stack []TermCost
	for _, tc := range terms {
		for len(stack) > 0 && stack[len(stack)-1].Depth == tc.Depth+1 {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, tc)
	}
	for _, tc := range stack {
		if tc.Depth > 0 {
			orphans++
		}
	}
	return orphans
}

// TestLintRepeatedIncludeOnce guards issue 11 item 12: a root with 99
// includes of one 62 KB record walks that record once and probes each
// target once, within the default bounds, and still counts the worst case
// of every path.
func TestLintRepeatedIncludeOnce(t *testing.T) {
	z := zone.New()
	big := bigRecord(62 << 10)
	z.AddTXT("big.example.net", big)
	var incs []string
	for i := range 99 {
		name := fmt.Sprintf("i%d.example.org", i)
		z.AddCNAME(name, "big.example.net")
		incs = append(incs, "include:big.example.net")
	}
	z.AddTXT("example.com", "v=spf1 "+strings.Join(incs, " ")+" -all")
	cr := &countingResolver{z: z}
	start := time.Now()
	rep := (&Linter{Resolver: cr}).Lint(context.Background(), "example.com")
	elapsed := time.Since(start)
	bigTerms := strings.Count(big, " a:")
	t.Logf("%d terms in the included record; %d queries, %v, %d terms listed, %d omitted, %d findings",
		bigTerms, cr.total(), elapsed, len(rep.Terms), rep.TermsOmitted, len(rep.Findings))
	if n := cr.total(); n > 5000 {
		t.Errorf("%d queries, want at most 5000", n)
	}
	if want := 99 * (1 + bigTerms); rep.Lookups != want {
		t.Errorf("Lookups = %d, want %d (every path counted)", rep.Lookups, want)
	}
	// The 98 later includes come after the MaxTerms listed entries: they
	// are counted as omitted. With room for every entry they are listed,
	// each marked as repeated with the whole cost, not walked again.
	if len(rep.Terms) > 1000+1 || len(rep.Terms)+rep.TermsOmitted != 99+bigTerms {
		t.Errorf("%d terms listed, %d omitted, want at most 1001 of %d", len(rep.Terms), rep.TermsOmitted, 99+bigTerms)
	}
	if o := treeParents(rep.Terms); o != 0 {
		t.Errorf("%d listed terms without their include", o)
	}
	if !hasCode(rep.Findings, FindingLintLimit) || !hasCode(rep.Findings, FindingTooManyLookups) || !hasCode(rep.Findings, FindingTooManyVoids) {
		t.Errorf("findings %v: want the limit, too-many-lookups and too-many-void-lookups findings", codes(rep.Findings))
	}
	cr = &countingResolver{z: z}
	rep = (&Linter{Resolver: cr, MaxTerms: 10000}).Lint(context.Background(), "example.com")
	if n := cr.total(); n > 5000 {
		t.Errorf("MaxTerms 10000: %d queries, want at most 5000", n)
	}
	repeated := 0
	for _, tc := range rep.Terms {
		if tc.Repeated {
			repeated++
			if tc.Lookups != 1+bigTerms {
				t.Errorf("repeated %s costs %d, want %d", tc.Term, tc.Lookups, 1+bigTerms)
			}
		}
	}
	if repeated != 98 || len(rep.Terms) != 99+bigTerms {
		t.Errorf("MaxTerms 10000: %d repeated includes in %d terms listed, want 98 in %d", repeated, len(rep.Terms), 99+bigTerms)
	}
}

func hasCode(fs []Finding, code string) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}

// TestLintLargeRecordBounded: a 19 KB record of many terms lints quickly
// and its report stays within the default bounds: Terms (MaxTerms plus
// the includes leading to them), Findings (MaxFindings plus the tree
// findings), probes (MaxProbes).
func TestLintLargeRecordBounded(t *testing.T) {
	z := zone.New()
	rec := bigRecord(19 << 10)
	// The same record again, included first: its terms repeat the
	// probes' targets, nest one level down and fill Terms.
	z.AddTXT("example.com", "v=spf1 include:inc.example.com"+strings.TrimPrefix(rec, "v=spf1"))
	z.AddTXT("inc.example.com", rec)
	cr := &countingResolver{z: z}
	start := time.Now()
	rep := (&Linter{Resolver: cr}).Lint(context.Background(), "example.com")
	elapsed := time.Since(start)
	terms := 2*strings.Count(rec, " a:") + 1
	t.Logf("%d terms: %d queries, %v, %d terms listed, %d omitted, %d findings", terms, cr.total(), elapsed, len(rep.Terms), rep.TermsOmitted, len(rep.Findings))
	if elapsed > time.Second {
		t.Errorf("lint took %v", elapsed)
	}
	if len(rep.Terms) > 1000+1 || len(rep.Terms)+rep.TermsOmitted != terms {
		t.Errorf("%d terms listed and %d omitted, want at most 1001 listed of %d", len(rep.Terms), rep.TermsOmitted, terms)
	}
	if len(rep.Findings) > 1000+5 {
		t.Errorf("%d findings, want at most 1005", len(rep.Findings))
	}
	if n := cr.total(); n > 500+2 {
		t.Errorf("%d queries, want at most 502 (500 probes and 2 records)", n)
	}
	if o := treeParents(rep.Terms); o != 0 {
		t.Errorf("%d listed terms without their include", o)
	}
	if rep.Terms[len(rep.Terms)-1].Term != "include:inc.example.com" {
		t.Errorf("last listed term %q, want the include whose subtree is listed", rep.Terms[len(rep.Terms)-1].Term)
	}
}

// TestLintBoundsJustPast goes one past each Linter bound at its default:
// 1,001 terms listed, 501 probe targets, 1,001 term findings.
func TestLintBoundsJustPast(t *testing.T) {
	tests := []struct {
		name   string
		record string
		check  func(*Report) string
	}{
		{"MaxTerms", "v=spf1 " + repeat("ip4:192.0.2.1 a:x.example.com", 1001) + " -all", func(r *Report) string {
			if len(r.Terms) != 1000 || r.TermsOmitted != 1 {
				return fmt.Sprintf("%d listed, %d omitted; want 1000 and 1", len(r.Terms), r.TermsOmitted)
			}
			return ""
		}},
		{"MaxProbes", bigRecord(1) + strings.Repeat(" a:h.example.org", 0), nil},
		{"MaxFindings", "v=spf1 " + repeat("a:nx.example.com", 1001) + " -all", func(r *Report) string {
			// 1,000 findings about terms and records, then those about the
			// tree: lookups, voids, the term left out of Terms and the
			// findings left out.
			tree := codes(r.Findings[min(1000, len(r.Findings)):])
			want := []string{FindingTooManyLookups, FindingTooManyVoids, FindingLintLimit, FindingLintLimit}
			if !slices.Equal(tree, want) || r.VoidLookups != 1001 {
				return fmt.Sprintf("%d findings, %d void lookups, last codes %v, want 1000 and %v", len(r.Findings), r.VoidLookups, tree, want)
			}
			return ""
		}},
	}
	var probes []string
	for i := range 501 {
		probes = append(probes, fmt.Sprintf("a:h%d.example.net", i))
	}
	tests[1].record = "v=spf1 " + strings.Join(probes, " ") + " -all"
	tests[1].check = func(r *Report) string {
		for _, f := range r.Findings {
			if f.Code == FindingLintLimit && strings.HasPrefix(f.Message, "1 terms not probed") {
				return ""
			}
		}
		return "no finding for the one term not probed"
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone.New()
			z.AddTXT("example.com", tt.record)
			z.AddA("x.example.com", "192.0.2.1")
			cr := &countingResolver{z: z}
			rep := (&Linter{Resolver: cr}).Lint(context.Background(), "example.com")
			if msg := tt.check(rep); msg != "" {
				t.Error(msg)
			}
			if n := cr.total(); n > 501 {
				t.Errorf("%d queries, want at most 501", n)
			}
		})
	}
}
