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
	"github.com/domainauth/domainauth/tlsrpt"
)

func reportCommand() *command {
	files := `FILE may be XML or JSON, gzip, zip or a whole report email, or a DMARC failure
report message (ARF, RFC 9991); a folder stands for every file below it (files there that are not reports are skipped with a note on
stderr). A named FILE that is not a report is an error (exit status 2).`
	return &command{
		name:    "report",
		summary: "read DMARC aggregate and failure reports and SMTP TLS reports",
		long: `Read DMARC aggregate reports (RFC 7489 and RFC 9990 schemas; XML, gzip, zip or
email), DMARC failure reports (RFC 9991, ARF messages) and SMTP TLS reports
(RFC 8460; JSON, gzip, zip or email) and show, summarise or convert them. The kind of each file is told by its content,
not its name. Emailed TLS reports are not DKIM-verified here: they are
marked unverified (RFC 8460 §3).`,
		examples: []string{"domainauth report summary ~/dmarc-reports/"},
		subs: []*command{
			{
				name:    "show",
				args:    "FILE|FOLDER...",
				summary: "print each report: reporter, period, policy and rows",
				long:    "Print each report: who sent it, for which period and policy, and one line per row\n(for an SMTP TLS report: per policy, and per failure detail).\n\n" + files,
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
fail most; DMARC failure reports per reported domain, failure type, source IP
and day; for SMTP TLS reports, the sessions per policy domain, day and
reporter and the failed sessions per MX host and result type. Senders are
named by a table of providers (their DKIM and bounce domains, and with
--resolve the forward-confirmed reverse DNS of each source IP, looked up
through the DNS flags' source). A report read twice (same organisation,
report ID, policy domain and period) is counted once. --csv prints the DMARC
table rows as CSV. Exit status 0 even when mail failed: it is a report, not
a check.

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
				summary: "convert DMARC aggregate and failure reports to JSON",
				long:    "Print the DMARC aggregate reports as a JSON array, element names as keys (report_metadata, policy_published, record), with the decoder's warnings; a failure report is an object with its file and failure_report.\n\n" + files,
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
func (a *app) eachReport(ctx context.Context, args []string, kinds string, quiet bool, use func(file string, r io.ReadSeeker) error) (readStats, error) {
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
		return st, fmt.Errorf("no %s found in %s (%s read)", kinds, termsafe.String(strings.Join(args, ", ")), audit.Plural(len(inputs), "file"))
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
func useFile(file string, use func(file string, r io.ReadSeeker) error) error {
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

// Report kinds, as eachReport names them when it finds none.
const (
	kindDMARC = "DMARC aggregate report"
	kindBoth  = "DMARC aggregate or SMTP TLS report"
)

// notEither is a file that is neither a DMARC aggregate report nor an SMTP
// TLS report (nor, for an email, a DMARC failure report): the decoders'
// errors; failure is nil when the file is no email.
type notEither struct{ dmarc, failure, tls error }

func (e *notEither) Error() string { return e.dmarc.Error() }
func (e *notEither) Unwrap() []error {
	var out []error
	for _, err := range []error{e.dmarc, e.failure, e.tls} {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// decodeAny reads a DMARC aggregate report or an SMTP TLS report, told
// apart by content, not by file name: r is read as a DMARC report first and,
// when it holds none (report.ErrNotReport: JSON, or an email or archive with
// no XML in it), read again from the start as a TLS report. Both packages
// peel the same containers (internal/container), so either finds its
// document inside gzip, zip or email. Exactly one of the results is
// non-nil when err is nil.
func decodeAny(ctx context.Context, dec *report.Decoder, tdec *tlsrpt.Decoder, r io.ReadSeeker) (*report.Aggregate, *report.Failure, *tlsrpt.Report, error) {
	agg, err := dec.Decode(r)
	if err == nil || !errors.Is(err, report.ErrNotReport) {
		return agg, nil, nil, err
	}
	f, t, err := decodeOther(ctx, dec, tdec, r, err)
	return nil, f, t, err
}

// decodeOther reads r, in which the DMARC aggregate decoder found no
// report (aggErr), as a DMARC failure report when it is an email, and
// otherwise, or when it holds none, as an SMTP TLS report. One of the
// results is non-nil when err is nil.
func decodeOther(ctx context.Context, dec *report.Decoder, tdec *tlsrpt.Decoder, r io.ReadSeeker, aggErr error) (*report.Failure, *tlsrpt.Report, error) {
	var ferr error
	if de, ok := errors.AsType[*report.DecodeError](aggErr); ok && strings.Contains(de.Container, "email") {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return nil, nil, err
		}
		f, err := dec.DecodeFailure(r)
		if err == nil {
			return f, nil, nil
		}
		if !errors.Is(err, report.ErrNotReport) {
			return nil, nil, err // a failure report, but a broken one
		}
		ferr = err
	}
	t, terr := decodeTLS(ctx, tdec, r)
	switch {
	case terr == nil:
		return nil, t, nil
	case errors.Is(terr, tlsrpt.ErrNotReport), errors.Is(terr, tlsrpt.ErrEmpty):
		return nil, nil, &notEither{dmarc: aggErr, failure: ferr, tls: terr}
	}
	return nil, nil, terr // a TLS report, but a broken one: say why
}

// decodeTLS reads r from its start as an SMTP TLS report.
func decodeTLS(ctx context.Context, tdec *tlsrpt.Decoder, r io.ReadSeeker) (*tlsrpt.Report, error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return tdec.Decode(ctx, r)
}

// reportReason says in plain words why a file is not a usable report.
func reportReason(err error) string {
	de, _ := errors.AsType[*report.DecodeError](err)
	if ne, ok := errors.AsType[*notEither](err); ok {
		detail := strings.TrimPrefix(ne.dmarc.Error(), "report: ")
		detail = strings.TrimPrefix(detail, "not a DMARC aggregate report: ")
		if fe, ok := errors.AsType[*report.DecodeError](ne.failure); ok {
			detail += "; nor a DMARC failure report: " + fe.Msg
		}
		return "not a DMARC aggregate or SMTP TLS report: " + detail
	}
	switch {
	case errors.Is(err, report.ErrEmpty) && (de == nil || de.Container == ""):
		return "empty file, not a DMARC aggregate report"
	}
	return err.Error()
}

func reportShowSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	maxRows := fs.Int("rows", 50, "print at most `N` rows per report (0: all)")
	return func(ctx context.Context, args []string) error {
		dec, tdec := &report.Decoder{}, &tlsrpt.Decoder{}
		n := 0
		_, err := a.eachReport(ctx, args, kindBoth, false, func(file string, r io.ReadSeeker) error {
			agg, f, tls, err := decodeAny(ctx, dec, tdec, r)
			if err != nil {
				return err
			}
			if n++; n > 1 {
				fmt.Fprintln(a.stdout)
			}
			if f != nil {
				audit.WriteFailure(a.stdout, file, f)
				return nil
			}
			if tls != nil {
				audit.WriteTLSReport(a.stdout, file, tls, *maxRows)
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
		_, err := a.eachReport(ctx, args, kindDMARC, false, func(file string, r io.ReadSeeker) error {
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
	asCSV := fs.Bool("csv", false, "print the DMARC summary's rows as CSV: table, key and counts")
	quiet := fs.Bool("quiet", false, "do not list the skipped files on stderr (the summary still counts them)")
	resolve := fs.Bool("resolve", false, "name the senders by the forward-confirmed reverse DNS of each source IP (at most one PTR and one address query per IP)")
	dnsf := addDNSFlags(fs)
	return func(ctx context.Context, args []string) error {
		if *asJSON && *asCSV {
			return usagef("give --json or --csv, not both")
		}
		sum, tsum, files, err := a.summarize(ctx, args, *quiet)
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
		if tsum.Reports == 0 {
			tsum = nil
		}
		switch {
		case *asJSON:
			return writeJSON(a.stdout, struct {
				*report.Summary
				readStats
				TopFailing []report.SourceCount `json:"top_failing"`
				Diagnoses  []report.Diagnosis   `json:"diagnoses"`
				// TLS sums up the SMTP TLS reports (RFC 8460) read
				// beside the DMARC ones; absent when there were none.
				TLS *tlsrpt.Summary `json:"tls_reports,omitempty"`
			}{sum, files, sum.TopFailing(n), sum.Diagnoses(), tsum})
		case *asCSV:
			return audit.WriteSummaryCSV(a.stdout, sum)
		}
		if sum.Reports > 0 || sum.Failures.Reports > 0 || tsum == nil {
			audit.WriteSummary(a.stdout, sum, files.Skipped, *top)
		} else if files.Skipped > 0 {
			fmt.Fprintf(a.stdout, "%s skipped: not reports (listed on stderr unless --quiet)\n", audit.Plural(files.Skipped, "file"))
		}
		if tsum != nil {
			if sum.Reports > 0 || sum.Failures.Reports > 0 {
				fmt.Fprintln(a.stdout)
			}
			audit.WriteTLSSummary(a.stdout, tsum, *top)
		}
		return nil
	}
}

// summarize streams each file into the summaries and drops it: memory
// does not grow with the number of files or of their records. A DMARC
// aggregate report met a second time (same organisation, report ID, policy
// domain and period) is not counted again, with a note on stderr unless
// quiet.
func (a *app) summarize(ctx context.Context, args []string, quiet bool) (*report.Summary, *tlsrpt.Summary, readStats, error) {
	sum, tsum := &report.Summary{}, &tlsrpt.Summary{}
	dec, tdec := &report.Decoder{}, &tlsrpt.Decoder{}
	files, err := a.eachReport(ctx, args, kindBoth, quiet, func(file string, r io.ReadSeeker) error {
		st, err := dec.Stream(r)
		if errors.Is(err, report.ErrNotReport) {
			// Not an aggregate report: perhaps a failure report or an
			// SMTP TLS report (see decodeAny).
			f, t, err := decodeOther(ctx, dec, tdec, r, err)
			switch {
			case f != nil:
				sum.AddFailure(f)
			case t != nil:
				tsum.Add(t)
			}
			return err
		}
		if err != nil {
			return err
		}
		defer st.Close()
		before := sum.Duplicates
		if err := sum.AddStream(st); err != nil {
			return err
		}
		if sum.Duplicates > before && !quiet {
			id := sum.DuplicateReports[len(sum.DuplicateReports)-1]
			if sum.Duplicates > report.MaxDuplicatesListed {
				id = report.ReportIdentity{}
			}
			fmt.Fprintf(a.stderr, "note: %s: the same report as one read before (%s, report ID %s); not counted again\n",
				termsafe.String(file), termsafe.String(orDash(id.OrgName)), termsafe.String(orDash(id.ReportID)))
		}
		return nil
	})
	return sum, tsum, files, err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// decodeFailure reads r as a DMARC failure report after the aggregate
// decoder failed with aggErr: only when that error says r is an email
// without an aggregate report. Otherwise, or when r holds no failure
// report either, it returns an error.
func decodeFailure(dec *report.Decoder, r io.ReadSeeker, aggErr error) (*report.Failure, error) {
	de, ok := errors.AsType[*report.DecodeError](aggErr)
	if !ok || !errors.Is(aggErr, report.ErrNotReport) || !strings.Contains(de.Container, "email") {
		return nil, aggErr
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, aggErr
	}
	f, err := dec.DecodeFailure(r)
	switch {
	case err == nil:
		return f, nil
	case errors.Is(err, report.ErrNotReport):
		return nil, &notEither{dmarc: aggErr, failure: err}
	}
	return nil, err
}
