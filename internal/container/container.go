// Package container peels the layers around a report document: gzip
// (possibly nested, possibly followed by junk), zip (one report member) and
// email messages (multipart or not, base64 or quoted-printable). It sniffs
// content rather than trusting names and media types, which reporters get
// wrong. It serves every report kind (DMARC aggregate and failure reports,
// SMTP TLS reports); what differs between them (the document's first byte,
// the media types and file names of a report attachment, the warning codes'
// prefix) is described by a Format.
//
// Bounds (set by the caller through Limits): the zip archives of one input
// together and, separately, an email message (Limits.Archive); zip directory
// entries (Limits.Entries); MIME parts examined over all nesting levels
// (Limits.Parts). Fixed: six nested layers, 4 KiB looked at after a gzip
// member, five media types listed in an error.
package container

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Sentinel kinds; every *Error wraps one of them. The packages that use
// this one wrap them in their own sentinels, so that errors.Is matches both.
var (
	// ErrEmpty: the input, or the member or attachment holding the
	// document, has no bytes (or only white space).
	ErrEmpty = errors.New("empty input")
	// ErrNotReport: the input is readable but holds no document of the
	// format sought.
	ErrNotReport = errors.New("not a report")
	// ErrLimit: a limit was exceeded (Error.Limit names it).
	ErrLimit = errors.New("limit exceeded")
	// ErrContainer: a gzip, zip or MIME layer is corrupt.
	ErrContainer = errors.New("corrupt container")
)

// Error describes why no document could be reached.
type Error struct {
	Kind      error  // ErrEmpty, ErrNotReport, ErrLimit or ErrContainer
	Container string // the layers unwrapped, outermost first: "email/zip"
	Msg       string
	Limit     string // the caller's field name of the limit, for ErrLimit
	Err       error  // the underlying error
}

// Error returns the message, after the container it concerns and followed
// by the underlying error.
func (e *Error) Error() string {
	s := e.Msg
	if e.Container != "" {
		s = e.Container + ": " + s
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the kind and the underlying error.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}

// Warning is a repair made while opening the layers.
type Warning struct {
	Code    string // Format.Prefix + ".nested-gzip" etc.
	Message string
	Path    string // the layers, as in Error.Container
}

// Limits bound what an input can make the opener hold or examine. Each is
// named after the field of the caller's decoder that sets it, in errors.
type Limits struct {
	// Archive bounds the bytes of the zip archives of one input together
	// (an archive is held in memory) and, separately, of an email message
	// (MaxArchiveSize).
	Archive int64
	// Entries bounds the directory entries of a zip archive
	// (MaxArchiveEntries).
	Entries int
	// Parts bounds the MIME parts examined, over all nesting levels
	// (MaxEmailParts).
	Parts int
}

// Format describes the document sought.
type Format struct {
	// Name names the document's syntax in errors: "XML", "JSON".
	Name string
	// Prefix starts the warning codes: "report", "tlsrpt".
	Prefix string
	// Start reports whether b (the input's head, without a UTF-8 BOM and
	// leading white space, not empty) starts a document.
	Start func(b []byte) bool
	// Garbage, if not nil, reports whether head (not a document start)
	// holds a document after some junk the decoder can skip: the input is
	// then returned with a Prefix+".leading-garbage" warning.
	Garbage func(head []byte) bool
	// MediaTypes are the media types of an attachment that may hold the
	// document (compressed or not).
	MediaTypes map[string]bool
	// Extensions are the file name extensions of such an attachment
	// (".xml", ".gz").
	Extensions []string
	// Member reports whether a zip member's name (in lower case) is that
	// of the document, to pick among several members; MemberWhat names
	// such a member in the error (".xml").
	Member     func(lowerName string) bool
	MemberWhat string
	// Detail, if not nil, returns the message of an error the Probe
	// returned, for the error that says why no email part held a report.
	Detail func(err error) (string, bool)
}

// Opener peels the layers around one document. Set Limits, Format and
// Probe, call Open once, then Trailing once the document is read, and Close.
type Opener struct {
	Limits Limits
	Format *Format

	// Probe, if not nil, is called with an email part's document: it reads
	// the document far enough to tell whether it is a report. An error
	// wrapping ErrNotReport or ErrEmpty makes the opener try the next part;
	// another ends the search. Once it succeeds, Found is true and Open
	// returns that document.
	Probe func(doc io.Reader) error
	Found bool

	chain   []string
	warns   []Warning
	closers []io.Closer
	layers  []layer // decompressing layers, outermost first
	budget  int64   // archive bytes (Limits.Archive) left for all zip layers together
	started bool
	inZip   bool // a zip layer was opened: a zip inside it is refused
	parts   int  // MIME parts examined (Limits.Parts)
}

// Chain returns the layers unwrapped so far, outermost first.
func (o *Opener) Chain() []string { return o.chain }

// Warnings returns the repairs made so far.
func (o *Opener) Warnings() []Warning { return o.warns }

// Closers returns the decompressors opened, for a caller that closes them
// later itself (ownership passes to it).
func (o *Opener) Closers() []io.Closer {
	c := o.closers
	o.closers = nil
	return c
}

// mark is the opener's state before an email part is tried.
type mark struct{ chain, warns, layers int }

func (o *Opener) mark() mark { return mark{len(o.chain), len(o.warns), len(o.layers)} }

// reset forgets what a failed email part added.
func (o *Opener) reset(m mark) {
	o.chain, o.warns, o.layers, o.inZip = o.chain[:m.chain], o.warns[:m.warns], o.layers[:m.layers], false
}

// layer is a gzip member or zip member being decompressed. It is read to
// its end once the document is done, so that its CRC-32 is checked.
type layer struct {
	r    io.Reader
	gzip *gzipErrReader // nil for a zip member
	what string         // "gzip" or "zip member"
	path string
}

const maxLayers = 6

// Close closes the decompressors the opener still owns.
func (o *Opener) Close() {
	for _, c := range o.closers {
		c.Close()
	}
	o.closers = nil
}

func (o *Opener) path() string { return strings.Join(o.chain, "/") }

func (o *Opener) err(kind error, msg string, cause error) error {
	e := &Error{Kind: kind, Container: o.path(), Msg: msg, Err: cause}
	// A bounded reader deep inside (the email size limit met while
	// parsing MIME) is a limit, not a corrupt container.
	if le, ok := errors.AsType[*LimitError](cause); ok {
		e.Kind, e.Limit = ErrLimit, le.Field
	}
	return e
}

func (o *Opener) warn(code, msg string) {
	o.warns = append(o.warns, Warning{Code: o.Format.Prefix + code, Message: msg, Path: o.path()})
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zipMagic  = []byte("PK\x03\x04")
	zipEmpty  = []byte("PK\x05\x06")
	utf8BOM   = []byte{0xEF, 0xBB, 0xBF}
)

// Open returns a reader of the document inside r. Errors are *Error values,
// or what Probe returned.
func (o *Opener) Open(r io.Reader) (io.Reader, error) {
	if !o.started {
		o.started, o.budget = true, o.Limits.Archive
	}
	return o.open(r, 0)
}

func (o *Opener) open(r io.Reader, depth int) (io.Reader, error) {
	if depth > maxLayers {
		return nil, o.err(ErrContainer, fmt.Sprintf("more than %d nested layers", maxLayers), nil)
	}
	br := bufio.NewReaderSize(r, 4096)
	head, err := br.Peek(512)
	if len(head) == 0 {
		if te, ok := errors.AsType[*transferError](err); ok {
			return nil, o.err(ErrNotReport, te.Error(), nil)
		}
		if err != nil && err != io.EOF {
			return nil, o.err(ErrContainer, "reading", err)
		}
		if depth == 0 {
			return nil, o.err(ErrEmpty, "the input is empty", nil)
		}
		return nil, o.err(ErrEmpty, "the report inside is empty", nil)
	}
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, o.err(ErrContainer, "bad gzip header", err)
		}
		// Stop at the end of the first member: some reporters append
		// bytes (a CRLF) that the multistream mode would take for a
		// broken second member.
		zr.Multistream(false)
		o.closers = append(o.closers, zr)
		if len(o.chain) > 0 && o.chain[len(o.chain)-1] == "gzip" {
			o.warn(".nested-gzip", "the gzip data is itself gzip-compressed")
		}
		o.chain = append(o.chain, "gzip")
		g := &gzipErrReader{r: zr, src: br, path: strings.Join(o.chain, "/")}
		o.layers = append(o.layers, layer{r: g, gzip: g, what: "gzip data", path: g.path})
		return o.open(g, depth+1)
	case bytes.HasPrefix(head, zipMagic), bytes.HasPrefix(head, zipEmpty):
		o.chain = append(o.chain, "zip")
		return o.zip(br, depth)
	}
	x := head
	if bytes.HasPrefix(x, utf8BOM) {
		x = x[3:]
	}
	x = TrimSpace(x)
	switch {
	case len(x) == 0 && len(head) < 512:
		if depth == 0 {
			return nil, o.err(ErrEmpty, "the input holds only white space", nil)
		}
		return nil, o.err(ErrEmpty, "the report inside holds only white space", nil)
	case len(x) > 0 && o.Format.Start(x):
		if bytes.HasPrefix(head, utf8BOM) {
			br.Discard(3)
		}
		return br, nil
	case LooksLikeEmail(head):
		o.chain = append(o.chain, "email")
		return o.email(br, depth)
	case o.Format.Garbage != nil && o.Format.Garbage(head):
		// Junk before the document (a stray byte, a BOM in another
		// encoding) that the decoder skips.
		o.warn(".leading-garbage", fmt.Sprintf("%q before the %s document ignored", clip(x, 16), o.Format.Name))
		return br, nil
	case len(head) >= 2 && (head[0] == 0xFE && head[1] == 0xFF || head[0] == 0xFF && head[1] == 0xFE):
		return nil, o.err(ErrNotReport, "UTF-16 documents are not supported", nil)
	}
	return nil, o.err(ErrNotReport, fmt.Sprintf("the data is neither %s, gzip, zip nor an email message (it starts with %q)", o.Format.Name, clip(head, 16)), nil)
}

// Trailing reads each decompressing layer on to its end, innermost first
// (an inner member is read from the outer one), so that every CRC-32 is
// checked: a mismatch is an ErrContainer error, never ignored. At most
// budget bytes are read past the document (MaxDocumentSize, the limit on
// the document that the caller keeps). It reports,
// as warnings, the bytes that follow each gzip member (RFC 1952 allows
// further members; reporters append CRLFs, padding or junk).
func (o *Opener) Trailing(budget int64) ([]Warning, error) {
	var out []Warning
	for i := len(o.layers) - 1; i >= 0; i-- {
		l := o.layers[i]
		n, err := io.Copy(io.Discard, io.LimitReader(l.r, budget))
		budget -= n
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, &Error{Kind: ErrContainer, Container: l.path, Msg: "the " + l.what + " is corrupt", Err: err}
		}
		if budget <= 0 {
			if k, _ := l.r.Read(make([]byte, 1)); k > 0 {
				return nil, &Error{Kind: ErrLimit, Container: l.path, Limit: "MaxDocumentSize",
					Msg: "too much data after the document in the " + l.what}
			}
		}
		g := l.gzip
		if g == nil || !g.eof || len(g.tail) == 0 {
			continue
		}
		n2 := strconv.Itoa(len(g.tail))
		if g.more {
			n2 = "at least " + n2
		}
		var what string
		switch {
		case bytes.HasPrefix(g.tail, gzipMagic):
			what = "another gzip member"
		case len(TrimSpace(bytes.Trim(g.tail, "\x00"))) == 0:
			what = "white space or NUL padding"
		default:
			what = fmt.Sprintf("%q", clip(g.tail, 16))
		}
		out = append(out, Warning{Code: o.Format.Prefix + ".gzip-trailing-data", Path: g.path,
			Message: fmt.Sprintf("%s bytes after the end of the gzip member ignored (%s)", n2, what)})
	}
	return out, nil
}

func clip(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// gzipErrReader marks gzip errors as container errors for the decoder and,
// at the end of the gzip member, notes what follows it in src (the reader
// the gzip.Reader consumes byte by byte, so it stops right after the
// member's trailer).
type gzipErrReader struct {
	r    io.Reader
	src  *bufio.Reader
	path string // layers up to and including this gzip, for the warning
	eof  bool   // the member's end was reached
	tail []byte // up to maxTailPeek bytes that follow the member (a copy)
	more bool   // more than len(tail) bytes follow
}

// maxTailPeek bounds how much of what follows a gzip member is looked at.
const maxTailPeek = 4096

func (g *gzipErrReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	if err == io.EOF && !g.eof {
		g.eof = true
		rest, _ := g.src.Peek(maxTailPeek)
		g.tail = bytes.Clone(rest)
		g.more = len(rest) == maxTailPeek
	}
	var le *LimitError
	if err != nil && err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &le) {
		err = fmt.Errorf("gzip: %w", err)
	}
	return n, err
}

// zip reads the archive into memory (bounded) and opens its report member:
// the only regular file, or the only one whose name ends in .xml (or .gz).
// Streamed archives (data descriptors, empty names) are fine. All the zip
// layers of one input share one MaxArchiveSize budget, and a zip inside a
// zip (directly or through gzip) is refused: reporters send one zip layer,
// and each layer would hold another archive in memory.
func (o *Opener) zip(r io.Reader, depth int) (io.Reader, error) {
	if o.inZip {
		return nil, o.err(ErrNotReport, "a zip archive inside a zip archive is not read (a report has one zip layer)", nil)
	}
	o.inZip = true
	data, err := readChunks(r, o.budget)
	if err != nil {
		return nil, o.err(ErrContainer, "reading the zip archive", err)
	}
	if data.size > o.budget {
		return nil, &Error{Kind: ErrLimit, Container: o.path(), Limit: "MaxArchiveSize",
			Msg: fmt.Sprintf("zip archive larger than %d bytes", o.Limits.Archive)}
	}
	o.budget -= data.size
	// archive/zip keeps a *zip.File for every directory entry, and counts
	// them only modulo 65,536 against the end record: count the entry
	// signatures first (an upper bound on the entries), without parsing.
	if n := data.count(zipDirSig, o.Limits.Entries+1); n > o.Limits.Entries {
		return nil, &Error{Kind: ErrLimit, Container: o.path(), Limit: "MaxArchiveEntries",
			Msg: fmt.Sprintf("zip archive with more than %d directory entries", o.Limits.Entries)}
	}
	zr, err := zip.NewReader(data, data.size)
	if err != nil {
		return nil, o.err(ErrContainer, "bad zip archive", err)
	}
	var files []*zip.File
	for _, f := range zr.File {
		if !f.FileInfo().IsDir() || f.Name == "" {
			files = append(files, f)
		}
	}
	pick := func(ok func(string) bool) []*zip.File {
		var out []*zip.File
		for _, f := range files {
			if ok(strings.ToLower(f.Name)) {
				out = append(out, f)
			}
		}
		return out
	}
	switch {
	case len(files) == 0:
		return nil, o.err(ErrEmpty, "the zip archive has no member", nil)
	case len(files) > 1:
		x := pick(o.Format.Member)
		if len(x) != 1 {
			return nil, o.err(ErrNotReport, fmt.Sprintf("the zip archive has %d members and not exactly one %s", len(files), o.Format.MemberWhat), nil)
		}
		o.warn(".zip-extra-members", fmt.Sprintf("the zip archive has %d members; read %q", len(files), x[0].Name))
		files = x
	}
	f := files[0]
	rc, err := f.Open()
	if err != nil {
		return nil, o.err(ErrContainer, fmt.Sprintf("opening zip member %q", f.Name), err)
	}
	o.closers = append(o.closers, rc)
	o.layers = append(o.layers, layer{r: rc, what: "zip member " + strconv.Quote(f.Name), path: strings.Join(o.chain, "/")})
	return o.open(rc, depth+1)
}

var zipDirSig = []byte("PK\x01\x02")

// chunks is data read into fixed-size pieces, an io.ReaderAt: reading an
// archive of unknown size this way never copies it to grow a buffer, so its
// memory is its size.
type chunks struct {
	c    [][]byte
	size int64
}

const chunkSize = 1 << 20

// readChunks reads r up to max+1 bytes.
func readChunks(r io.Reader, max int64) (*chunks, error) {
	d := &chunks{}
	for d.size <= max {
		b := make([]byte, chunkSize)
		if rem := max - d.size; rem < chunkSize {
			b = b[:rem+1]
		}
		n, err := io.ReadFull(r, b)
		if n > 0 {
			d.c = append(d.c, b[:n])
			d.size += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return d, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

// ReadAt implements io.ReaderAt.
func (d *chunks) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	n := 0
	for n < len(p) && off < d.size {
		c := d.c[off/chunkSize]
		k := copy(p[n:], c[off%chunkSize:])
		n += k
		off += int64(k)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// count counts the occurrences of sig (4 bytes), stopping at limit.
func (d *chunks) count(sig []byte, limit int) int {
	n := 0
	for i, c := range d.c {
		n += bytes.Count(c, sig)
		if i+1 < len(d.c) {
			// A signature across the boundary with the next chunk.
			edge := append(bytes.Clone(c[max(0, len(c)-len(sig)+1):]), clip(d.c[i+1], len(sig)-1)...)
			n += bytes.Count(edge, sig)
		}
		if n >= limit {
			break
		}
	}
	return n
}

// LooksLikeEmail reports whether b starts with an RFC 5322 header field (or
// an mbox "From " line).
func LooksLikeEmail(b []byte) bool {
	if bytes.HasPrefix(b, []byte("From ")) {
		return true
	}
	i := bytes.IndexByte(b, ':')
	if i <= 0 || i > 76 {
		return false
	}
	for _, c := range b[:i] {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

func (o *Opener) isReportPart(mediaType string, params map[string]string, disposition string) bool {
	if o.Format.MediaTypes[mediaType] {
		return true
	}
	name := params["name"]
	if _, dp, err := mime.ParseMediaType(disposition); err == nil && dp["filename"] != "" {
		name = dp["filename"]
	}
	name = strings.ToLower(name)
	return slices.Contains(o.Format.Extensions, path.Ext(name))
}

// email finds the report in a message: a single-part body whose media type
// (or file name) is that of a report, or the first such part of a
// multipart message.
func (o *Opener) email(r *bufio.Reader, depth int) (io.Reader, error) {
	lr := NewLimitedReader(r, o.Limits.Archive, "email message", "MaxArchiveSize")
	br := bufio.NewReader(lr)
	if head, _ := br.Peek(5); string(head) == "From " {
		br.ReadString('\n') // mbox separator line
	}
	msg, err := mail.ReadMessage(br)
	if err != nil {
		return nil, o.err(ErrContainer, "bad email header", err)
	}
	return o.entity(textproto.MIMEHeader(msg.Header), msg.Body, depth+1)
}

func (o *Opener) entity(h textproto.MIMEHeader, body io.Reader, depth int) (io.Reader, error) {
	if depth > maxLayers {
		return nil, o.err(ErrContainer, fmt.Sprintf("more than %d nested MIME layers", maxLayers), nil)
	}
	mt, params := MediaType(h.Get("Content-Type"))
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		if params["boundary"] == "" {
			return nil, o.err(ErrContainer, "multipart message without a boundary", nil)
		}
		mr := multipart.NewReader(body, params["boundary"])
		var seen []string // media types of the first parts, for the error
		n := 0
		var failed error // why the last candidate part was no report
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, o.err(ErrContainer, "bad multipart body", err)
			}
			if o.parts++; o.parts > o.Limits.Parts {
				return nil, &Error{Kind: ErrLimit, Container: o.path(), Limit: "MaxEmailParts",
					Msg: fmt.Sprintf("more than %d MIME parts", o.Limits.Parts)}
			}
			n++
			pct := p.Header.Get("Content-Type")
			pmt, pparams, _ := mime.ParseMediaType(pct)
			if len(seen) < maxListedParts {
				seen = append(seen, orNone(pmt))
			}
			if !strings.HasPrefix(pmt, "multipart/") && pmt != "message/rfc822" &&
				!o.isReportPart(pmt, pparams, p.Header.Get("Content-Disposition")) {
				continue
			}
			m := o.mark()
			doc, err := o.entity(p.Header, p, depth+1)
			if err == nil && !o.Found && o.Probe != nil {
				err = o.Probe(doc)
				o.Found = err == nil
			}
			if err == nil {
				return doc, nil
			}
			if !errors.Is(err, ErrNotReport) && !errors.Is(err, ErrEmpty) {
				return nil, err
			}
			// Not a report: try the next part (RFC 9990 §3 does not say
			// the report is the first attachment).
			o.reset(m)
			failed = err
		}
		list := strings.Join(seen, ", ")
		if n > len(seen) {
			list += fmt.Sprintf(", and %d more", n-len(seen))
		}
		msg := fmt.Sprintf("no report attachment among the %d parts (%s)", n, list)
		if n == 1 {
			msg = fmt.Sprintf("no report attachment in the one part (%s)", list)
		}
		if de, ok := errors.AsType[*Error](failed); ok {
			msg += "; the last candidate: " + de.Msg
		} else if o.Format.Detail != nil {
			if m, ok := o.Format.Detail(failed); ok {
				msg += "; the last candidate: " + m
			}
		}
		return nil, o.err(ErrNotReport, msg, nil)
	case mt == "message/rfc822":
		o.chain = append(o.chain, "email")
		return o.email(bufio.NewReader(decodeTransfer(h, body)), depth)
	case o.partIsReport(h):
		return o.open(decodeTransfer(h, body), depth+1)
	}
	return nil, o.err(ErrNotReport, fmt.Sprintf("the message body is %s, not a report attachment", mt), nil)
}

// MediaType parses a Content-Type value, keeping the media type of a
// value with a broken parameter list (tolerated: the parameters are then
// nil). An empty value gives text/plain (RFC 2045 §5.2).
func MediaType(ct string) (string, map[string]string) {
	if strings.TrimSpace(ct) == "" {
		return "text/plain", nil
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	return mt, params
}

// maxListedParts bounds the media types an error lists.
const maxListedParts = 5

func orNone(mt string) string {
	if mt == "" {
		return "no media type"
	}
	return mt
}

func (o *Opener) partIsReport(h textproto.MIMEHeader) bool {
	mt, params, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return o.isReportPart(mt, params, h.Get("Content-Disposition"))
}

func decodeTransfer(h textproto.MIMEHeader, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		f := &base64Filter{r: r}
		return &base64Reader{r: base64.NewDecoder(base64.StdEncoding, f), f: f}
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	}
	return r
}

// base64Reader says what is wrong with a base64 body that does not
// decode, rather than letting it pass for an empty attachment.
type base64Reader struct {
	r io.Reader
	f *base64Filter
	n int64 // bytes decoded
}

func (b *base64Reader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	switch {
	case err == io.EOF && b.n == 0 && b.f.in > 0:
		return n, &transferError{fmt.Sprintf("the attachment is declared base64 but its %d bytes hold no base64 text", b.f.in), nil}
	case err != nil && err != io.EOF:
		if _, ok := errors.AsType[base64.CorruptInputError](err); ok {
			return n, &transferError{"the attachment is declared base64 but is not valid base64", err}
		}
	}
	return n, err
}

// transferError: an email part's body does not decode by its
// Content-Transfer-Encoding. Met before any byte of the part, it makes the
// part no report (ErrNotReport, so that the next part is tried).
type transferError struct {
	msg string
	err error
}

func (e *transferError) Error() string {
	if e.err != nil {
		return e.msg + ": " + e.err.Error()
	}
	return e.msg
}

func (e *transferError) Unwrap() error { return e.err }

// base64Filter drops bytes outside the base64 alphabet and '=' (line
// breaks, stray spaces), so that the decoder does not fail on what some
// mailers add; padding and what follows it are passed on, for the decoder
// to judge.
type base64Filter struct {
	r    io.Reader
	done bool
	in   int64 // bytes read, kept or not
}

func (f *base64Filter) Read(p []byte) (int, error) {
	for {
		if f.done {
			return 0, io.EOF
		}
		n, err := f.r.Read(p)
		f.in += int64(n)
		j := 0
		for i := 0; i < n; i++ {
			c := p[i]
			switch {
			case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
				p[j] = c
				j++
			case c == '=':
				p[j] = c
				j++
			}
		}
		if err != nil {
			if err == io.EOF {
				f.done = true
			}
			if j > 0 {
				return j, nil
			}
			return 0, err
		}
		if j > 0 {
			return j, nil
		}
	}
}

// LimitedReader fails with a *LimitError once more than its limit of bytes
// was read.
type LimitedReader struct {
	r     io.Reader
	n     int64
	what  string
	field string
	max   int64
}

// LimitError is the error of a LimitedReader.
type LimitError struct {
	What  string // the data bounded: "document", "email message"
	Field string // the caller's field that sets the limit
	Max   int64
}

// Error names the data and the limit it went past.
func (e *LimitError) Error() string { return fmt.Sprintf("%s larger than %d bytes", e.What, e.Max) }

// NewLimitedReader bounds r to n bytes; what names the data in the error,
// field the caller's field that sets n.
func NewLimitedReader(r io.Reader, n int64, what, field string) *LimitedReader {
	return &LimitedReader{r: r, n: n, what: what, field: field, max: n}
}

// Left returns the bytes that may still be read (0 once the limit is met).
func (l *LimitedReader) Left() int64 { return max(l.n, 0) }

// Read reads from the underlying reader until the limit, then fails with a
// *LimitError.
func (l *LimitedReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, &LimitError{l.what, l.field, l.max}
	}
	if l.n < math.MaxInt64 && int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, &LimitError{l.what, l.field, l.max}
	}
	return n, err
}

// TrimSpace removes XML and JSON white space (space, tab, CR, LF) at both
// ends.
func TrimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// Sentinel is a package's sentinel error that wraps a shared kind (ErrEmpty
// and so on), so that errors.Is matches both.
type Sentinel struct {
	Msg    string
	Shared error // nil for a kind of the package's own
}

// Error returns the sentinel's message.
func (e *Sentinel) Error() string { return e.Msg }

// Unwrap returns the shared kind.
func (e *Sentinel) Unwrap() error { return e.Shared }

// Map returns the caller's kind for e.Kind: empty, notReport, limit or
// corrupt.
func (e *Error) Map(empty, notReport, limit, corrupt error) error {
	switch e.Kind {
	case ErrEmpty:
		return empty
	case ErrNotReport:
		return notReport
	case ErrLimit:
		return limit
	}
	return corrupt
}

// Bound64 sets *def from a limit field v: v if positive, no limit if
// negative, the default if zero.
func Bound64(v int64, def *int64) {
	switch {
	case v > 0:
		*def = v
	case v < 0:
		*def = math.MaxInt64
	}
}

// Bound is Bound64 for int fields.
func Bound(v int, def *int) {
	switch {
	case v > 0:
		*def = v
	case v < 0:
		*def = math.MaxInt
	}
}

// Message formats a decoding error the same way for every report kind:
// "pkg: container: where: path: msg (Decoder.limit): err", leaving out
// the empty parts.
func Message(pkg, container, where, path, msg, limit string, err error) string {
	var b strings.Builder
	b.WriteString(pkg)
	b.WriteString(": ")
	for _, s := range []string{container, where, path} {
		if s != "" {
			b.WriteString(s)
			b.WriteString(": ")
		}
	}
	b.WriteString(msg)
	if limit != "" {
		b.WriteString(" (Decoder.")
		b.WriteString(limit)
		b.WriteString(")")
	}
	if err != nil {
		b.WriteString(": ")
		b.WriteString(err.Error())
	}
	return b.String()
}

// Unwrap returns kind and, if not nil, err: what a decoding error unwraps to.
func Unwrap(kind, err error) []error {
	if err != nil {
		return []error{kind, err}
	}
	return []error{kind}
}
