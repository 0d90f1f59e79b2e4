package report

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"strconv"
	"strings"
)

// opener peels the layers around the XML document: gzip (possibly nested,
// possibly followed by junk), zip, and email messages (multipart or not,
// any transfer encoding). It sniffs content rather than trusting names and
// media types, which reporters get wrong.
type opener struct {
	lim     limits
	chain   []string
	warns   []Warning
	closers []io.Closer
	layers  []layer // decompressing layers, outermost first
	budget  int64   // archive bytes (MaxArchiveSize) left for all zip layers together
	inZip   bool    // a zip layer was opened: a zip inside it is refused
	parts   int     // MIME parts examined (MaxEmailParts)

	// probe reads the document up to its first record; found is the
	// decoder of the email part that held a report (parts are tried in
	// order until one does).
	probe func(doc io.Reader) (*decoder, error)
	found *decoder
}

// mark is the opener's state before an email part is tried.
type mark struct{ chain, warns, layers int }

func (o *opener) mark() mark { return mark{len(o.chain), len(o.warns), len(o.layers)} }

// reset forgets what a failed email part added.
func (o *opener) reset(m mark) {
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

func (o *opener) close() {
	for _, c := range o.closers {
		c.Close()
	}
	o.closers = nil
}

func (o *opener) err(kind error, msg string, cause error) error {
	e := &DecodeError{Kind: kind, Container: strings.Join(o.chain, "/"), Msg: msg, Err: cause}
	// A bounded reader deep inside (the email size limit met while
	// parsing MIME) is a limit, not a corrupt container.
	if le, ok := errors.AsType[*limitError](cause); ok {
		e.Kind, e.Limit = ErrLimit, le.field
	}
	return e
}

func (o *opener) warn(code, msg string) {
	o.warns = append(o.warns, Warning{Code: code, Message: msg, Path: strings.Join(o.chain, "/"), Count: 1})
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zipMagic  = []byte("PK\x03\x04")
	zipEmpty  = []byte("PK\x05\x06")
	utf8BOM   = []byte{0xEF, 0xBB, 0xBF}
)

// open returns a reader of the XML document inside r.
func (o *opener) open(r io.Reader, depth int) (io.Reader, error) {
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
			o.warn("report.nested-gzip", "the gzip data is itself gzip-compressed")
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
	x = trimSpace(x)
	switch {
	case len(x) == 0 && len(head) < 512:
		if depth == 0 {
			return nil, o.err(ErrEmpty, "the input holds only white space", nil)
		}
		return nil, o.err(ErrEmpty, "the report inside holds only white space", nil)
	case len(x) > 0 && x[0] == '<':
		if bytes.HasPrefix(head, utf8BOM) {
			br.Discard(3)
		}
		return br, nil
	case looksLikeEmail(head):
		o.chain = append(o.chain, "email")
		return o.email(br, depth)
	case bytes.Contains(head, []byte("<feedback")) || bytes.Contains(head, []byte("<?xml")):
		// Junk before the document (a stray byte, a BOM in another
		// encoding): the scanner skips text outside elements.
		o.warn("report.leading-garbage", fmt.Sprintf("%q before the XML document ignored", clip(x, 16)))
		return br, nil
	case len(head) >= 2 && (head[0] == 0xFE && head[1] == 0xFF || head[0] == 0xFF && head[1] == 0xFE):
		return nil, o.err(ErrNotReport, "UTF-16 documents are not supported", nil)
	}
	return nil, o.err(ErrNotReport, fmt.Sprintf("the data is neither XML, gzip, zip nor an email message (it starts with %q)", clip(head, 16)), nil)
}

// trailing reads each decompressing layer on to its end, innermost first
// (an inner member is read from the outer one), so that every CRC-32 is
// checked: a mismatch is an ErrContainer error, never ignored. At most
// budget bytes are read past the document (MaxDocumentSize). It reports,
// as warnings, the bytes that follow each gzip member (RFC 1952 allows
// further members; reporters append CRLFs, padding or junk).
func (o *opener) trailing(budget int64) ([]Warning, error) {
	var out []Warning
	for i := len(o.layers) - 1; i >= 0; i-- {
		l := o.layers[i]
		n, err := io.Copy(io.Discard, io.LimitReader(l.r, budget))
		budget -= n
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, &DecodeError{Kind: ErrContainer, Container: l.path, Msg: "the " + l.what + " is corrupt", Err: err}
		}
		if budget <= 0 {
			if k, _ := l.r.Read(make([]byte, 1)); k > 0 {
				return nil, &DecodeError{Kind: ErrLimit, Container: l.path, Limit: "MaxDocumentSize",
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
		case len(trimSpace(bytes.Trim(g.tail, "\x00"))) == 0:
			what = "white space or NUL padding"
		default:
			what = fmt.Sprintf("%q", clip(g.tail, 16))
		}
		out = append(out, Warning{Code: "report.gzip-trailing-data", Path: g.path, Count: 1,
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
	var le *limitError
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
func (o *opener) zip(r io.Reader, depth int) (io.Reader, error) {
	if o.inZip {
		return nil, o.err(ErrNotReport, "a zip archive inside a zip archive is not read (a report has one zip layer)", nil)
	}
	o.inZip = true
	data, err := readChunks(r, o.budget)
	if err != nil {
		return nil, o.err(ErrContainer, "reading the zip archive", err)
	}
	if data.size > o.budget {
		return nil, &DecodeError{Kind: ErrLimit, Container: strings.Join(o.chain, "/"), Limit: "MaxArchiveSize",
			Msg: fmt.Sprintf("zip archive larger than %d bytes", o.lim.archive)}
	}
	o.budget -= data.size
	// archive/zip keeps a *zip.File for every directory entry, and counts
	// them only modulo 65,536 against the end record: count the entry
	// signatures first (an upper bound on the entries), without parsing.
	if n := data.count(zipDirSig, o.lim.entries+1); n > o.lim.entries {
		return nil, &DecodeError{Kind: ErrLimit, Container: strings.Join(o.chain, "/"), Limit: "MaxArchiveEntries",
			Msg: fmt.Sprintf("zip archive with more than %d directory entries", o.lim.entries)}
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
		x := pick(func(n string) bool { return strings.HasSuffix(n, ".xml") || strings.HasSuffix(n, ".xml.gz") })
		if len(x) != 1 {
			return nil, o.err(ErrNotReport, fmt.Sprintf("the zip archive has %d members and not exactly one .xml", len(files)), nil)
		}
		o.warn("report.zip-extra-members", fmt.Sprintf("the zip archive has %d members; read %q", len(files), x[0].Name))
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

// looksLikeEmail reports whether b starts with an RFC 5322 header field (or
// an mbox "From " line).
func looksLikeEmail(b []byte) bool {
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

// reportTypes are the media types a report attachment arrives with.
var reportTypes = map[string]bool{
	"application/gzip": true, "application/x-gzip": true, "application/gzip-compressed": true,
	"application/zip": true, "application/x-zip": true, "application/x-zip-compressed": true,
	"application/octet-stream": true, "text/xml": true, "application/xml": true,
}

func isReportPart(mediaType string, params map[string]string, disposition string) bool {
	if reportTypes[mediaType] {
		return true
	}
	name := params["name"]
	if _, dp, err := mime.ParseMediaType(disposition); err == nil && dp["filename"] != "" {
		name = dp["filename"]
	}
	name = strings.ToLower(name)
	switch path.Ext(name) {
	case ".xml", ".gz", ".zip", ".gzip":
		return true
	}
	return false
}

// email finds the report in a message: a single-part body whose media type
// (or file name) is that of a report, or the first such part of a
// multipart message.
func (o *opener) email(r *bufio.Reader, depth int) (io.Reader, error) {
	lr := newLimitedReader(r, o.lim.archive, "email message", "MaxArchiveSize")
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

func (o *opener) entity(h textproto.MIMEHeader, body io.Reader, depth int) (io.Reader, error) {
	if depth > maxLayers {
		return nil, o.err(ErrContainer, fmt.Sprintf("more than %d nested MIME layers", maxLayers), nil)
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		// Tolerate a broken parameter list: keep the media type.
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
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
			if o.parts++; o.parts > o.lim.parts {
				return nil, &DecodeError{Kind: ErrLimit, Container: strings.Join(o.chain, "/"), Limit: "MaxEmailParts",
					Msg: fmt.Sprintf("more than %d MIME parts", o.lim.parts)}
			}
			n++
			pct := p.Header.Get("Content-Type")
			pmt, _, _ := mime.ParseMediaType(pct)
			if len(seen) < maxListedParts {
				seen = append(seen, orNone(pmt))
			}
			if !strings.HasPrefix(pmt, "multipart/") && pmt != "message/rfc822" && !o.partIsReport(p.Header) {
				continue
			}
			m := o.mark()
			doc, err := o.entity(p.Header, p, depth+1)
			if err == nil && o.found == nil {
				o.found, err = o.probe(doc)
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
		if de, ok := errors.AsType[*DecodeError](failed); ok {
			msg += "; the last candidate: " + de.Msg
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

// maxListedParts bounds the media types an error lists.
const maxListedParts = 5

func orNone(mt string) string {
	if mt == "" {
		return "no media type"
	}
	return mt
}

func (o *opener) partIsReport(h textproto.MIMEHeader) bool {
	mt, params, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return isReportPart(mt, params, h.Get("Content-Disposition"))
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

// base64Filter drops bytes outside the base64 alphabet (line breaks, stray
// spaces) and everything after the padding, so that the decoder does not
// fail on what some mailers add.
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
