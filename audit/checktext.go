package audit

import (
	"fmt"
	"io"
	"slices"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/spf"
)

// AreaJSON is one area of a report in the JSON form of "domainauth check".
type AreaJSON struct {
	Name     string        `json:"area"`
	Title    string        `json:"title"`
	Status   string        `json:"status"`
	Facts    []string      `json:"facts,omitempty"`
	Findings []AreaFinding `json:"findings"`
}

// ReportJSON is a report in the JSON form of "domainauth check": the
// areas with their shown facts (CheckFacts) and findings, without the
// packages' full results that Report itself marshals.
type ReportJSON struct {
	Domain   string     `json:"domain"`
	Source   string     `json:"source"`
	Areas    []AreaJSON `json:"areas"`
	Errors   int        `json:"errors"`
	Warnings int        `json:"warnings"`
}

// CheckFacts are the fact lines of ar, an area of r, as a report shows
// them: the SPF lookup tree is detail for an SPF lint, shown here only when
// the lookups are over the limit (RFC 7208 §4.6.4), where it is the fix.
// The tree is bounded by MaxTreeLines.
func (r *Report) CheckFacts(ar *Area) []string {
	if ar.Name != AreaSPF || r.SPF == nil || r.SPF.Lookups <= 10 {
		return ar.Facts
	}
	return append(ar.Facts, TreeLines(r.SPFTree, r.SPF.TermsOmitted, "  ")...)
}

// JSON is r in the JSON form of "domainauth check", with source, where the
// records came from.
func (r *Report) JSON(source string) *ReportJSON {
	out := &ReportJSON{Domain: r.Domain, Source: source, Errors: r.Errors, Warnings: r.Warnings}
	for i := range r.Areas {
		ar := &r.Areas[i]
		out.Areas = append(out.Areas, AreaJSON{Name: ar.Name, Title: ar.Title, Status: string(ar.Status),
			Facts: r.CheckFacts(ar), Findings: AreaFindings(ar.Name, ar.Findings)})
	}
	return out
}

// CSVHeader is the header row of CSVRows.
var CSVHeader = []string{"domain", "area", "severity", "code", "record", "message", "fix", "rfc"}

// CSVRows are r's findings, one row a finding in the columns of CSVHeader,
// each cell made safe for spreadsheets by termsafe.CSVCell.
func (r *Report) CSVRows() [][]string {
	var rows [][]string
	for _, ar := range r.Areas {
		for _, f := range ar.Findings {
			row := []string{r.Domain, ar.Name, f.Severity.String(), f.Code, f.Where, f.Message, f.Fix, f.RFC}
			for i := range row {
				row[i] = termsafe.CSVCell(row[i])
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// TextOptions says what Report.WriteText prints beyond the default. The
// zero value prints every area's warnings and errors, not its infos.
type TextOptions struct {
	// Verbose adds the info findings.
	Verbose bool
}

// WriteText prints r for people: each area with its status, facts
// (CheckFacts) and findings (infos only with opts.Verbose), then the
// totals. source says where the records came from. What DNS holds goes
// through termsafe.
func (r *Report) WriteText(w io.Writer, source string, opts TextOptions) {
	domain := termsafe.String(r.Domain)
	fmt.Fprintf(w, "Checking %s (records from %s)\n", domain, termsafe.String(source))
	for i := range r.Areas {
		ar := &r.Areas[i]
		fmt.Fprintf(w, "\n%s: %s\n", termsafe.String(ar.Title), ar.Status)
		for _, f := range r.CheckFacts(ar) {
			fmt.Fprintf(w, "  %s\n", termsafe.String(f))
		}
		fs := AreaFindings(ar.Name, ar.Findings)
		if !opts.Verbose {
			fs = slices.DeleteFunc(fs, func(f AreaFinding) bool { return f.Severity == domainauth.SeverityInfo })
		}
		WriteFindings(w, "  ", fs)
	}
	fmt.Fprintf(w, "\nResult: ")
	if r.Errors == 0 && r.Warnings == 0 {
		fmt.Fprintf(w, "%s: no problems found\n", domain)
		return
	}
	fmt.Fprintf(w, "%s: %s, %s\n", domain, Plural(r.Errors, "error"), Plural(r.Warnings, "warning"))
}

// SPFFacts describes an SPF lint report: the record, the lookup count and
// the lookup tree, one line each; the tree is at most MaxTreeLines lines
// (the terms left out, by it or by the linter's MaxTerms, are counted), so
// the output stays small whatever the record.
func SPFFacts(rep *spf.Report) []string {
	if rep.Record == "" {
		for _, f := range rep.Findings {
			if f.Code == spf.FindingMultipleRecords {
				return []string{rep.Domain + ": more than one SPF record"}
			}
		}
		return []string{rep.Domain + ": no SPF record"}
	}
	lines := []string{
		fmt.Sprintf("%s: %s", rep.Domain, `"`+rep.Record+`"`),
		fmt.Sprintf("  DNS lookups: %d of 10 (worst case), void lookups: %d of 2", rep.Lookups, rep.VoidLookups),
	}
	return append(lines, TreeLines(Tree(rep.Terms), rep.TermsOmitted, "    ")...)
}
