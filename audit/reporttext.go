package audit

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"mime"
	"strconv"
	"strings"
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

// WriteFailure prints f, a DMARC failure report read from file, for
// people: what failed, for which domain, from where and when, the
// authentication results, the original's identifying header fields, then
// the decoder's warnings. Every string from the report goes through
// termsafe.String.
func WriteFailure(w io.Writer, file string, f *report.Failure) {
	ts := termsafe.String
	fmt.Fprintf(w, "%s\n", ts(file))
	fmt.Fprintf(w, "  failure report (%s) for %s", ts(dashIfEmpty(string(f.AuthFailure))), ts(dashIfEmpty(f.Domain())))
	if f.UserAgent != "" {
		fmt.Fprintf(w, " by %s", ts(f.UserAgent))
	}
	fmt.Fprintln(w)
	src := "-"
	if f.SourceIP.IsValid() {
		src = f.SourceIP.String()
	}
	arrival := "-"
	if !f.ArrivalDate.IsZero() {
		arrival = f.ArrivalDate.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	fmt.Fprintf(w, "  source IP %s, arrived %s", src, arrival)
	if f.Incidents > 1 {
		fmt.Fprintf(w, ", %s", pluralCount(f.Incidents, "incident"))
	}
	fmt.Fprintln(w)
	line := func(label, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %s: %s\n", label, ts(v))
		}
	}
	mailFrom := f.OriginalMailFrom
	if f.NullMailFrom {
		mailFrom = "<>"
	}
	line("mail from", mailFrom)
	line("delivery", string(f.DeliveryResult))
	line("identity alignment", strings.Join(f.IdentityAlignment, ", "))
	if f.DKIMDomain != "" || f.DKIMSelector != "" {
		line("dkim", "d="+dashIfEmpty(f.DKIMDomain)+" s="+dashIfEmpty(f.DKIMSelector))
	}
	for _, ar := range f.AuthenticationResults {
		line("authentication results", ar.Raw)
	}
	for _, h := range []string{"From", "Subject", "Date", "Message-ID"} {
		v := f.Original.Get(h)
		if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
			v = d // RFC 2047 encoded words, for reading
		}
		line("original "+strings.ToLower(h), v)
	}
	if f.Original.MediaType == "text/rfc822-headers" {
		fmt.Fprintln(w, "  (the report carries the original's header only)")
	}
	for _, wn := range f.Warnings {
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
	fc := &s.Failures
	aggregates := s.Reports > 0 || fc.Reports == 0
	if aggregates {
		fmt.Fprintf(w, "%s, %s\n", Plural(s.Reports, "report"), span)
	}
	if fc.Reports > 0 {
		fmt.Fprintf(w, "%s (%s)\n", Plural(fc.Reports, "failure report"), pluralCount(fc.Incidents, "incident"))
	}
	if skipped > 0 {
		fmt.Fprintf(w, "%s skipped: not reports (listed on stderr unless --quiet)\n", Plural(skipped, "file"))
	}
	if s.Duplicates > 0 {
		fmt.Fprintf(w, "%s not counted again: the same organisation, report ID, policy domain and period as one read before\n", Plural(s.Duplicates, "report"))
	}
	t := s.Total
	if aggregates {
		fmt.Fprintf(w, "%d messages: %d passed DMARC (%s; DKIM aligned %d, SPF aligned %d), %d failed; %d quarantined, %d rejected\n",
			t.Messages, t.DMARCPass, pct(t.DMARCPass, t.Messages), t.DKIMAligned, t.SPFAligned, t.DMARCFail, t.Quarantined, t.Rejected)
	}
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
	if len(s.BySender) > 1 || len(s.BySender) == 1 && s.BySender[""] == nil {
		table("By sender (- for none known):", report.Ranked(s.BySender, top))
	}
	n := top
	if n <= 0 {
		n = len(s.BySourceIP)
	}
	var failing []report.KeyedCounts
	for _, sc := range s.TopFailing(n) {
		failing = append(failing, report.KeyedCounts{Key: sc.SourceIP, Counts: sc.Counts})
	}
	table("Sources failing DMARC:", failing)
	writeFailureCounts(w, fc, top)
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
		where := d.HeaderFrom
		if d.Detail != "" {
			where += " (" + d.Detail + ")"
		}
		WriteFinding(w, "  ", AreaFinding{Severity: d.Severity.String(), Code: d.Code, Record: where,
			Message: fmt.Sprintf("%s [%s]", d.Message, pluralCount(d.Messages, "message")), RFC: d.RFC})
	}
}

// writeFailureCounts prints the failure reports' tables: incidents by
// reported domain, failure type, source IP and day, at most top rows each.
func writeFailureCounts(w io.Writer, fc *report.FailureCounts, top int) {
	if fc.Reports == 0 {
		return
	}
	table := func(title string, rows []report.KeyedCount) {
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "incidents\t")
		for _, r := range rows {
			fmt.Fprintf(tw, "%d\t  %s\n", r.Count, termsafe.String(dashIfEmpty(r.Key)))
		}
		tw.Flush()
	}
	table("Failure reports by reported domain:", report.RankedCounts(fc.ByDomain, top, false))
	table("Failure reports by failure type:", report.RankedCounts(fc.ByType, top, false))
	table("Failure reports by source IP:", report.RankedCounts(fc.BySourceIP, top, false))
	table("Failure reports by day:", report.RankedCounts(fc.ByDay, top, true))
}

// WriteSummaryCSV writes the rows of s's tables as CSV: the table name,
// its key and the counts (for the failure-report tables, incidents in the
// messages column). Every cell from the reports goes through
// termsafe.CSVCell against formula injection.
func WriteSummaryCSV(w io.Writer, s *report.Summary) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"table", "key", "messages", "dmarc_pass", "dmarc_fail", "dkim_aligned", "spf_aligned", "quarantined", "rejected"})
	u := func(n uint64) string { return strconv.FormatUint(n, 10) }
	for _, t := range []struct {
		name string
		m    map[string]*report.Counts
	}{{"reporter", s.ByOrg}, {"header_from", s.ByHeaderFrom}, {"source_ip", s.BySourceIP}, {"sender", s.BySender}, {"day", s.ByDay}} {
		for _, r := range report.Ranked(t.m, 0) {
			cw.Write([]string{t.name, termsafe.CSVCell(r.Key), u(r.Messages), u(r.DMARCPass), u(r.DMARCFail),
				u(r.DKIMAligned), u(r.SPFAligned), u(r.Quarantined), u(r.Rejected)})
		}
	}
	fc := &s.Failures
	for _, t := range []struct {
		name string
		m    map[string]uint64
	}{{"failure_domain", fc.ByDomain}, {"failure_type", fc.ByType}, {"failure_source_ip", fc.BySourceIP}, {"failure_day", fc.ByDay}} {
		for _, r := range report.RankedCounts(t.m, 0, false) {
			cw.Write([]string{t.name, termsafe.CSVCell(r.Key), u(r.Count), "", "", "", "", "", ""})
		}
	}
	cw.Flush()
	return cw.Error()
}
