package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/domainauth/domainauth/audit"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/domainauth/domainauth/internal/termsafe"
	"github.com/domainauth/domainauth/report"
)

func reportCommand() *command {
	files := `FILE may be XML, gzip, zip or a whole report email, or a failure report
message (ARF, RFC 9991), told apart by content; a folder stands for every
file below it (files there that are not reports are skipped with a note on
stderr). A named FILE that is not a report is an error (exit status 2).`
	return &command{
		name:    "report",
		summary: "read DMARC aggregate and failure reports",
		long: `Read DMARC aggregate reports (RFC 7489 and RFC 9990 schemas; XML, gzip, zip or
email) and failure reports (RFC 9991, ARF messages) and show, summarise or
convert them.`,
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
fail most; failure reports are counted by reported domain, failure type,
source IP and day. Senders are named by a table of providers (their DKIM and
bounce domains, and with --resolve the forward-confirmed reverse DNS of each
source IP, looked up through the DNS flags' source). A report read twice
(same organisation, report ID, policy domain and period) is counted once.
--csv prints the table rows as CSV. Exit status 0 even when mail failed: it is a report, not a check.

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

// readStats counts the files a command read.
type readStats struct {
	Read    int `json:"files_read"`
	Skipped int `json:"files_skipped"`
}

// maxSkipNotes bounds the "skipped" lines on stderr; the rest are counted.
const maxSkipNotes = 100

// eachReport calls use with each input file in turn; use decodes it and
// does not keep it, so memory is that of one report at a time. Files in
// folders that use fails on (not reports) are skipped with one line each
// on stderr (none with quiet); a named file that fails stops the command.
// A progress line is kept on stderr when it is a terminal, the work takes
// a while and quiet is not set.
func (a *app) eachReport(ctx context.Context, args []string, quiet bool, use func(file string, r io.Reader) error) (readStats, error) {
	var st readStats
	inputs, err := expandInputs(args)
	if err != nil {
		return st, err
	}
	start := time.Now()
	delay := a.progressDelay
	if delay == 0 {
		delay = 500 * time.Millisecond
	}
	progress := false
	clearProgress := func() {
		if progress {
			fmt.Fprint(a.stderr, "\r\033[K")
			progress = false
		}
	}
	var skipped []string // notes, printed only when some report was read
	for i, in := range inputs {
		if err := ctx.Err(); err != nil {
			clearProgress()
			return st, err
		}
		if a.terminal && !quiet && len(inputs) > 1 && time.Since(start) > delay {
			fmt.Fprintf(a.stderr, "\rreading reports: %d of %d files", i+1, len(inputs))
			progress = true
		}
		if err := useFile(in.path, use); err != nil {
			if in.named {
				clearProgress()
				return st, err
			}
			st.Skipped++
			if len(skipped) < maxSkipNotes {
				skipped = append(skipped, audit.OneLine(err.Error()))
			}
			continue
		}
		st.Read++
	}
	clearProgress()
	if st.Read == 0 {
		return st, fmt.Errorf("no DMARC aggregate or failure report found in %s (%s read)", termsafe.String(strings.Join(args, ", ")), audit.Plural(len(inputs), "file"))
	}
	if !quiet {
		for _, s := range skipped {
			fmt.Fprintf(a.stderr, "skipped %s\n", s)
		}
		if st.Skipped > len(skipped) {
			fmt.Fprintf(a.stderr, "skipped %s more\n", audit.Plural(st.Skipped-len(skipped), "file"))
		}
	}
	return st, nil
}

// useFile opens file and hands it to use; errors name the file, with
// everything from the input made safe for the terminal.
func useFile(file string, use func(file string, r io.Reader) error) error {
	f, err := os.Open(file)
	if err != nil {
		return fileError(err)
	}
	defer f.Close()
	if err := use(file, f); err != nil {
		return fmt.Errorf("%s: %s", termsafe.String(file), termsafe.String(reportReason(err)))
	}
	return nil
}

// notEitherError: an email holds neither an aggregate report nor a
// failure report; it unwraps to the aggregate decoder's error.
type notEitherError struct{ agg, failure error }

func (e *notEitherError) Error() string { return e.agg.Error() + "; " + e.failure.Error() }
func (e *notEitherError) Unwrap() error { return e.agg }

// decodeFailure reads r as a failure report after the aggregate decoder
// failed with aggErr: only when that error says r is an email without an
// aggregate report and r can be read again from its start. Otherwise, or
// when r holds no failure report either, it returns an error.
func decodeFailure(dec *report.Decoder, r io.Reader, aggErr error) (*report.Failure, error) {
	de, ok := errors.AsType[*report.DecodeError](aggErr)
	rs, seekable := r.(io.Seeker)
	if !ok || !errors.Is(aggErr, report.ErrNotReport) || !strings.Contains(de.Container, "email") || !seekable {
		return nil, aggErr
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return nil, aggErr
	}
	f, err := dec.DecodeFailure(r)
	switch {
	case err == nil:
		return f, nil
	case errors.Is(err, report.ErrNotReport):
		return nil, &notEitherError{agg: aggErr, failure: err}
	}
	return nil, err
}

// reportReason says in plain words why a file is not a usable report.
func reportReason(err error) string {
	if ne, ok := errors.AsType[*notEitherError](err); ok {
		detail := reportReason(ne.agg)
		if fe, ok := errors.AsType[*report.DecodeError](ne.failure); ok {
			detail += "; nor a failure report: " + fe.Msg
		}
		return detail
	}
	de, _ := errors.AsType[*report.DecodeError](err)
	switch {
	case errors.Is(err, report.ErrEmpty) && (de == nil || de.Container == ""):
		return "empty file, not a DMARC aggregate report"
	case errors.Is(err, report.ErrEmpty), errors.Is(err, report.ErrNotReport):
		detail := strings.TrimPrefix(err.Error(), "report: ")
		detail = strings.TrimPrefix(detail, "not a DMARC aggregate report: ")
		return "not a DMARC aggregate report: " + detail
	}
	return strings.TrimPrefix(err.Error(), "report: ")
}

func reportShowSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	maxRows := fs.Int("rows", 50, "print at most `N` rows per report (0: all)")
	return func(ctx context.Context, args []string) error {
		dec := &report.Decoder{}
		n := 0
		_, err := a.eachReport(ctx, args, false, func(file string, r io.Reader) error {
			agg, err := dec.Decode(r)
			var f *report.Failure
			if err != nil {
				if f, err = decodeFailure(dec, r, err); err != nil {
					return err
				}
			}
			if n++; n > 1 {
				fmt.Fprintln(a.stdout)
			}
			if f != nil {
				audit.WriteFailure(a.stdout, file, f)
				return nil
			}
			audit.WriteAggregate(a.stdout, file, agg, *maxRows)
			return nil
		})
		return err
	}
}

func reportJSONSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, args []string) error {
		type fileReport struct {
			File string `json:"file"`
			*report.Aggregate
			Failure *report.Failure `json:"failure_report,omitempty"`
		}
		// The array is written once every file has been read, so that a
		// named file that fails leaves no partial JSON on stdout.
		var out []fileReport
		dec := &report.Decoder{}
		_, err := a.eachReport(ctx, args, false, func(file string, r io.Reader) error {
			agg, err := dec.Decode(r)
			if err == nil {
				out = append(out, fileReport{File: file, Aggregate: agg})
				return nil
			}
			f, err := decodeFailure(dec, r, err)
			if err == nil {
				out = append(out, fileReport{File: file, Failure: f})
			}
			return err
		})
		if err != nil {
			return err
		}
		return writeJSON(a.stdout, out)
	}
}

func reportSummarySetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	top := fs.Int("top", 10, "list at most `N` entries per table (0: all)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	asCSV := fs.Bool("csv", false, "print the summary's rows as CSV: table, key and counts")
	quiet := fs.Bool("quiet", false, "do not list the skipped files on stderr (the summary still counts them)")
	resolve := fs.Bool("resolve", false, "name the senders by the forward-confirmed reverse DNS of each source IP (at most one PTR and one address query per IP)")
	dnsf := addDNSFlags(fs)
	return func(ctx context.Context, args []string) error {
		if *asJSON && *asCSV {
			return usagef("give --json or --csv, not both")
		}
		sum, files, err := a.summarize(ctx, args, *quiet)
		if err != nil {
			return err
		}
		if *resolve {
			src, err := dnsf.open()
			if err != nil {
				return err
			}
			if err := sum.Enrich(ctx, &report.Enricher{Resolver: src.r}); err != nil {
				fmt.Fprintf(a.stderr, "note: reverse DNS lookups stopped: %s\n", termsafe.String(err.Error()))
			}
		}
		n := *top
		if n <= 0 {
			n = len(sum.BySourceIP)
		}
		switch {
		case *asJSON:
			return writeJSON(a.stdout, struct {
				*report.Summary
				readStats
				TopFailing []report.SourceCount `json:"top_failing"`
				Diagnoses  []report.Diagnosis   `json:"diagnoses"`
			}{sum, files, sum.TopFailing(n), sum.Diagnoses()})
		case *asCSV:
			return audit.WriteSummaryCSV(a.stdout, sum)
		}
		audit.WriteSummary(a.stdout, sum, files.Skipped, *top)
		return nil
	}
}

// summarize streams each file into one summary and drops it: memory does
// not grow with the number of files or of their records. A report met a
// second time (same organisation, report ID, policy domain and period) is
// not counted again, with a note on stderr unless quiet.
func (a *app) summarize(ctx context.Context, args []string, quiet bool) (*report.Summary, readStats, error) {
	sum := &report.Summary{}
	dec := &report.Decoder{}
	files, err := a.eachReport(ctx, args, quiet, func(file string, r io.Reader) error {
		st, err := dec.Stream(r)
		if err != nil {
			f, err := decodeFailure(dec, r, err)
			if err == nil {
				sum.AddFailure(f)
			}
			return err
		}
		defer st.Close()
		before := sum.Duplicates
		if err := sum.AddStream(st); err != nil {
			return err
		}
		if sum.Duplicates > before && !quiet {
			id := sum.DuplicateReports[len(sum.DuplicateReports)-1]
			if len(sum.DuplicateReports) == report.MaxDuplicatesListed && sum.Duplicates > report.MaxDuplicatesListed {
				id = report.ReportIdentity{}
			}
			fmt.Fprintf(a.stderr, "note: %s: the same report as one read before (%s, report ID %s); not counted again\n",
				termsafe.String(file), termsafe.String(dashIfEmptyCmd(id.OrgName)), termsafe.String(dashIfEmptyCmd(id.ReportID)))
		}
		return nil
	})
	return sum, files, err
}

func dashIfEmptyCmd(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
