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
		return st, fmt.Errorf("no DMARC aggregate report found in %s (%s read)", termsafe.String(strings.Join(args, ", ")), audit.Plural(len(inputs), "file"))
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

// reportReason says in plain words why a file is not a usable report.
func reportReason(err error) string {
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
			if err != nil {
				return err
			}
			if n++; n > 1 {
				fmt.Fprintln(a.stdout)
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
		_, err := a.eachReport(ctx, args, false, func(file string, r io.Reader) error {
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
		sum := &report.Summary{}
		dec := &report.Decoder{}
		files, err := a.eachReport(ctx, args, *quiet, func(_ string, r io.Reader) error {
			st, err := dec.Stream(r)
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
		if *asJSON {
			return writeJSON(a.stdout, struct {
				*report.Summary
				readStats
				TopFailing []report.SourceCount `json:"top_failing"`
				Diagnoses  []report.Diagnosis   `json:"diagnoses"`
			}{sum, files, sum.TopFailing(n), sum.Diagnoses()})
		}
		audit.WriteSummary(a.stdout, sum, files.Skipped, *top)
		return nil
	}
}
