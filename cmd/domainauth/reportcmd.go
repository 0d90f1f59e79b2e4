package main

import (
	"bytes"
	"context"
	"encoding/json"
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

	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/internal/reportfile"
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
not its name.

A TLS report that arrived by email counts only with a valid DKIM signature
by the reporting domain (RFC 8460 §3): its signatures are verified with
keys from live DNS (or from --zone/--route53 files), and show, summary and
json say verified, failed or unverified (a key lookup failed). With
--verified-only the others are dropped (one line each on stderr); with
--offline no key is looked up and the signature is "not checked". DMARC
aggregate and failure reports carry no such rule and are never looked up.`,
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
through the DNS flags' source). The DKIM selectors the reports name are listed
per signing domain (check --selectors-from-reports probes them). A DMARC
aggregate report read twice (same
organisation, report ID, policy domain and period) is counted once, and so is
a failure report read twice (the same fields). --csv
prints the DMARC table rows as CSV. Exit status 0 even when mail failed: it
is a report, not a check.

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
				summary: "convert DMARC aggregate and failure reports and SMTP TLS reports to JSON",
				long: `Print the reports as a JSON array, one element per file. A DMARC aggregate
report has its element names as keys (report_metadata, policy_published,
record), with the decoder's warnings; an SMTP TLS report has
"smtp_tls_report" (the report in RFC 8460 §4.4 form), "warnings" and, for one
that arrived by email, "email" (its TLS-Report-Domain and
TLS-Report-Submitter fields and the DKIM verdict); a DMARC failure report has
"failure_report".

` + files,
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
	// Dropped counts the SMTP TLS reports --verified-only dropped.
	Dropped int `json:"files_dropped,omitempty"`
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
	var dropped []string // notes on the reports --verified-only dropped
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
			if se, ok := errors.AsType[*stopError](err); ok {
				clearProgress()
				return st, se.err
			}
			if _, ok := errors.AsType[*droppedError](err); ok {
				// Dropped on request, named or not: not an error.
				st.Dropped++
				if len(dropped) < maxSkipNotes {
					dropped = append(dropped, err.Error())
				}
				continue
			}
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
	if !quiet {
		for _, s := range dropped {
			fmt.Fprintf(a.stderr, "dropped %s\n", termsafe.String(s))
		}
		if st.Dropped > len(dropped) {
			fmt.Fprintf(a.stderr, "dropped %s more\n", audit.Plural(st.Dropped-len(dropped), "report"))
		}
	}
	if st.Read == 0 && st.Dropped == 0 {
		return st, fmt.Errorf("no %s found in %s (%s read)", kinds, strings.Join(args, ", "), audit.Plural(len(inputs), "file"))
	}
	if !quiet {
		for _, s := range skipped {
			fmt.Fprintf(a.stderr, "skipped %s\n", termsafe.String(s))
		}
		if st.Skipped > len(skipped) {
			fmt.Fprintf(a.stderr, "skipped %s more\n", audit.Plural(st.Skipped-len(skipped), "file"))
		}
	}
	return st, nil
}

// useFile opens file and hands it to use; errors name the file.
func useFile(file string, use func(file string, r io.ReadSeeker) error) error {
	f, err := os.Open(file)
	if err != nil {
		return fileError(err)
	}
	defer f.Close()
	if err := use(file, f); err != nil {
		if _, ok := errors.AsType[*stopError](err); ok {
			return err
		}
		if d, ok := errors.AsType[*droppedError](err); ok {
			d.file = file
			return d
		}
		return fmt.Errorf("%s: %s", file, reportReason(err))
	}
	return nil
}

// Report kinds, as eachReport names them when it finds none.
const (
	kindBoth = "DMARC aggregate or SMTP TLS report"
)

// decodeAny reads a DMARC failure report, a DMARC aggregate report (whole,
// or as a stream when stream is set) or an SMTP TLS report, told apart by
// content, not by file name, as store/ingest does (internal/reportfile:
// a failure report first, since the copy of the original message inside
// one may carry an aggregate or TLS report of its own). A file that is no
// report gives a *reportfile.NoReportError.
func decodeAny(ctx context.Context, dec *report.Decoder, tr *tlsReader, r io.ReadSeeker, stream bool) (reportfile.File, error) {
	return reportfile.Decode(r, reportfile.Decoders{Report: dec, Stream: stream,
		TLS: func(r io.Reader) (*tlsrpt.Report, error) { return tr.decode(ctx, r) }})
}

// tlsFlags are the report commands' flags for the DKIM check of SMTP TLS
// reports that arrived by email (RFC 8460 §3).
type tlsFlags struct {
	dns          *dnsFlags
	offline      bool
	verifiedOnly bool
}

func addTLSFlags(fs *flag.FlagSet) *tlsFlags {
	f := &tlsFlags{dns: addDNSFlags(fs)}
	fs.BoolVar(&f.offline, "offline", false, "look no DKIM key up: the signatures of emailed SMTP TLS reports are not checked")
	fs.BoolVar(&f.verifiedOnly, "verified-only", false, "drop the emailed SMTP TLS reports without a valid DKIM signature by the reporting domain (RFC 8460 §3)")
	return f
}

// tlsReader decodes SMTP TLS reports, verifying the DKIM signatures of
// those that arrived by email through the command's DNS source.
type tlsReader struct {
	dec *tlsrpt.Decoder
	src *source // nil with --offline
}

// open builds the reader the flags ask for. Nothing is looked up until an
// emailed TLS report is read.
func (f *tlsFlags) open(a *app) (*tlsReader, error) {
	if f.offline {
		if err := checkOffline(f.dns, f.verifiedOnly); err != nil {
			return nil, err
		}
		return &tlsReader{dec: &tlsrpt.Decoder{}}, nil
	}
	src, err := f.dns.open()
	if err != nil {
		return nil, err
	}
	return &tlsReader{src: src, dec: &tlsrpt.Decoder{Resolver: src.r, Clock: a.clock, DropUnverified: f.verifiedOnly}}, nil
}

// checkOffline refuses the flags --offline contradicts: --verified-only,
// which needs the DKIM check --offline turns off, and the DNS source flags.
func checkOffline(dns *dnsFlags, verifiedOnly bool) error {
	switch {
	case verifiedOnly:
		return usagef("--verified-only needs the DKIM check that --offline turns off")
	case len(dns.zones) > 0 || len(dns.route53) > 0 || dns.nameserver != "":
		return usagef("--offline looks nothing up: it cannot be combined with --zone, --route53 or --nameserver")
	}
	return nil
}

// decode reads r as an SMTP TLS report. The DKIM key lookups of an
// emailed one are bounded by --timeout, per report. A lookup that gets no
// answer before DNS has answered any stops the command (DNS looks
// unreachable: every other report would wait as long); a report that
// --verified-only drops is a *droppedError.
func (tr *tlsReader) decode(ctx context.Context, r io.Reader) (*tlsrpt.Report, error) {
	if tr.src != nil {
		var cancel context.CancelFunc
		ctx, cancel = tr.src.context(ctx)
		defer cancel()
	}
	t, err := tr.dec.Decode(ctx, r)
	if t != nil && t.Email != nil && tr.src != nil {
		for _, v := range t.Email.DKIM {
			if v.Status != dkim.StatusTempError {
				if v.Key != nil || v.Status == dkim.StatusPass {
					tr.src.reached = true
				}
				continue
			}
			if !tr.src.live {
				continue
			}
			if terr := tr.src.trouble(ctx, v.Selector+"._domainkey."+v.Domain, v.Err); terr != nil {
				// trouble's advice is for checks; reports have --offline too.
				msg := strings.Replace(terr.Error(), "check offline with --zone FILE", "read the reports with --offline (no DKIM check) or with the keys in --zone FILE", 1)
				return nil, &stopError{errors.New(msg)}
			}
		}
	}
	if errors.Is(err, tlsrpt.ErrUnverified) && t != nil && t.Email != nil {
		return nil, &droppedError{sig: t.Email.Signature}
	}
	return t, err
}

// stopError ends a report command at once, even in a folder of files.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }

// droppedError is an emailed SMTP TLS report --verified-only dropped.
type droppedError struct {
	file string
	sig  tlsrpt.SignatureStatus
}

func (e *droppedError) Error() string {
	return e.file + ": SMTP TLS report without a valid DKIM signature by the reporting domain (" + audit.TLSSignatureWord(e.sig) + "; RFC 8460 §3)"
}

// reportReason says in plain words why a file is not a usable report.
func reportReason(err error) string {
	de, _ := errors.AsType[*report.DecodeError](err)
	if ne, ok := errors.AsType[*reportfile.NoReportError](err); ok && !errors.Is(ne.Aggregate, report.ErrEmpty) {
		detail := strings.TrimPrefix(ne.Aggregate.Error(), "report: ")
		detail = strings.TrimPrefix(detail, "not a DMARC aggregate report: ")
		// The failure decoder's reason, once it got as far as an email
		// (for other data it only says that the data is no email).
		if fe, ok := errors.AsType[*report.DecodeError](ne.Failure); ok && strings.Contains(fe.Container, "email") {
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
	tf := addTLSFlags(fs)
	return func(ctx context.Context, args []string) error {
		tr, err := tf.open(a)
		if err != nil {
			return err
		}
		dec := &report.Decoder{}
		n := 0
		_, err = a.eachReport(ctx, args, kindBoth, false, func(file string, r io.ReadSeeker) error {
			rep, err := decodeAny(ctx, dec, tr, r, false)
			if err != nil {
				return err
			}
			if n++; n > 1 {
				fmt.Fprintln(a.stdout)
			}
			if rep.Failure != nil {
				audit.WriteFailure(a.stdout, file, rep.Failure)
				return nil
			}
			if rep.TLS != nil {
				audit.WriteTLSReport(a.stdout, file, rep.TLS, *maxRows)
				return nil
			}
			audit.WriteAggregate(a.stdout, file, rep.Aggregate, *maxRows)
			return nil
		})
		return err
	}
}

func reportJSONSetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	tf := addTLSFlags(fs)
	return func(ctx context.Context, args []string) error {
		type fileReport struct {
			File string `json:"file"`
			*report.Aggregate
		}
		type failureReport struct {
			File    string          `json:"file"`
			Failure *report.Failure `json:"failure_report"`
		}
		tr, err := tf.open(a)
		if err != nil {
			return err
		}
		// The array is written once every file has been read, so that a
		// named file that fails leaves no partial JSON on stdout.
		out := []any{}
		dec := &report.Decoder{}
		_, err = a.eachReport(ctx, args, kindBoth, false, func(file string, r io.ReadSeeker) error {
			rep, err := decodeAny(ctx, dec, tr, r, false)
			switch {
			case err != nil:
				return err
			case rep.Failure != nil:
				out = append(out, failureReport{File: file, Failure: rep.Failure})
			case rep.TLS != nil:
				j, err := tlsReportJSON(file, rep.TLS)
				if err != nil {
					return err
				}
				out = append(out, j)
			default:
				out = append(out, fileReport{File: file, Aggregate: rep.Aggregate})
			}
			return nil
		})
		if err != nil {
			return err
		}
		return writeJSON(a.stdout, out)
	}
}

// tlsJSON is an SMTP TLS report as report json prints it.
type tlsJSON struct {
	File string `json:"file"`
	// Report is the report as RFC 8460 §4.4 JSON (tlsrpt.Encode).
	Report   json.RawMessage  `json:"smtp_tls_report"`
	Email    *tlsEmailJSON    `json:"email,omitempty"`
	Warnings []tlsrpt.Warning `json:"warnings"`
}

// tlsEmailJSON is the message an SMTP TLS report arrived in (RFC 8460
// §5.3) and the DKIM verdict on it (§3).
type tlsEmailJSON struct {
	ReportDomain string `json:"tls_report_domain"`
	Submitter    string `json:"tls_report_submitter"`
	// Signature is tlsrpt.SignatureStatus as a word: pass, fail,
	// temperror, or unverified (not checked: --offline).
	Signature string        `json:"signature"`
	SignedBy  string        `json:"signed_by,omitempty"`
	DKIM      []tlsDKIMJSON `json:"dkim,omitempty"`
}

// tlsDKIMJSON is one DKIM signature's result.
type tlsDKIMJSON struct {
	Domain   string `json:"domain"`
	Selector string `json:"selector"`
	Status   string `json:"status"`
	Reason   string `json:"reason,omitempty"`
}

func tlsReportJSON(file string, t *tlsrpt.Report) (*tlsJSON, error) {
	var buf bytes.Buffer
	if err := tlsrpt.Encode(&buf, t); err != nil {
		return nil, err
	}
	j := &tlsJSON{File: file, Report: buf.Bytes(), Warnings: t.Warnings}
	if j.Warnings == nil {
		j.Warnings = []tlsrpt.Warning{}
	}
	if e := t.Email; e != nil {
		j.Email = &tlsEmailJSON{ReportDomain: e.ReportDomain, Submitter: e.Submitter, Signature: e.Signature.String(), SignedBy: e.SignedBy}
		for _, v := range e.DKIM {
			d := tlsDKIMJSON{Domain: v.Domain, Selector: v.Selector, Status: v.Status.String()}
			if v.Err != nil {
				d.Reason = v.AuthResult().Reason // the error without "dkim: "
			}
			j.Email.DKIM = append(j.Email.DKIM, d)
		}
	}
	return j, nil
}

func reportSummarySetup(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	top := fs.Int("top", 10, "list at most `N` entries per table (0: all)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	asCSV := fs.Bool("csv", false, "print the DMARC summary's rows as CSV: table, key and counts")
	quiet := fs.Bool("quiet", false, "do not list the skipped (or dropped) files on stderr (the summary still counts them)")
	resolve := fs.Bool("resolve", false, "name the senders by the forward-confirmed reverse DNS of each source IP (at most one PTR and one address query per IP)")
	tf := addTLSFlags(fs)
	return func(ctx context.Context, args []string) error {
		if *asJSON && *asCSV {
			return usagef("give --json or --csv, not both")
		}
		if *resolve && tf.offline {
			return usagef("--resolve looks names up: it cannot be combined with --offline")
		}
		tr, err := tf.open(a)
		if err != nil {
			return err
		}
		sum, tsum, files, err := a.summarize(ctx, args, *quiet, tr)
		if err != nil {
			return err
		}
		if *resolve {
			if err := sum.Enrich(ctx, &report.Enricher{Resolver: tr.src.r}); err != nil {
				fmt.Fprintf(a.stderr, "note: reverse DNS lookups stopped: %s\n", termsafe.String(err.Error()))
			}
		}
		n := *top
		if n <= 0 {
			n = len(sum.BySourceIP)
		}
		if tsum.Reports == 0 && files.Dropped == 0 {
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
		dmarc := sum.Reports > 0 || sum.Failures.Reports > 0
		if dmarc || tsum == nil {
			audit.WriteSummary(a.stdout, sum, files.Skipped, *top)
		} else if files.Skipped > 0 {
			fmt.Fprintf(a.stdout, "%s skipped: not reports (listed on stderr unless --quiet)\n", audit.Plural(files.Skipped, "file"))
		}
		if tsum != nil {
			if dmarc {
				fmt.Fprintln(a.stdout)
			}
			audit.WriteTLSSummary(a.stdout, tsum, *top)
			if files.Dropped > 0 {
				fmt.Fprintf(a.stdout, "\n%s dropped: no valid DKIM signature by the reporting domain (--verified-only; RFC 8460 §3)\n", audit.Plural(files.Dropped, "emailed SMTP TLS report"))
			}
		}
		return nil
	}
}

// summarize streams each file into the summaries and drops it: memory
// does not grow with the number of files or of their records. A DMARC
// aggregate report met a second time (same organisation, report ID, policy
// domain and period), or a failure report with the fields of one met
// before (report.Failure.Identity), is not counted again, with a note on
// stderr unless quiet.
func (a *app) summarize(ctx context.Context, args []string, quiet bool, tr *tlsReader) (*report.Summary, *tlsrpt.Summary, readStats, error) {
	sum, tsum := &report.Summary{}, &tlsrpt.Summary{}
	dec := &report.Decoder{}
	files, err := a.eachReport(ctx, args, kindBoth, quiet, func(file string, r io.ReadSeeker) error {
		rep, err := decodeAny(ctx, dec, tr, r, true)
		switch {
		case err != nil:
			return err
		case rep.Failure != nil:
			if !sum.AddFailure(rep.Failure) && !quiet {
				fmt.Fprintf(a.stderr, "note: %s: the same failure report as one read before; not counted again\n", termsafe.String(file))
			}
			return nil
		case rep.TLS != nil:
			tsum.Add(rep.TLS)
			return nil
		}
		st := rep.Stream
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
