// Package ingest reads DMARC aggregate reports, SMTP TLS reports and DMARC
// failure reports from the places they land on disk — files (XML, JSON,
// gzip, zip), folders, single email messages (.eml), mbox files and
// Maildir folders, as fetchmail, getmail or a mail server leave them — and
// adds them to a store.Store. Each input is tried as an aggregate report,
// then as a TLS report, then as a failure report.
// It is an I/O package: it reads the file system and, to verify the DKIM
// signatures of report emails, asks DNS through the caller's Resolver.
//
// An mbox file is streamed: one message at a time is held in memory
// (bounded by MaxMessageSize), whatever the size of the file; mboxrd
// quoting (">From " lines) is undone, which is also right for the usual
// mboxo files except for body lines that began with ">From " before
// quoting. A Maildir (a folder with cur, new and tmp) contributes the
// messages in cur and new. In a folder, hidden files and folders are
// skipped. Reports are decoded and verified by Concurrency workers; the
// store serialises their writes. Aggregate reports are added in batches
// (store.Batch): a batch commits when it holds BatchReports reports, when
// BatchDelay has passed since its first report, before a TLS or failure
// report is stored, and at the end; a report that fails is rolled back
// alone. The counts of Result include a batch's reports once it has
// committed.
//
// # Trust
//
// A report that arrived by email is recorded with the verdict on its DKIM
// signatures (store.Source.Signature): pass when a signature verifies
// whose signing domain is the reporting organisation's domain (the domain
// of <report_metadata><email>, or <org_name> when it is a domain name; for
// TLS reports, RFC 8460 §3 as package tlsrpt checks it; for failure
// reports, the domain of Reporting-MTA) or a parent of it
// that is not a top-level domain, and that has no l= and no testing key.
// Without a Resolver the verdict is unverified. VerifiedOnly rejects the
// emailed reports whose verdict is not pass.
//
// # Limits
//
//	Concurrency      runtime.NumCPU(), at most 64   reports decoded at once
//	MaxMessageSize   64 MiB                         one email message (held in memory)
//	VerifyTimeout    10 s                           DKIM key lookups of one report email
//	MaxRejections    100                            rejections listed in Result (the rest are counted)
//	BatchReports     64                             aggregate reports committed in one transaction
//	BatchDelay       1 s                            longest wait of a report in an open batch
//
// The decoders' own limits apply to each report (report.Decoder,
// tlsrpt.Decoder), and the store's to what it accepts.
package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/internal/container"
	"github.com/domainauth/domainauth/internal/dnsname"
	"github.com/domainauth/domainauth/internal/reportfile"
	"github.com/domainauth/domainauth/internal/reportsig"
	"github.com/domainauth/domainauth/report"
	"github.com/domainauth/domainauth/store"
	"github.com/domainauth/domainauth/tlsrpt"
)

// Ingester adds the reports found under paths to a Store. The zero value
// with a Store is ready to use.
type Ingester struct {
	// Store receives the reports. Required.
	Store store.Store
	// Resolver looks up DKIM keys to verify report emails. If nil, emails
	// are recorded as unverified.
	Resolver domainauth.Resolver
	// Clock gives the time for DKIM x= checks. If nil, the system clock.
	Clock domainauth.Clock
	// VerifyTimeout bounds the DKIM key lookups of one report email. If
	// zero, 10 s.
	VerifyTimeout time.Duration
	// VerifiedOnly rejects the reports that arrived by email without a
	// valid DKIM signature of the reporting organisation's domain
	// (ReasonUnverified). It needs a Resolver.
	VerifiedOnly bool
	// Concurrency bounds the reports decoded at once. If zero,
	// runtime.NumCPU(); at most 64.
	Concurrency int
	// MaxMessageSize bounds one email message (an .eml file, or one
	// message of an mbox or Maildir), which is held in memory to verify
	// its signature. If zero, 64 MiB.
	MaxMessageSize int64
	// Decoder and TLSDecoder decode the reports (their limits apply); the
	// TLS decoder's Resolver and Clock are set from the fields above.
	Decoder    report.Decoder
	TLSDecoder tlsrpt.Decoder
	// BatchReports is how many aggregate reports one transaction adds
	// (store.Batch): a commit rewrites the index pages it touched once
	// per batch rather than once per report. If zero,
	// DefaultBatchReports (64), except on a store whose writers work at
	// once (store.ParallelWriter: PostgreSQL), where each report is its
	// own transaction beside the others; negative: that on any store.
	BatchReports int
	// BatchDelay bounds how long a report waits in an open batch before
	// the batch commits, so that a slow trickle of reports is stored
	// promptly. If zero, DefaultBatchDelay (1 s).
	BatchDelay time.Duration
	// Progress, if set, is called after each input item (file or
	// message) with the counts so far, from one goroutine at a time.
	Progress func(Progress)
}

// Progress counts the items handled so far; Files is the number of files
// found (known once the walk is done; 0 before).
type Progress struct {
	Done, Files int
	Bytes       int64
}

// MaxRejections bounds Result.Rejections.
const MaxRejections = 100

// Result counts what an ingest did.
type Result struct {
	Ingested   int `json:"ingested"`
	Records    int `json:"records"`
	Duplicates int `json:"duplicates"`
	Conflicts  int `json:"conflicts"`
	Rejected   int `json:"rejected"`
	// Reasons counts the rejections by reason.
	Reasons map[string]int `json:"reasons,omitempty"`
	// Rejections lists the first MaxRejections rejected items.
	Rejections []Rejection `json:"rejections,omitempty"`
}

// Rejection is an item that was not ingested.
type Rejection struct {
	Item   string `json:"item"`
	Reason string `json:"reason"`
	Err    string `json:"error"`
}

// String returns the summary line.
func (r *Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ingested %d %s (%d %s), %d %s, %d %s, %d rejected", r.Ingested, plural(r.Ingested, "report"),
		r.Records, plural(r.Records, "record"), r.Duplicates, plural(r.Duplicates, "duplicate"),
		r.Conflicts, plural(r.Conflicts, "conflict"), r.Rejected)
	if len(r.Reasons) > 0 {
		keys := make([]string, 0, len(r.Reasons))
		for k := range r.Reasons {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int {
			if r.Reasons[a] != r.Reasons[b] {
				return r.Reasons[b] - r.Reasons[a]
			}
			return strings.Compare(a, b)
		})
		b.WriteString(" (")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s: %d", k, r.Reasons[k])
		}
		b.WriteString(")")
	}
	return b.String()
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// Rejection reasons.
const (
	ReasonNotReport   = "not a report"
	ReasonEmpty       = "empty"
	ReasonTruncated   = "truncated"
	ReasonLimit       = "over a limit"
	ReasonContainer   = "broken container"
	ReasonNotAllowed  = "domain not allowed"
	ReasonTooLarge    = "too large"
	ReasonUnreadable  = "unreadable"
	ReasonMessageSize = "message too large"
	ReasonUnverified  = "unverified email"
)

var errUnverified = errors.New("ingest: no valid DKIM signature of the reporting organisation's domain")

// item is one thing to decode: a file, or an email message in memory.
type item struct {
	name  string
	path  string // a file to open; "" for data
	data  []byte // a message
	email bool
}

func (in *Ingester) concurrency() int {
	n := in.Concurrency
	if n <= 0 {
		n = runtime.NumCPU()
	}
	return min(n, 64)
}

func (in *Ingester) maxMessage() int64 {
	if in.MaxMessageSize > 0 {
		return in.MaxMessageSize
	}
	return 64 << 20
}

// Run ingests everything under paths. It returns an error only when it
// cannot go on (a path that does not exist, a failing store, ctx done);
// reports that cannot be read are counted in Result.Rejected.
func (in *Ingester) Run(ctx context.Context, paths []string) (Result, error) {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return Result{}, fmt.Errorf("ingest: %w", err)
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	n := in.concurrency()
	items := make(chan item, n)
	var (
		mu   sync.Mutex
		res  Result
		prog Progress
	)
	reject := func(name, reason string, err error) {
		mu.Lock()
		defer mu.Unlock()
		res.Rejected++
		if res.Reasons == nil {
			res.Reasons = map[string]int{}
		}
		res.Reasons[reason]++
		if len(res.Rejections) < MaxRejections {
			res.Rejections = append(res.Rejections, Rejection{Item: name, Reason: reason, Err: err.Error()})
		}
	}
	done := func(size int64) {
		mu.Lock()
		defer mu.Unlock()
		prog.Done++
		prog.Bytes += size
		if in.Progress != nil {
			in.Progress(prog)
		}
	}
	count := func(a store.Added) {
		mu.Lock()
		defer mu.Unlock()
		switch a.Outcome {
		case store.OutcomeAdded:
			res.Ingested++
			res.Records += a.Records
		case store.OutcomeDuplicate:
			res.Duplicates++
		case store.OutcomeConflict:
			res.Conflicts++
		}
	}
	w := in.newWriter(ctx, count)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for it := range items {
				a, err := in.one(ctx, w, it)
				size := int64(len(it.data))
				if err != nil {
					if reason, ok := rejectReason(err); ok {
						reject(it.name, reason, err)
					} else {
						cancel(err)
					}
				} else if a != nil {
					count(*a)
				}
				done(size)
			}
		})
	}
	files := 0
	walkErr := func() error {
		defer close(items)
		send := func(it item) error {
			select {
			case items <- it:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}
		for _, p := range paths {
			if err := in.walk(ctx, p, &files, send, reject); err != nil {
				return err
			}
		}
		mu.Lock()
		prog.Files = files
		mu.Unlock()
		return nil
	}()
	wg.Wait()
	if err := w.commit(); err != nil && context.Cause(ctx) == nil {
		cancel(err)
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return res, err
	}
	if walkErr != nil {
		return res, walkErr
	}
	return res, ctx.Err()
}

// walk sends the items of one path.
func (in *Ingester) walk(ctx context.Context, root string, files *int, send func(item) error, reject func(string, string, error)) error {
	fi, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	if !fi.IsDir() {
		*files++
		return in.file(ctx, root, send, reject)
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			reject(p, ReasonUnreadable, err)
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			// A Maildir's tmp holds messages still being written.
			if d.Name() == "tmp" && isMaildir(filepath.Dir(p)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		*files++
		return in.file(ctx, p, send, reject)
	})
}

func isMaildir(dir string) bool {
	for _, sub := range []string{"cur", "new", "tmp"} {
		if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// file sends one file: a whole item, or the messages of an mbox.
func (in *Ingester) file(ctx context.Context, path string, send func(item) error, reject func(string, string, error)) error {
	f, err := os.Open(path)
	if err != nil {
		reject(path, ReasonUnreadable, err)
		return nil
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(512)
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	switch {
	case bytes.HasPrefix(head, []byte("From ")):
		return in.mbox(ctx, path, br, send, reject)
	case len(head) > 0 && head[0] != '<' && head[0] != '{' && container.LooksLikeEmail(head):
		data, err := readLimited(br, in.maxMessage())
		if err != nil {
			reason := ReasonUnreadable
			if errors.Is(err, errMessageSize) {
				reason = ReasonMessageSize
			}
			reject(path, reason, err)
			return nil
		}
		return send(item{name: path, data: data, email: true})
	}
	return send(item{name: path, path: path})
}

var errMessageSize = errors.New("ingest: message larger than MaxMessageSize")

func readLimited(r io.Reader, n int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, n+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > n {
		return nil, fmt.Errorf("%w (%d bytes)", errMessageSize, n)
	}
	return data, nil
}

// mbox splits an mbox stream into messages, one in memory at a time.
func (in *Ingester) mbox(ctx context.Context, path string, br *bufio.Reader, send func(item) error, reject func(string, string, error)) error {
	limit := in.maxMessage()
	var msg []byte
	num, over, prevBlank := 0, false, true
	flush := func() error {
		if num == 0 {
			return nil
		}
		name := path + "#" + strconv.Itoa(num)
		if over {
			reject(name, ReasonMessageSize, fmt.Errorf("%w (%d bytes)", errMessageSize, limit))
			return nil
		}
		data := msg
		msg = nil
		return send(item{name: name, data: data, email: true})
	}
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A line longer than the buffer: keep reading it whole.
			long := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				if int64(len(long)) <= limit {
					long = append(long, line...)
				}
			}
			line = long
		}
		if len(line) > 0 {
			if prevBlank && bytes.HasPrefix(line, []byte("From ")) {
				if ferr := flush(); ferr != nil {
					return ferr
				}
				num++
				msg, over = nil, false
				prevBlank = false
				if err == io.EOF {
					break
				}
				if err != nil {
					reject(path, ReasonUnreadable, err)
					return nil
				}
				continue
			}
			prevBlank = len(bytes.TrimRight(line, "\r\n")) == 0
			// mboxrd: ">From " lines lost one '>' when they were stored.
			if t := bytes.TrimLeft(line, ">"); len(t) < len(line) && bytes.HasPrefix(t, []byte("From ")) {
				line = line[1:]
			}
			if !over {
				if int64(len(msg)+len(line)) > limit {
					over, msg = true, nil
				} else {
					msg = append(msg, line...)
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			reject(path, ReasonUnreadable, err)
			return nil
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
	}
	return flush()
}

// one decodes and stores one item. The outcome of an aggregate report is
// nil: it is counted when its batch commits.
func (in *Ingester) one(ctx context.Context, w *writer, it item) (*store.Added, error) {
	if it.path != "" {
		return in.oneFile(ctx, w, it)
	}
	src := store.Source{Name: it.name, Signature: store.SignatureUnverified}
	if in.Resolver != nil {
		t := in.VerifyTimeout
		if t <= 0 {
			t = 10 * time.Second
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t)
		defer cancel()
	}
	rep, err := in.decode(ctx, bytes.NewReader(it.data), false)
	if err != nil {
		return nil, err
	}
	if a := rep.Aggregate; a != nil {
		if in.Resolver != nil {
			src.Signature, src.SignedBy = in.verify(ctx, it.data, reporterDomains(a))
		}
		if err := in.checkVerified(src.Signature); err != nil {
			return nil, err
		}
		return nil, w.aggregate(func(b adder) (store.Added, error) { return b.AddAggregate(ctx, a, src) })
	}
	if f := rep.Failure; f != nil {
		if in.Resolver != nil {
			src.Signature, src.SignedBy = in.verify(ctx, it.data, failureReporters(f))
		}
		if err := in.checkVerified(src.Signature); err != nil {
			return nil, err
		}
		return w.direct(func() (store.Added, error) { return in.Store.AddFailure(ctx, f, src) })
	}
	t := rep.TLS
	if t.Email != nil {
		src.Signature, src.SignedBy = tlsSignature(t.Email), t.Email.SignedBy
	}
	if err := in.checkVerified(src.Signature); err != nil {
		return nil, err
	}
	return w.direct(func() (store.Added, error) { return in.Store.AddTLS(ctx, t, src) })
}

// checkVerified rejects, under VerifiedOnly, an email whose signature
// verdict is not pass.
func (in *Ingester) checkVerified(sig store.Signature) error {
	if in.VerifiedOnly && sig != store.SignaturePass {
		return fmt.Errorf("%w (signature %s)", errUnverified, sig)
	}
	return nil
}

func (in *Ingester) tlsDecoder() *tlsrpt.Decoder {
	d := in.TLSDecoder
	d.Resolver, d.Clock = in.Resolver, in.Clock
	return &d
}

func tlsSignature(e *tlsrpt.EmailInfo) store.Signature {
	switch e.Signature {
	case tlsrpt.SignatureStatusPass:
		return store.SignaturePass
	case tlsrpt.SignatureStatusFail:
		return store.SignatureFail
	case tlsrpt.SignatureStatusTempError:
		return store.SignatureTempError
	}
	return store.SignatureUnverified
}

// oneFile streams an aggregate report from a file, or reads a TLS or
// failure report.
func (in *Ingester) oneFile(ctx context.Context, w *writer, it item) (*store.Added, error) {
	f, err := os.Open(it.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rep, err := in.decode(ctx, f, true)
	switch {
	case err != nil:
		return nil, err
	case rep.Failure != nil:
		// A failure report in a file of its own (.eml, gzip or zip).
		return w.direct(func() (store.Added, error) {
			return in.Store.AddFailure(ctx, rep.Failure, store.Source{Name: it.name})
		})
	case rep.TLS != nil:
		return w.direct(func() (store.Added, error) { return in.Store.AddTLS(ctx, rep.TLS, store.Source{Name: it.name}) })
	}
	defer rep.Stream.Close()
	return nil, w.aggregate(func(b adder) (store.Added, error) {
		return b.AddAggregateStream(ctx, rep.Stream, store.Source{Name: it.name})
	})
}

// decode tells what report r holds as the domainauth command does
// (internal/reportfile), with the Ingester's decoders; an aggregate report
// is streamed when stream is set.
func (in *Ingester) decode(ctx context.Context, r io.ReadSeeker, stream bool) (reportfile.File, error) {
	return reportfile.Decode(r, reportfile.Decoders{Report: &in.Decoder, Stream: stream,
		TLS: func(r io.Reader) (*tlsrpt.Report, error) { return in.tlsDecoder().Decode(ctx, r) }})
}

// rejectReason classifies an error that rejects one item; ok is false for
// errors that stop the ingest (the store failing, ctx done).
func rejectReason(err error) (string, bool) {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "", false
	case errors.Is(err, store.ErrNotAllowed):
		return ReasonNotAllowed, true
	case errors.Is(err, store.ErrTooLarge):
		return ReasonTooLarge, true
	case errors.Is(err, report.ErrEmpty), errors.Is(err, tlsrpt.ErrEmpty):
		return ReasonEmpty, true
	case errors.Is(err, report.ErrNotReport), errors.Is(err, tlsrpt.ErrNotReport), errors.Is(err, tlsrpt.ErrSyntax):
		return ReasonNotReport, true
	case errors.Is(err, report.ErrTruncated):
		return ReasonTruncated, true
	case errors.Is(err, report.ErrLimit), errors.Is(err, tlsrpt.ErrLimit):
		return ReasonLimit, true
	case errors.Is(err, report.ErrContainer), errors.Is(err, tlsrpt.ErrContainer):
		return ReasonContainer, true
	case errors.Is(err, errMessageSize):
		return ReasonMessageSize, true
	case errors.Is(err, errUnverified):
		return ReasonUnverified, true
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return ReasonUnreadable, true
	}
	return "", false
}

// reporterDomains returns the reporting organisation's domains: that of
// <email>, and <org_name> when it is a domain name.
func reporterDomains(a *report.Aggregate) []string {
	var out []string
	if _, d, ok := strings.Cut(a.Metadata.Email, "@"); ok {
		if d = dnsname.Canonical(strings.Trim(strings.TrimSpace(d), "<>")); d != "" {
			out = append(out, d)
		}
	}
	if org := dnsname.Canonical(strings.TrimSpace(a.Metadata.OrgName)); dnsname.Check(org) == nil && strings.Contains(org, ".") {
		out = append(out, org)
	}
	return out
}

// failureReporters returns the domain of a failure report's Reporting-MTA
// ("dns; mta.example.net"), whose organisation signs the report.
func failureReporters(f *report.Failure) []string {
	v := f.ReportingMTA
	if _, after, ok := strings.Cut(v, ";"); ok {
		v = after
	}
	if d := dnsname.Canonical(strings.TrimSpace(v)); d != "" && dnsname.Check(d) == nil {
		return []string{d}
	}
	return nil
}

// verify checks a report email's DKIM signatures against the reporter's
// domains.
func (in *Ingester) verify(ctx context.Context, msg []byte, reporters []string) (store.Signature, string) {
	v := &dkim.Verifier{Resolver: in.Resolver, Clock: in.Clock}
	res, err := v.Verify(ctx, bytes.NewReader(msg))
	if err != nil {
		return store.SignatureFail, ""
	}
	switch st, signer := reportsig.Check(res, reporters); st {
	case reportsig.StatusPass:
		return store.SignaturePass, dnsname.Canonical(signer)
	case reportsig.StatusTempError:
		return store.SignatureTempError, ""
	}
	return store.SignatureFail, ""
}
