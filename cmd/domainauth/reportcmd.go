package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/domainauth/domainauth/report"
)

func reportCommand() *command {
	files := `FILE may be XML, gzip, zip or a whole report email; a folder stands for every
file below it (files there that are not reports are skipped with a note on
stderr). A named FILE that is not a report is an error (exit status 2).`
	return &command{
		name:    "report",
		summary: "read DMARC aggregate reports",
		long: `Read DMARC aggregate reports (RFC 7489 and RFC 9990 schemas; XML, gzip, zip or
email) and show, summarise or convert them.`,
		examples: []string{"domainauth report summary ~/dmarc-reports/"},
		subs: []*command{
			{
				name:    "show",
				args:    "FILE|FOLDER...",
				summary: "print each report: reporter, period, policy and rows",
				long:    "Print each report: who sent it, for which period and policy, and one line per row.\n\n" + files,
				examples: []string{
					"domainauth report show report.xml.gz",
				},
				minArgs: 1, maxArgs: -1,
				setup: reportShowSetup,
			},
			{
				name:    "summary",
				args:    "FILE|FOLDER...",
				summary: "summarise many reports: messages by source and result",
				long: `Summarise reports: the messages per reporter, per From domain and per source
IP, with how many passed DMARC and by which mechanism, and the sources that
fail most. Exit status 0 even when mail failed: it is a report, not a check.

` + files,
				examples: []string{
					"domainauth report summary ~/dmarc-reports/",
					"domainauth report summary --top 5 a.xml b.xml.gz",
				},
				minArgs: 1, maxArgs: -1,
				setup: reportSummarySetup,
			},
			{
				name:    "json",
				args:    "FILE|FOLDER...",
				summary: "convert reports to JSON",
				long:    "Print the reports as a JSON array, element names as keys (report_metadata, policy_published, record), with the decoder's warnings.\n\n" + files,
				examples: []string{
					"domainauth report json report.zip > report.json",
				},
				minArgs: 1, maxArgs: -1,
				setup: reportJSONSetup,
			},
		},
	}
}

// decoded is one report read from a file.
type decoded struct {
	file string
	agg  *report.Aggregate
}

// reportInput is a file to read and whether the user named it (an error in
// a named file fails the command; one found in a folder is skipped).
type reportInput struct {
	path  string
	named bool
}

// expandInputs turns FILE and FOLDER arguments into the files to read, in a
// stable order.
func expandInputs(args []string) ([]reportInput, error) {
	var out []reportInput
	for _, arg := range args {
		fi, err := os.Stat(arg)
		if err != nil {
			return nil, fileError(err)
		}
		if !fi.IsDir() {
			out = append(out, reportInput{path: arg, named: true})
			continue
		}
		var found []string
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != arg && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
				found = append(found, p)
			}
			return nil
		})
		if err != nil {
			return nil, fileError(err)
		}
		slices.Sort(found)
		for _, p := range found {
			out = append(out, reportInput{path: p})
		}
	}
	return out, nil
}

// readReports decodes every input. Files in folders that are not reports
// are skipped with one line each on stderr; a named file that fails stops
// the command. A progress line is kept on stderr when it is a terminal and
// the work takes a while.
func (a *app) readReports(ctx context.Context, args []string) ([]decoded, error) {
	inputs, err := expandInputs(args)
	if err != nil {
		return nil, err
	}
	dec := &report.Decoder{}
	start := time.Now()
	delay := a.progressDelay
	if delay == 0 {
		delay = 500 * time.Millisecond
	}
	progress := false
	var out []decoded
	var skipped []string // notes, printed only when some report was read
	for i, in := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if a.terminal && len(inputs) > 1 && time.Since(start) > delay {
			fmt.Fprintf(a.stderr, "\rreading reports: %d of %d files", i+1, len(inputs))
			progress = true
		}
		agg, err := decodeFile(dec, in.path)
		if err != nil {
			if in.named {
				if progress {
					fmt.Fprint(a.stderr, "\r\033[K")
				}
				return nil, err
			}
			skipped = append(skipped, oneLine(err.Error()))
			continue
		}
		out = append(out, decoded{file: in.path, agg: agg})
	}
	if progress {
		fmt.Fprint(a.stderr, "\r\033[K")
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no DMARC aggregate report found in %s (%s read)", strings.Join(args, ", "), plural(len(inputs), "file"))
	}
	for _, s := range skipped {
		fmt.Fprintf(a.stderr, "skipped %s\n", s)
	}
	return out, nil
}

func decodeFile(dec *report.Decoder, file string) (*report.Aggregate, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fileError(err)
	}
	defer f.Close()
	agg, err := dec.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", file, reportReason(err))
	}
	return agg, nil
}

// reportReason says in plain words why a file is not a usable report.
func reportReason(err error) string {
	switch {
	case errors.Is(err, report.ErrEmpty):
		return "empty file, not a DMARC aggregate report"
	case errors.Is(err, report.ErrNotReport):
		detail := strings.TrimPrefix(err.Error(), "report: ")
		detail = strings.TrimPrefix(detail, "not a DMARC aggregate report: ")
		return "not a DMARC aggregate report: " + detail
	}
	return strings.TrimPrefix(err.Error(), "report: ")
}

const dateFormat = "2006-01-02 15:04 MST"

func formatRange(r report.DateRange) string {
	f := func(t time.Time) string {
		if t.IsZero() {
			return "?"
		}
		return t.UTC().Format(dateFormat)
	}
	return f(r.Begin) + " to " + f(r.End)
}

func policyString(p report.PolicyPublished) string {
	parts := []string{"p=" + string(p.P)}
	add := func(tag, v string) {
		if v != "" {
			parts = append(parts, tag+"="+v)
		}
	}
	add("sp", string(p.SP))
	add("np", string(p.NP))
	add("adkim", string(p.ADKIM))
	add("aspf", string(p.ASPF))
	if p.PCT != nil {
		add("pct", fmt.Sprint(*p.PCT))
	}
	add("fo", p.FO)
	add("t", string(p.Testing))
	return strings.Join(parts, " ")
}

func reportShowSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	maxRows := fs.Int("rows", 50, "print at most `N` rows per report (0: all)")
	return func(ctx context.Context, args []string) error {
		reps, err := a.readReports(ctx, args)
		if err != nil {
			return err
		}
		for i, d := range reps {
			if i > 0 {
				fmt.Fprintln(a.stdout)
			}
			writeReport(a.stdout, d, *maxRows)
		}
		return nil
	}
}

func writeReport(w io.Writer, d decoded, maxRows int) {
	m, p := d.agg.Metadata, d.agg.Policy
	fmt.Fprintf(w, "%s\n", d.file)
	fmt.Fprintf(w, "  report %s from %s", m.ReportID, orDash(m.OrgName))
	if m.Email != "" {
		fmt.Fprintf(w, " <%s>", m.Email)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  period: %s\n", formatRange(m.DateRange))
	fmt.Fprintf(w, "  policy for %s: %s\n", orDash(p.Domain), policyString(p))
	fmt.Fprintf(w, "  %s in %s\n", plural(int(d.agg.Messages()), "message"), plural(len(d.agg.Records), "row"))
	if len(d.agg.Records) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  source IP\tcount\tdisposition\tdkim\tspf\theader from\tauth results")
		for i, r := range d.agg.Records {
			if maxRows > 0 && i == maxRows {
				fmt.Fprintf(tw, "  ... %d more rows\n", len(d.agg.Records)-maxRows)
				break
			}
			pe := r.Row.PolicyEvaluated
			fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%s\t%s\n", ipString(r), r.Row.Count,
				orDash(string(pe.Disposition)), orDash(string(pe.DKIM)), orDash(string(pe.SPF)),
				orDash(r.Identifiers.HeaderFrom), authResultsString(r.AuthResults))
		}
		tw.Flush()
	}
	for _, wn := range d.agg.Warnings {
		fmt.Fprintf(w, "  note: %s\n", wn.String())
	}
}

func ipString(r report.Record) string {
	if !r.Row.SourceIP.IsValid() {
		return "-"
	}
	return r.Row.SourceIP.String()
}

func authResultsString(ar report.AuthResults) string {
	var parts []string
	for _, d := range ar.DKIM {
		s := strings.TrimSpace("dkim=" + string(d.Result) + " " + d.Domain)
		if d.Selector != "" {
			s += "/" + d.Selector
		}
		parts = append(parts, s)
	}
	for _, s := range ar.SPF {
		parts = append(parts, strings.TrimSpace("spf="+string(s.Result)+" "+s.Domain))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func reportJSONSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		reps, err := a.readReports(ctx, args)
		if err != nil {
			return err
		}
		type fileReport struct {
			File string `json:"file"`
			*report.Aggregate
		}
		out := make([]fileReport, len(reps))
		for i, d := range reps {
			out[i] = fileReport{File: d.file, Aggregate: d.agg}
		}
		return writeJSON(a.stdout, out)
	}
}

// keyedCounts is one row of a summary table.
type keyedCounts struct {
	Key string `json:"key"`
	report.Counts
}

// sortedCounts orders a summary map by messages, most first, then by key,
// keeping at most top rows (0: all).
func sortedCounts(m map[string]*report.Counts, top int) []keyedCounts {
	out := make([]keyedCounts, 0, len(m))
	for k, c := range m {
		out = append(out, keyedCounts{orDash(k), *c})
	}
	slices.SortFunc(out, func(x, y keyedCounts) int {
		if c := cmp.Compare(y.Messages, x.Messages); c != 0 {
			return c
		}
		return strings.Compare(x.Key, y.Key)
	})
	if top > 0 && len(out) > top {
		out = out[:top]
	}
	return out
}

func reportSummarySetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	top := fs.Int("top", 10, "list at most `N` entries per table (0: all)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	return func(ctx context.Context, args []string) error {
		reps, err := a.readReports(ctx, args)
		if err != nil {
			return err
		}
		sum := &report.Summary{}
		for _, d := range reps {
			sum.Add(d.agg)
		}
		n := *top
		if n <= 0 {
			n = len(sum.BySourceIP)
		}
		if *asJSON {
			return writeJSON(a.stdout, struct {
				*report.Summary
				TopFailing []report.SourceCount `json:"top_failing"`
				Diagnoses  []report.Diagnosis   `json:"diagnoses"`
			}{sum, sum.TopFailing(n), sum.Diagnoses()})
		}
		writeSummary(a.stdout, sum, *top)
		return nil
	}
}

func pct(n, of uint64) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", float64(n)*100/float64(of))
}

func writeSummary(w io.Writer, s *report.Summary, top int) {
	days := slices.Sorted(maps.Keys(s.ByDay))
	span := "no dated records"
	if len(days) > 0 {
		span = days[0] + " to " + days[len(days)-1]
	}
	fmt.Fprintf(w, "%s, %s\n", plural(s.Reports, "report"), span)
	t := s.Total
	fmt.Fprintf(w, "%d messages: %d passed DMARC (%s; DKIM aligned %d, SPF aligned %d), %d failed; %d quarantined, %d rejected\n",
		t.Messages, t.DMARCPass, pct(t.DMARCPass, t.Messages), t.DKIMAligned, t.SPFAligned, t.DMARCFail, t.Quarantined, t.Rejected)
	table := func(title string, rows []keyedCounts) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "messages\tpass\tfail\tpass rate\t")
		for _, r := range rows {
			fmt.Fprintf(tw, "%d\t%d\t%d\t%s\t  %s\n", r.Messages, r.DMARCPass, r.DMARCFail, pct(r.DMARCPass, r.Messages), r.Key)
		}
		tw.Flush()
	}
	table("By reporter:", sortedCounts(s.ByOrg, top))
	table("By From domain:", sortedCounts(s.ByHeaderFrom, top))
	table("By source IP:", sortedCounts(s.BySourceIP, top))
	n := top
	if n <= 0 {
		n = len(s.BySourceIP)
	}
	var failing []keyedCounts
	for _, sc := range s.TopFailing(n) {
		failing = append(failing, keyedCounts{orDash(sc.SourceIP), sc.Counts})
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
		where := d.HeaderFrom
		if d.Detail != "" {
			where += " (" + d.Detail + ")"
		}
		writeFinding(w, "  ", finding{Severity: d.Severity.String(), Code: d.Code, Record: where,
			Message: fmt.Sprintf("%s [%s]", d.Message, plural(int(d.Messages), "message")), RFC: d.RFC})
	}
}
