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
	files := `FILE may be XML or JSON, gzip, zip or a whole report email; a folder stands for every
file below it (files there that are not reports are skipped with a note on
stderr). A named FILE that is not a report is an error (exit status 2).`
	return &command{
		name:    "report",
		summary: "read DMARC aggregate reports and SMTP TLS reports",
		long: `Read DMARC aggregate reports (RFC 7489 and RFC 9990 schemas; XML, gzip, zip or
email) and SMTP TLS reports (RFC 8460; JSON, gzip, zip or email) and show,
summarise or convert them. The kind of each file is told by its content,
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
fail most; for SMTP TLS reports, the sessions per policy domain, day and
reporter and the failed sessions per MX host and result type. Exit status 0
even when mail failed: it is a report, not a check.

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
				summary: "convert DMARC aggregate reports to JSON",
				long:    "Print the DMARC aggregate reports as a JSON array, element names as keys (report_metadata, policy_published, record), with the decoder's warnings.\n\n" + files,
				examples: []string{
					"domainauth report json report.zip > report.json",
				},
				minArgs: 1, maxArgs: -1,
				setup: reportJSONSetup,
			},
			reportIngestCommand(),
			reportServeCommand(),
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
// TLS report: both decoders' errors.
type notEither struct{ dmarc, tls error }

func (e *notEither) Error() string   { return e.dmarc.Error() }
func (e *notEither) Unwrap() []error { return []error{e.dmarc, e.tls} }

// decodeAny reads a DMARC aggregate report or an SMTP TLS report, told
// apart by content, not by file name: r is read as a DMARC report first and,
// when it holds none (report.ErrNotReport: JSON, or an email or archive with
// no XML in it), read again from the start as a TLS report. Both packages
// peel the same containers (internal/container), so either finds its
// document inside gzip, zip or email. Exactly one of the results is
// non-nil when err is nil.
func decodeAny(ctx context.Context, dec *report.Decoder, tdec *tlsrpt.Decoder, r io.ReadSeeker) (*report.Aggregate, *tlsrpt.Report, error) {
	agg, err := dec.Decode(r)
	if err == nil || !errors.Is(err, report.ErrNotReport) {
		return agg, nil, err
	}
	t, terr := decodeTLS(ctx, tdec, r)
	switch {
	case terr == nil:
		return nil, t, nil
	case errors.Is(terr, tlsrpt.ErrNotReport), errors.Is(terr, tlsrpt.ErrEmpty):
		return nil, nil, &notEither{dmarc: err, tls: terr}
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
		return "not a DMARC aggregate or SMTP TLS report: " + detail
	}
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
		dec, tdec := &report.Decoder{}, &tlsrpt.Decoder{}
		n := 0
		_, err := a.eachReport(ctx, args, kindBoth, false, func(file string, r io.ReadSeeker) error {
			agg, tls, err := decodeAny(ctx, dec, tdec, r)
			if err != nil {
				return err
			}
			if n++; n > 1 {
				fmt.Fprintln(a.stdout)
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
		}
		// The array is written once every file has been read, so that a
		// named file that fails leaves no partial JSON on stdout.
		var out []fileReport
		dec := &report.Decoder{}
		_, err := a.eachReport(ctx, args, kindDMARC, false, func(file string, r io.ReadSeeker) error {
			agg, err := dec.Decode(r)
			if err == nil {
				out = append(out, fileReport{File: file, Aggregate: agg})
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
	quiet := fs.Bool("quiet", false, "do not list the skipped files on stderr (the summary still counts them)")
	return func(ctx context.Context, args []string) error {
		// Each file is streamed into the summary and dropped: memory does
		// not grow with the number of files or of their records.
		sum, tsum := &report.Summary{}, &tlsrpt.Summary{}
		dec, tdec := &report.Decoder{}, &tlsrpt.Decoder{}
		files, err := a.eachReport(ctx, args, kindBoth, *quiet, func(_ string, r io.ReadSeeker) error {
			st, err := dec.Stream(r)
			if errors.Is(err, report.ErrNotReport) {
				// Not DMARC: perhaps an SMTP TLS report (see decodeAny).
				t, terr := decodeTLS(ctx, tdec, r)
				switch {
				case terr == nil:
					tsum.Add(t)
					return nil
				case errors.Is(terr, tlsrpt.ErrNotReport), errors.Is(terr, tlsrpt.ErrEmpty):
					return &notEither{dmarc: err, tls: terr}
				}
				return terr
			}
			if err != nil {
				return err
			}
			defer st.Close()
			return sum.AddStream(st)
		})
		if err != nil {
			return err
		}
		n := *top
		if n <= 0 {
			n = len(sum.BySourceIP)
		}
		if tsum.Reports == 0 {
			tsum = nil
		}
		if *asJSON {
			return writeJSON(a.stdout, struct {
				*report.Summary
				readStats
				TopFailing []report.SourceCount `json:"top_failing"`
				Diagnoses  []report.Diagnosis   `json:"diagnoses"`
				// TLS sums up the SMTP TLS reports (RFC 8460) read
				// beside the DMARC ones; absent when there were none.
				TLS *tlsrpt.Summary `json:"tls_reports,omitempty"`
			}{sum, files, sum.TopFailing(n), sum.Diagnoses(), tsum})
		}
		if sum.Reports > 0 || tsum == nil {
			audit.WriteSummary(a.stdout, sum, files.Skipped, *top)
		} else if files.Skipped > 0 {
			fmt.Fprintf(a.stdout, "%s skipped: not reports (listed on stderr unless --quiet)\n", audit.Plural(files.Skipped, "file"))
		}
		if tsum != nil {
			if sum.Reports > 0 {
				fmt.Fprintln(a.stdout)
			}
			audit.WriteTLSSummary(a.stdout, tsum, *top)
		}
		return nil
	}
}
