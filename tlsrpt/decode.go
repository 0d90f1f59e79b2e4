package tlsrpt

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/mail"
	"slices"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/container"
)

// Decoder decodes SMTP TLS reports with limits. The zero Decoder is ready
// to use and applies the defaults documented on each field; a negative
// value removes a limit. A Decoder is safe for concurrent use.
type Decoder struct {
	// Resolver, if set, looks up the DKIM keys that verify a report that
	// arrived by email (RFC 8460 §3). Without it such reports are marked
	// SignatureStatusUnverified.
	Resolver domainauth.Resolver
	// Clock gives the time for DKIM x= checks. If nil, the system clock.
	Clock domainauth.Clock
	// DropUnverified makes a report that arrived by email without a valid
	// signature by the reporting domain an ErrUnverified error, as RFC 8460
	// §3 asks a recipient to ignore it. It needs a Resolver; a temporary
	// DNS failure (SignatureStatusTempError) is returned as an error too.
	DropUnverified bool

	// MaxDocumentSize bounds the bytes of the JSON document after every
	// layer of compression is removed (gzip bombs); the document is held
	// in memory. If zero, 32 MiB (RFC 8460 §5.2 mentions receivers that
	// refuse ten megabytes).
	MaxDocumentSize int64
	// MaxArchiveSize bounds the bytes of the zip archives of one input
	// together and, separately, of an email message (both are held in
	// memory). If zero, 64 MiB.
	MaxArchiveSize int64
	// MaxArchiveEntries bounds the directory entries of a zip archive. If
	// zero, 16.
	MaxArchiveEntries int
	// MaxEmailParts bounds the MIME parts of an email examined for a
	// report, over all nesting levels. If zero, 100.
	MaxEmailParts int
	// MaxPolicies bounds the entries of "policies". If zero, 10,000.
	MaxPolicies int
	// MaxFailureDetails bounds the "failure-details" entries of one
	// report, over all its policies. If zero, 100,000.
	MaxFailureDetails int
	// MaxStrings bounds the entries of one "policy-string" or "mx-host"
	// array. If zero, 1,000.
	MaxStrings int
}

type limits struct {
	doc, archive               int64
	entries, parts             int
	policies, details, strings int
}

func (dec *Decoder) limits() limits {
	l := limits{doc: 32 << 20, archive: 64 << 20, entries: 16, parts: 100, policies: 10_000, details: 100_000, strings: 1_000}
	container.Bound64(dec.MaxDocumentSize, &l.doc)
	container.Bound64(dec.MaxArchiveSize, &l.archive)
	container.Bound(dec.MaxArchiveEntries, &l.entries)
	container.Bound(dec.MaxEmailParts, &l.parts)
	container.Bound(dec.MaxPolicies, &l.policies)
	container.Bound(dec.MaxFailureDetails, &l.details)
	container.Bound(dec.MaxStrings, &l.strings)
	return l
}

// jsonFormat is what the shared container package looks for.
var jsonFormat = &container.Format{
	Name:   "JSON",
	Prefix: "tlsrpt",
	Start:  func(b []byte) bool { return b[0] == '{' || b[0] == '[' },
	MediaTypes: map[string]bool{
		// RFC 8460 §6.4, §6.5; and what reporters use instead.
		"application/tlsrpt+json": true, "application/tlsrpt+gzip": true,
		"application/json": true, "application/gzip": true, "application/x-gzip": true,
		"application/zip": true, "application/octet-stream": true,
	},
	Extensions: []string{".json", ".gz", ".gzip", ".zip"},
	Member: func(n string) bool {
		return strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".json.gz")
	},
	MemberWhat: ".json",
	Detail: func(err error) (string, bool) {
		if de, ok := errors.AsType[*DecodeError](err); ok {
			return de.Msg, true
		}
		return "", false
	},
}

// Decode reads one report with the default limits and no DKIM check (an
// email's report is marked SignatureStatusUnverified). See Decoder.Decode.
func Decode(r io.Reader) (*Report, error) {
	var dec Decoder
	return dec.Decode(context.Background(), r)
}

// Decode reads one report. The input may be JSON, gzip (also nested or
// followed by stray bytes), zip (one report member) or a whole email
// message (RFC 8460 §5.3: multipart/report with an application/tlsrpt+gzip
// or application/tlsrpt+json part; other shapes are tolerated). Repairs are
// listed in Report.Warnings. For an email, Report.Email says whether a
// valid DKIM signature by the reporting domain was found (ctx bounds the
// key lookups). Errors are *DecodeError values wrapping ErrEmpty,
// ErrNotReport, ErrSyntax, ErrLimit, ErrContainer or ErrUnverified; with
// ErrUnverified the report is returned too.
func (dec *Decoder) Decode(ctx context.Context, r io.Reader) (*Report, error) {
	lim := dec.limits()
	br := bufio.NewReaderSize(r, 4096)
	head, _ := br.Peek(512)
	var raw []byte // the whole email message, for DKIM
	in := io.Reader(br)
	if t := container.TrimSpace(bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))); len(t) > 0 && t[0] != '{' && t[0] != '[' &&
		!bytes.HasPrefix(head, []byte{0x1f, 0x8b}) && container.LooksLikeEmail(head) {
		var err error
		raw, err = io.ReadAll(container.NewLimitedReader(br, lim.archive, "email message", "MaxArchiveSize"))
		if err != nil {
			if le, ok := errors.AsType[*container.LimitError](err); ok {
				return nil, &DecodeError{Kind: ErrLimit, Container: "email", Offset: -1, Msg: le.Error(), Limit: le.Field}
			}
			return nil, &DecodeError{Kind: ErrContainer, Container: "email", Offset: -1, Msg: "reading", Err: err}
		}
		in = bytes.NewReader(raw)
	}
	o := &container.Opener{Format: jsonFormat,
		Limits: container.Limits{Archive: lim.archive, Entries: lim.entries, Parts: lim.parts}}
	defer o.Close()
	var rep *Report
	var p *parser
	probe := func(doc io.Reader) error {
		chain := o.Chain()
		p = &parser{lim: lim, container: strings.Join(append(chain[:len(chain):len(chain)], "json"), "/")}
		var err error
		rep, err = p.read(doc)
		return err
	}
	o.Probe = probe
	doc, err := o.Open(in)
	if err == nil && !o.Found {
		err = probe(doc)
	}
	if err != nil {
		return nil, fromContainer(err)
	}
	ws, err := o.Trailing(lim.doc)
	if err != nil {
		return nil, fromContainer(err)
	}
	for _, w := range slices.Concat(o.Warnings(), ws) {
		p.warnAt(w.Code, w.Path, w.Message)
	}
	if raw != nil {
		rep.Email = dec.verify(ctx, raw, rep, p)
	}
	rep.Warnings = p.warns
	if dec.DropUnverified && !rep.Verified() {
		return rep, &DecodeError{Kind: ErrUnverified, Container: "email", Offset: -1,
			Msg: "signature " + rep.Email.Signature.String()}
	}
	return rep, nil
}

// readHeader returns an email's header (best effort: a broken header gives
// an empty one; the container has already read the message).
func readHeader(raw []byte) mail.Header {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[i+1:]
		}
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return mail.Header{}
	}
	return m.Header
}
