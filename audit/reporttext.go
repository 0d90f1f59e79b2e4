package audit

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"

	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/report"
)

// dashIfEmpty is s, or "-" for an empty field.
func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteAggregate prints agg, a DMARC aggregate report read from file, for
// people: its metadata, policy and message count, at most maxRows rows (0:
// all) as a table, then its warnings. Every string from the report goes
// through termsafe.String.
func WriteAggregate(w io.Writer, file string, agg *report.Aggregate, maxRows int) {
	ts := termsafe.String
	m, p := agg.Metadata, agg.Policy
	fmt.Fprintf(w, "%s\n", ts(file))
	fmt.Fprintf(w, "  report %s from %s", ts(m.ReportID), ts(dashIfEmpty(m.OrgName)))
	if m.Email != "" {
		fmt.Fprintf(w, " <%s>", ts(m.Email))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  period: %s\n", m.DateRange)
	fmt.Fprintf(w, "  policy for %s: %s\n", ts(dashIfEmpty(p.Domain)), ts(p.String()))
	fmt.Fprintf(w, "  %s in %s\n", pluralCount(agg.Messages(), "message"), Plural(len(agg.Records), "row"))
	if agg.Messages() == math.MaxUint64 {
		fmt.Fprintln(w, "  "+saturatedNote)
	}
	if len(agg.Records) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  source IP\tcount\tdisposition\tdkim\tspf\theader from\tauth results")
		for i, r := range agg.Records {
			if maxRows > 0 && i == maxRows {
				fmt.Fprintf(tw, "  ... %d more rows\n", len(agg.Records)-maxRows)
				break
			}
			pe := r.Row.PolicyEvaluated
			fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%s\t%s\n", ipString(r), r.Row.Count,
				ts(dashIfEmpty(string(pe.Disposition))), ts(dashIfEmpty(string(pe.DKIM))), ts(dashIfEmpty(string(pe.SPF))),
				ts(dashIfEmpty(r.Identifiers.HeaderFrom)), ts(r.AuthResults.String()))
		}
		tw.Flush()
	}
	for _, wn := range agg.Warnings {
		fmt.Fprintf(w, "  note: %s\n", ts(wn.String()))
	}
}

// pluralCount is Plural for a message count, which a report can make as
// large as math.MaxUint64 (an int conversion would print it negative).
func pluralCount(n uint64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.FormatUint(n, 10) + " " + word + "s"
}

// ipString is the source IP of r, "-" when the report has none.
func ipString(r report.Record) string {
	if !r.Row.SourceIP.IsValid() {
		return "-"
	}
	return r.Row.SourceIP.String()
}

// pct is n as a percentage of of, "-" when of is 0.
func pct(n, of uint64) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", float64(n)*100/float64(of))
}

// saturatedNote follows a message total that reached 2^64-1: the report's
// counts sum past what a count can hold, so the figures saturated (never
// wrapped) and are not to be trusted as totals.
const saturatedNote = "warning: the counts sum past 2^64-1; totals saturated at that value and are wrong"

// WriteSummary prints s for people: the totals, the tables by reporter, From
// domain, source IP and failing source, each at most top rows (0: all),
// and the diagnoses as findings. skipped is the number of files that were
// not reports. Every string from the reports goes through termsafe.String.
func WriteSummary(w io.Writer, s *report.Summary, skipped, top int) {
	span := "no dated records"
	if first, last := s.Span(); first != "" {
		span = first + " to " + last
	}
	fmt.Fprintf(w, "%s, %s\n", Plural(s.Reports, "report"), span)
	if skipped > 0 {
		fmt.Fprintf(w, "%s skipped: not reports (listed on stderr unless --quiet)\n", Plural(skipped, "file"))
	}
	t := s.Total
	fmt.Fprintf(w, "%d messages: %d passed DMARC (%s; DKIM aligned %d, SPF aligned %d), %d failed; %d quarantined, %d rejected\n",
		t.Messages, t.DMARCPass, pct(t.DMARCPass, t.Messages), t.DKIMAligned, t.SPFAligned, t.DMARCFail, t.Quarantined, t.Rejected)
	if t.Messages == math.MaxUint64 {
		fmt.Fprintln(w, saturatedNote)
	}
	table := func(title string, rows []report.KeyedCounts) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "messages\tpass\tfail\tpass rate\t")
		for _, r := range rows {
			fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t  %s\n", r.Messages, r.DMARCPass, r.DMARCFail, pct(r.DMARCPass, r.Messages), termsafe.String(dashIfEmpty(r.Key)))
		}
		tw.Flush()
	}
	table("By reporter:", report.Ranked(s.ByOrg, top))
	table("By From domain:", report.Ranked(s.ByHeaderFrom, top))
	table("By source IP:", report.Ranked(s.BySourceIP, top))
	n := top
	if n <= 0 {
		n = len(s.BySourceIP)
	}
	var failing []report.KeyedCounts
	for _, sc := range s.TopFailing(n) {
		failing = append(failing, report.KeyedCounts{Key: sc.SourceIP, Counts: sc.Counts})
	}
	table("Sources failing DMARC:", failing)
	diags := s.Diagnoses()
	if len(diags) == 0 {
		return
	}
	fmt.Fprintln(w, "\nWhat the reports say:")
	for i, d := range diags {
		if top > 0 && i == top {
			fmt.Fprintf(w, "  ... %d more\n", len(diags)-top)
			break
		}
		WriteFinding(w, "  ", areaFinding("", d.Finding()))
	}
}
