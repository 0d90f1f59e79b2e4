package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/domainauth/domainauth/internal/container"
)

// Decoder decodes aggregate reports with limits. The zero Decoder is ready
// to use and applies the defaults documented on each field; a negative value
// removes a limit. A Decoder is safe for concurrent use.
type Decoder struct {
	// MaxDocumentSize bounds the bytes of the XML document after every
	// layer of compression is removed (gzip and zip bombs). If zero,
	// 1 GiB for Decode and 16 GiB for Stream (whose memory does not grow
	// with the document, so the limit only bounds time).
	MaxDocumentSize int64
	// MaxArchiveSize bounds the bytes of the zip archives of one input
	// together (an archive is read into memory, since the format keeps its
	// directory at the end; a zip inside a zip is refused) and, separately,
	// the bytes of an email message. If zero, 64 MiB.
	MaxArchiveSize int64
	// MaxArchiveEntries bounds the directory entries of a zip archive (a
	// report zip has one or two members; archive/zip keeps a few hundred
	// bytes for every entry). If zero, 16.
	MaxArchiveEntries int
	// MaxEmailParts bounds the MIME parts of an email message examined
	// for a report, over all nesting levels. If zero, 100.
	MaxEmailParts int
	// MaxRecords bounds the number of <record> elements. If zero,
	// 1,000,000 for Decode (a few hundred MB in memory) and no limit for
	// Stream, whose memory stays flat whatever the count.
	MaxRecords int
	// MaxDepth bounds element nesting. If zero, 32.
	MaxDepth int
	// MaxElementSize bounds one construct: a tag, a leaf's text, a
	// captured extension. If zero, 1 MiB.
	MaxElementSize int
	// MaxWarnings bounds the number of distinct warnings kept (repeats of
	// one warning are only counted). If zero, 200.
	MaxWarnings int
	// MaxResults bounds the entries kept of each list in one record (DKIM
	// results, SPF results, override reasons, extensions) and of the
	// metadata's <error> list. If zero, 100: RFC 9990 §3.1.3 says a row
	// SHOULD carry at most 100 DKIM signatures. Entries past it are read
	// but not kept, and counted in the warning report.results-dropped.
	MaxResults int
	// MaxRecordEntries bounds the entries read in one record, over all
	// its lists, and in the metadata's <error> list, kept or not; past it
	// decoding fails with ErrLimit. If zero, 10,000.
	MaxRecordEntries int
}

type limits struct {
	doc, archive int64
	entries      int // zip directory entries
	parts        int // MIME parts
	records      int
	depth        int
	element      int
	warnings     int
	results      int // entries kept per list
	recEntries   int // entries read per record
}

func (dec *Decoder) limits(streaming bool) limits {
	l := limits{doc: 1 << 30, archive: 64 << 20, records: 1_000_000, depth: 32, element: 1 << 20, warnings: 200, results: 100, recEntries: 10_000, entries: 16, parts: 100}
	if streaming {
		l.doc, l.records = 16<<30, math.MaxInt
	}
	if dec != nil {
		container.Bound64(dec.MaxDocumentSize, &l.doc)
		container.Bound64(dec.MaxArchiveSize, &l.archive)
		container.Bound(dec.MaxRecords, &l.records)
		container.Bound(dec.MaxDepth, &l.depth)
		container.Bound(dec.MaxElementSize, &l.element)
		container.Bound(dec.MaxWarnings, &l.warnings)
		container.Bound(dec.MaxResults, &l.results)
		container.Bound(dec.MaxRecordEntries, &l.recEntries)
		container.Bound(dec.MaxArchiveEntries, &l.entries)
		container.Bound(dec.MaxEmailParts, &l.parts)
	}
	if l.element < 512 {
		l.element = 512
	}
	return l
}

// Decode reads one aggregate report with the default limits. The input may
// be XML, gzip (also nested or with trailing bytes), zip (one report member)
// or a whole email message carrying one of those. Repairs are listed in
// Aggregate.Warnings; errors wrap ErrEmpty, ErrNotReport, ErrTruncated,
// ErrLimit or ErrContainer and are *DecodeError values.
func Decode(r io.Reader) (*Aggregate, error) {
	var dec Decoder
	return dec.Decode(r)
}

// Decode reads a whole report, records included.
func (dec *Decoder) Decode(r io.Reader) (*Aggregate, error) {
	st, err := dec.open(r, dec.limits(false))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	d := st.d
	// Records go into fixed-size chunks and are copied once into a slice
	// of the exact length: cheaper than growing one slice by doubling.
	var chunks [][]Record
	var cur []Record
	n := 0
	for {
		if len(cur) == cap(cur) {
			if cur != nil {
				chunks = append(chunks, cur)
			}
			// The shift is bounded: 16<<60 and beyond overflow int.
			cur = make([]Record, 0, 16<<min(len(chunks), 6))
		}
		// Parse straight into the chunk: no copy of the record.
		cur = cur[:len(cur)+1]
		ok, err := d.nextRecord(&cur[len(cur)-1])
		if err != nil {
			return nil, err
		}
		if !ok {
			cur = cur[:len(cur)-1]
			break
		}
		n++
	}
	if len(chunks) == 0 {
		d.agg.Records = cur
	} else {
		d.agg.Records = make([]Record, 0, n)
		for _, c := range append(chunks, cur) {
			d.agg.Records = append(d.agg.Records, c...)
		}
	}
	if err := d.finish(); err != nil {
		return nil, err
	}
	return d.agg, nil
}

// Stream is a report being read record by record, for reports too large to
// hold: memory stays bounded by the limits whatever the number of records.
// Metadata and policy are available from Header before the first record.
type Stream struct {
	d       *decoder
	closers []io.Closer
	done    bool
	err     error
}

// Stream opens a report and reads it up to its first record.
func (dec *Decoder) Stream(r io.Reader) (*Stream, error) {
	return dec.open(r, dec.limits(true))
}

func (dec *Decoder) open(r io.Reader, lim limits) (*Stream, error) {
	o := &container.Opener{Format: xmlFormat,
		Limits: container.Limits{Archive: lim.archive, Entries: lim.entries, Parts: lim.parts}}
	var found *decoder
	probe := func(doc io.Reader) (*decoder, error) {
		d := newDecoder(container.NewLimitedReader(doc, lim.doc, "document", "MaxDocumentSize"), lim)
		chain := o.Chain()
		d.container = strings.Join(append(chain[:len(chain):len(chain)], "xml"), "/")
		d.late = func(budget int64) ([]Warning, error) {
			ws, err := o.Trailing(budget)
			return fromWarnings(ws), fromContainer(err)
		}
		for _, w := range o.Warnings() {
			if _, ok := d.warnIdx[warnKey{code: w.Code}]; !ok {
				d.warnIdx[warnKey{code: w.Code}] = len(d.warns)
				d.warns = append(d.warns, Warning{Code: w.Code, Message: w.Message, Path: w.Path, Count: 1})
			}
		}
		if err := d.header(); err != nil {
			return nil, err
		}
		return d, nil
	}
	o.Probe = func(doc io.Reader) (err error) {
		found, err = probe(doc)
		return err
	}
	doc, err := o.Open(r)
	d := found
	if err == nil && d == nil {
		d, err = probe(doc)
	}
	if err != nil {
		o.Close()
		return nil, fromContainer(err)
	}
	return &Stream{d: d, closers: o.Closers()}, nil
}

// Header returns the report read so far without records: version,
// metadata, policy and warnings. Elements that a report places after its
// records appear once the records have been read.
func (s *Stream) Header() *Aggregate {
	s.d.agg.Warnings = s.d.warnings()
	return s.d.agg
}

// Next returns the next record, or io.EOF after the last one. At the end it
// returns ErrTruncated (wrapped) if the document was cut off before anything
// useful.
func (s *Stream) Next() (Record, error) {
	if s.err != nil {
		return Record{}, s.err
	}
	if s.done {
		return Record{}, io.EOF
	}
	ok, err := s.d.nextRecord(&s.d.rec)
	if err == nil && !ok {
		s.done = true
		err = s.d.finish()
		if err == nil {
			return Record{}, io.EOF
		}
	}
	if err != nil {
		s.err = err
		return Record{}, err
	}
	return s.d.rec, nil
}

// All iterates over the remaining records. On an error it yields the error
// once and stops.
func (s *Stream) All() iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for {
			r, err := s.Next()
			if err == io.EOF {
				return
			}
			if !yield(r, err) || err != nil {
				return
			}
		}
	}
}

// Close releases the decompressors. It does not close the input reader.
func (s *Stream) Close() error {
	var errs []error
	for _, c := range s.closers {
		errs = append(errs, c.Close())
	}
	s.closers = nil
	return errors.Join(errs...)
}

type warnKey struct {
	code string
	a, b elem
}

// decoder holds the state of one document.
type decoder struct {
	s     *scanner
	lim   limits
	t     token
	stack []elem

	prefix  []byte                                // prefix of <feedback>, children must share it (or none)
	empty   bool                                  // the last start tag was self-closing
	closeTo int                                   // >= 0: an end tag closed stack[closeTo]; unwinding
	eof     bool                                  // input ended inside the document
	err     error                                 // fatal
	late    func(budget int64) ([]Warning, error) // reads the layers to their ends: CRC checks, gzip trailing data

	agg       *Aggregate
	rec       Record
	root      string // first root element when it is not <feedback>
	inFeed    bool
	pending   bool // a <record> start tag was read and not yet parsed
	entries   int  // list entries read in the current record
	done      bool
	nrec      int
	container string

	warns   []Warning
	warnIdx map[warnKey]int

	strs     map[string]string
	dkimSlab []DKIMAuthResult
	spfSlab  []SPFAuthResult
	dkimTmp  []DKIMAuthResult
	spfTmp   []SPFAuthResult
	skipPfx  []byte
	skipLoc  []byte
	conv     []byte
}

func newDecoder(r io.Reader, lim limits) *decoder {
	return &decoder{
		s:       newScanner(r, lim.element),
		lim:     lim,
		closeTo: -1,
		agg:     &Aggregate{},
		warnIdx: make(map[warnKey]int),
		strs:    make(map[string]string),
		stack:   make([]elem, 0, 8),
	}
}

var elemBytes = func() (t [numElems][]byte) {
	for i, n := range elemNames {
		t[i] = []byte(n)
	}
	return t
}()

func (d *decoder) path(at elem) string {
	var b strings.Builder
	for i, e := range d.stack {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(e.String())
	}
	if at != eUnknown && (len(d.stack) == 0 || d.stack[len(d.stack)-1] != at) {
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(at.String())
	}
	return b.String()
}

// seen counts a repeat of warning (code, at) and reports whether it was
// already recorded.
func (d *decoder) seen(code string, at elem) bool {
	var top elem
	if n := len(d.stack); n > 0 {
		top = d.stack[n-1]
	}
	k := warnKey{code: code, a: top, b: at}
	if i, ok := d.warnIdx[k]; ok {
		if i >= 0 {
			d.warns[i].Count++
		}
		return true
	}
	if len(d.warns) >= d.lim.warnings {
		d.warnIdx[k] = -1
		return true
	}
	d.warnIdx[k] = len(d.warns)
	return false
}

// warn records a new warning (after seen returned false).
func (d *decoder) warn(code string, at elem, msg string) {
	d.warns = append(d.warns, Warning{Code: code, Message: msg, Path: d.path(at), Line: d.s.line(d.s.pos), Count: 1})
}

func (d *decoder) warnOnce(code string, at elem, msg string) {
	if !d.seen(code, at) {
		d.warn(code, at, msg)
	}
}

func (d *decoder) warnings() []Warning {
	if len(d.warns) == 0 {
		return nil
	}
	return append([]Warning(nil), d.warns...)
}

func (d *decoder) fail(kind error, msg string, cause error) {
	if d.err == nil {
		d.err = &DecodeError{Kind: kind, Container: d.container, Path: d.path(eUnknown),
			Line: d.s.line(d.s.pos), Msg: msg, Err: cause}
	}
}

// failLimit fails with ErrLimit, naming the Decoder field that sets the
// limit.
func (d *decoder) failLimit(field, msg string) {
	d.fail(ErrLimit, msg, nil)
	if de, ok := d.err.(*DecodeError); ok && de.Kind == ErrLimit && de.Limit == "" {
		de.Limit = field
	}
}

func (d *decoder) known(prefix, local []byte) elem {
	if len(prefix) > 0 && !bytes.Equal(prefix, d.prefix) {
		return eUnknown
	}
	return lookupElem(local)
}

func (d *decoder) push(e elem) {
	if len(d.stack) >= d.lim.depth {
		d.failLimit("MaxDepth", fmt.Sprintf("elements nested deeper than %d", d.lim.depth))
		return
	}
	d.stack = append(d.stack, e)
}

func (d *decoder) pop() {
	if n := len(d.stack); n > 0 {
		d.stack = d.stack[:n-1]
	}
}

func (d *decoder) atEOF() {
	if d.s.full {
		d.failLimit("MaxElementSize", fmt.Sprintf("a single element or tag is larger than %d bytes", d.lim.element))
	}
	if err := d.s.rerr; err != nil {
		var le *container.LimitError
		switch {
		case errors.As(err, &le):
			d.failLimit(le.Field, le.Error())
		case errors.Is(err, io.ErrUnexpectedEOF):
			// A cut-off gzip or zip member: keep what was read, as for a
			// truncated document.
			d.warnOnce("report.container-truncated", eUnknown, "the compressed data ends early: "+err.Error())
		default:
			d.fail(ErrContainer, "reading the document", err)
		}
	}
	d.eof = true
}

func (d *decoder) checkStray() {
	if d.s.stray {
		d.s.stray = false
		if !d.seen("report.stray-text", eUnknown) {
			d.warn("report.stray-text", eUnknown, fmt.Sprintf("text %q outside any value ignored", d.s.strayText))
		}
	}
}

// child returns the next child element of the innermost open element, or
// false once that element has ended (it is then popped).
func (d *decoder) child() (elem, bool) {
	if d.empty {
		d.empty = false
		return eUnknown, false
	}
	for {
		if d.err != nil || d.eof {
			d.pop()
			return eUnknown, false
		}
		if d.closeTo >= 0 {
			top := len(d.stack) - 1
			if top > d.closeTo {
				d.warnOnce("report.unclosed-element", d.stack[top], "element <"+d.stack[top].String()+"> not closed; closed at its parent's end tag")
				d.pop()
				return eUnknown, false
			}
			d.closeTo = -1
			d.pop()
			return eUnknown, false
		}
		d.s.next(&d.t)
		d.checkStray()
		switch d.t.kind {
		case tokEOF:
			d.atEOF()
		case tokEnd:
			id := d.known(d.t.prefix, d.t.local)
			k := len(d.stack) - 1
			for ; k >= 0 && id != eUnknown; k-- {
				if d.stack[k] == id {
					break
				}
			}
			if id == eUnknown || k < 0 {
				d.warnOnce("report.stray-end-tag", eUnknown, fmt.Sprintf("end tag </%s> without a start tag ignored", d.t.local))
				continue
			}
			d.closeTo = k
		case tokStart:
			id := d.known(d.t.prefix, d.t.local)
			if d.t.selfClose {
				d.empty = true
			} else if id != eUnknown {
				d.push(id)
			}
			return id, true
		}
	}
}

// skip passes over the element just returned by child (an unknown one, or
// a known one out of place), returning its raw XML when capture is set.
func (d *decoder) skip(id elem, capture bool) string {
	if d.empty {
		d.empty = false
		if capture {
			return string(d.s.buf[d.t.start:d.s.pos])
		}
		return ""
	}
	d.skipPfx = append(d.skipPfx[:0], d.t.prefix...)
	d.skipLoc = append(d.skipLoc[:0], d.t.local...)
	if capture {
		d.s.mark = d.t.start
	}
	stray := d.s.stray
	depth := 0
	end := -1
loop:
	for d.err == nil {
		d.s.next(&d.t)
		switch d.t.kind {
		case tokEOF:
			d.atEOF()
			break loop
		case tokStart:
			if !d.t.selfClose {
				depth++
				if depth+len(d.stack) > d.lim.depth {
					d.failLimit("MaxDepth", fmt.Sprintf("elements nested deeper than %d", d.lim.depth))
				}
			}
		case tokEnd:
			if depth > 0 {
				depth--
				continue
			}
			if bytes.Equal(d.t.prefix, d.skipPfx) && bytes.Equal(d.t.local, d.skipLoc) {
				end = d.s.pos
				break loop
			}
			e2 := d.known(d.t.prefix, d.t.local)
			last := len(d.stack) - 1
			if id != eUnknown {
				last-- // the skipped element itself is on the stack
			}
			for k := last; k >= 0 && e2 != eUnknown; k-- {
				if d.stack[k] == e2 {
					d.closeTo = k
					end = d.t.start
					d.warnOnce("report.unclosed-element", id, fmt.Sprintf("element <%s> not closed", d.skipLoc))
					break loop
				}
			}
		}
	}
	d.s.stray = stray
	if id != eUnknown {
		d.pop()
	}
	raw := ""
	if capture && end >= 0 && d.s.mark >= 0 {
		raw = string(trimSpace(d.s.buf[d.s.mark:end]))
	}
	d.s.mark = -1
	return raw
}

// unknown skips an element the schema does not allow here, with a warning.
func (d *decoder) unknown(id elem) {
	name := id.String()
	if id == eUnknown {
		name = string(d.t.local)
	}
	d.warnOnce("report.unknown-element", id, "element <"+name+"> ignored")
	d.skip(id, false)
}

// leaf reads the text of the leaf element id just returned by child,
// trimmed, repaired and valid UTF-8. The bytes are valid until the next
// read.
func (d *decoder) leaf(id elem) []byte {
	if d.empty {
		d.empty = false
		return nil
	}
	var pfx []byte
	if len(d.t.prefix) > 0 {
		pfx = d.prefix
	}
	local := elemBytes[id]
	if id == eUnknown {
		d.skipLoc = append(d.skipLoc[:0], d.t.local...)
		local = d.skipLoc
	}
	v, flags := d.s.text(pfx, local)
	if id != eUnknown {
		d.pop()
	}
	if flags != 0 {
		v = d.leafFlags(id, v, flags)
	}
	return trimSpace(v)
}

func (d *decoder) leafFlags(id elem, v []byte, flags int) []byte {
	if flags&fUnescapedLT != 0 && !d.seen("report.unescaped-lt", id) {
		d.warn("report.unescaped-lt", id, fmt.Sprintf("unescaped '<' in the text of <%s> kept as text: %q", id, trimSpace(v)))
	}
	if flags&fBareAmp != 0 {
		d.warnOnce("report.bare-ampersand", id, "'&' that starts no reference kept as text")
	}
	if flags&fUnclosed != 0 {
		d.warnOnce("report.unclosed-element", id, fmt.Sprintf("element <%s> not closed; ended at the next end tag", id))
	}
	if flags&fTooLong != 0 {
		d.failLimit("MaxElementSize", fmt.Sprintf("text of <%s> longer than %d bytes", id, d.lim.element))
	}
	if flags&fEOF != 0 {
		d.atEOF()
	}
	if flags&fNonASCII != 0 {
		switch d.s.decl {
		case "iso-8859-1", "latin1", "iso-latin-1", "windows-1252", "cp1252", "iso-8859-15", "us-ascii", "ascii":
			// Declared single-byte encoding: WHATWG decodes these labels as
			// Windows-1252.
			d.conv = appendCP1252(d.conv[:0], v, true)
			return d.conv
		}
		if !utf8.Valid(v) {
			if !d.seen("report.invalid-utf8", id) {
				d.warn("report.invalid-utf8", id, fmt.Sprintf("text of <%s> is not UTF-8; decoded as Windows-1252", id))
			}
			d.conv = appendCP1252(d.conv[:0], v, false)
			return d.conv
		}
	}
	return v
}

// str reads a leaf as a new string.
func (d *decoder) str(id elem) string { return string(d.leaf(id)) }

// interned reads a leaf through the intern table: record-level values
// (domains, selectors) repeat, so each distinct one is allocated once.
func (d *decoder) interned(id elem) string {
	return d.intern(d.leaf(id))
}

func (d *decoder) intern(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 128 {
		return string(b)
	}
	if s, ok := d.strs[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.strs) < 8192 {
		d.strs[s] = s
	}
	return s
}

func enumLeaf[T ~string](d *decoder, id elem, vocab []T) T {
	b := d.leaf(id)
	if len(b) == 0 {
		return ""
	}
	v, caseFixed, unknown := enumValue(b, vocab)
	if caseFixed && !d.seen("report.enum-case", id) {
		d.warn("report.enum-case", id, fmt.Sprintf("<%s> value %q read as %q", id, b, v))
	}
	if unknown {
		v = T(d.intern(b))
		if !d.seen("report.enum-unknown", id) {
			d.warn("report.enum-unknown", id, fmt.Sprintf("<%s> value %q is not in the schema; kept as written", id, b))
		}
	}
	return v
}

func (d *decoder) uintLeaf(id elem) (uint64, bool) {
	b := d.leaf(id)
	if len(b) == 0 {
		return 0, false
	}
	n, ok, exact := parseCount(b)
	if !exact {
		if ok && n == math.MaxUint64 && countOverflows(b) {
			if !d.seen("report.out-of-range", id) {
				d.warn("report.out-of-range", id, fmt.Sprintf("<%s> value %q is larger than %d; read as %d", id, clip(b, 40), uint64(math.MaxUint64), uint64(math.MaxUint64)))
			}
		} else if !d.seen("report.bad-number", id) {
			d.warn("report.bad-number", id, fmt.Sprintf("<%s> value %q is not a non-negative integer", id, b))
		}
	}
	return n, ok
}

// countOverflows reports whether the integer part of b is larger than
// math.MaxUint64.
func countOverflows(b []byte) bool {
	c := bytes.TrimPrefix(b, []byte("+"))
	if i := bytes.IndexByte(c, '.'); i > 0 {
		c = c[:i]
	}
	_, ok, over := parseUint(c)
	return ok && over
}

// parseCount parses a non-negative integer, tolerating a leading '+' and a
// zero fraction ("12.0"); exact is false when tolerance was needed or the
// value is unusable. A value above math.MaxUint64 saturates to it (never
// wraps), with exact false.
func parseCount(b []byte) (n uint64, ok, exact bool) {
	if n, ok, over := parseUint(b); ok {
		return n, true, !over
	}
	c := bytes.TrimPrefix(b, []byte("+"))
	if i := bytes.IndexByte(c, '.'); i > 0 && allDigits(c[i+1:]) {
		c = c[:i]
	}
	n, ok, _ = parseUint(c)
	return n, ok, false
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseUint parses decimal digits of any length; a value above
// math.MaxUint64 saturates to it and sets over.
func parseUint(b []byte) (n uint64, ok, over bool) {
	if len(b) == 0 {
		return 0, false, false
	}
	if len(b) <= 19 {
		// The common case: 19 digits cannot overflow.
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false, false
			}
			n = n*10 + uint64(c-'0')
		}
		return n, true, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false, false
		}
		v := uint64(c - '0')
		if n > (math.MaxUint64-v)/10 {
			n, over = math.MaxUint64, true
			continue
		}
		if !over {
			n = n*10 + v
		}
	}
	return n, true, over
}

// minUnix and maxUnix bound the dates a report may give: years 1 to 9999,
// which time.Time formats and JSON can carry.
const (
	minUnix = -62135596800 // 0001-01-01T00:00:00Z
	maxUnix = 253402300799 // 9999-12-31T23:59:59Z
)

func (d *decoder) timeLeaf(id elem) time.Time {
	b := d.leaf(id)
	if len(b) == 0 {
		d.warnOnce("report.empty-element", id, fmt.Sprintf("<%s> is empty", id))
		return time.Time{}
	}
	t, exact := parseTime(b)
	if !exact {
		if _, _, _, inRange := parseSeconds(b); !inRange {
			if !d.seen("report.out-of-range", id) {
				d.warn("report.out-of-range", id, fmt.Sprintf("<%s> value %q is outside the years 1 to 9999; ignored", id, clip(b, 40)))
			}
		} else if !d.seen("report.bad-number", id) {
			d.warn("report.bad-number", id, fmt.Sprintf("<%s> value %q is not an integer number of seconds", id, b))
		}
	}
	return t
}

// parseTime parses seconds since the epoch, tolerating a fraction (which is
// dropped); exact is false when tolerance was needed or the value is
// unusable or outside the years 1 to 9999 (then the zero time: never a
// wrapped date).
func parseTime(b []byte) (time.Time, bool) {
	s, ok, exact, _ := parseSeconds(b)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(s, 0).UTC(), exact
}

// parseSeconds parses the integer part of a <begin> or <end> value. ok is
// false for an unusable value; exact is false when a fraction was dropped
// or the value is unusable; inRange is false only for a number outside
// minUnix..maxUnix (which is then unusable).
func parseSeconds(b []byte) (s int64, ok, exact, inRange bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	n, ok, over := parseUint(b)
	exact = ok
	if !ok {
		if i := bytes.IndexByte(b, '.'); i > 0 && allDigits(b[i+1:]) {
			n, ok, over = parseUint(b[:i])
		}
		if !ok {
			return 0, false, false, true
		}
	}
	if over || !neg && n > maxUnix || neg && n > -minUnix {
		return 0, false, false, false
	}
	s = int64(n)
	if neg {
		s = -s
	}
	return s, true, exact, true
}

func (d *decoder) ipLeaf(id elem) netip.Addr {
	b := d.leaf(id)
	a, ok := parseIP(b)
	if !ok {
		if len(b) == 0 {
			d.warnOnce("report.empty-element", id, "<source_ip> is empty")
		} else if !d.seen("report.bad-ip", id) {
			d.warn("report.bad-ip", id, fmt.Sprintf("<source_ip> %q is not an IP address", b))
		}
	}
	return a
}

// parseIP parses an IPv4 or IPv6 address (brackets and zones dropped),
// without allocating for IPv4.
func parseIP(b []byte) (netip.Addr, bool) {
	if a, ok := parseIPv4(b); ok {
		return a, true
	}
	if len(b) == 0 {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(string(bytes.Trim(b, "[]")))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone(""), true
}

// parseIPv4 parses dotted-quad IPv4 without allocating.
func parseIPv4(b []byte) (netip.Addr, bool) {
	var ip [4]byte
	n := 0
	for i := 0; i < 4; i++ {
		if i > 0 {
			if n >= len(b) || b[n] != '.' {
				return netip.Addr{}, false
			}
			n++
		}
		v, digits := 0, 0
		for n < len(b) && b[n] >= '0' && b[n] <= '9' {
			v = v*10 + int(b[n]-'0')
			digits++
			n++
			if digits > 3 || v > 255 {
				return netip.Addr{}, false
			}
		}
		if digits == 0 || digits > 1 && b[n-digits] == '0' {
			return netip.Addr{}, false
		}
		ip[i] = byte(v)
	}
	if n != len(b) {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(ip), true
}

// header finds <feedback> and reads up to its first <record>.
func (d *decoder) header() error {
	sawTag := false
	for !d.inFeed {
		d.s.next(&d.t)
		switch d.t.kind {
		case tokEOF:
			d.atEOF()
			if d.err != nil {
				return d.err
			}
			if d.root != "" {
				return &DecodeError{Kind: ErrNotReport, Container: d.container,
					Msg: fmt.Sprintf("the root element is <%s>, not <feedback>", d.root)}
			}
			if sawTag || d.s.base+int64(d.s.end) > 0 {
				return &DecodeError{Kind: ErrNotReport, Container: d.container, Msg: "no <feedback> element in the document"}
			}
			return &DecodeError{Kind: ErrEmpty, Container: d.container, Msg: "the document is empty"}
		case tokStart:
			sawTag = true
			if string(d.t.local) == "feedback" {
				d.prefix = append([]byte(nil), d.t.prefix...)
				def, decls := nsDecls(d.t.attrs)
				if len(d.prefix) > 0 {
					def = ""
					for _, n := range decls {
						if n.Prefix == string(d.prefix) {
							def = n.URI
						}
					}
				}
				d.agg.XMLNS = def
				for _, n := range decls {
					if n.Prefix != string(d.prefix) {
						d.agg.Namespaces = append(d.agg.Namespaces, n)
					}
				}
				if d.root != "" {
					d.warnOnce("report.stray-tag", eFeedback, fmt.Sprintf("<feedback> is inside <%s>, which was ignored", d.root))
				}
				if d.t.selfClose {
					return &DecodeError{Kind: ErrNotReport, Container: d.container, Msg: "<feedback/> is empty"}
				}
				d.push(eFeedback)
				d.inFeed = true
			} else if d.root == "" {
				d.root = string(d.t.prefix)
				if d.root != "" {
					d.root += ":"
				}
				d.root += string(d.t.local)
			}
		}
	}
	for {
		id, ok := d.child()
		if !ok {
			d.done = true
			break
		}
		if d.feedbackChild(id) {
			break
		}
	}
	if d.err != nil {
		return d.err
	}
	if d.done {
		// No record at all: finish decides whether that is an error.
		if err := d.finishCheck(); err != nil {
			return err
		}
	}
	return nil
}

// feedbackChild handles one child of <feedback>; it reports true for a
// <record>, which is left pending.
func (d *decoder) feedbackChild(id elem) bool {
	a := d.agg
	switch id {
	case eRecord:
		d.pending = true
		return true
	case eVersion:
		a.Version = d.str(id)
	case eReportMetadata:
		d.metadata(&a.Metadata)
	case ePolicyPublished:
		d.policy(&a.Policy)
	case eExtension:
		raw := d.skip(id, true)
		a.Extension = extensionInner(raw)
	default:
		d.unknown(id)
	}
	return false
}

// extensionInner strips the <extension> tags from its captured raw XML.
func extensionInner(raw string) string {
	i := strings.IndexByte(raw, '>')
	j := strings.LastIndexByte(raw, '<')
	if i < 0 || j <= i {
		return ""
	}
	return strings.TrimSpace(raw[i+1 : j])
}

func (d *decoder) metadata(m *Metadata) {
	d.entries = 0
	for id, ok := d.child(); ok; id, ok = d.child() {
		switch id {
		case eOrgName:
			m.OrgName = d.str(id)
		case eEmail:
			m.Email = d.str(id)
		case eExtraContactInfo:
			m.ExtraContactInfo = d.str(id)
		case eReportID:
			m.ReportID = d.str(id)
		case eDateRange:
			for id, ok := d.child(); ok; id, ok = d.child() {
				switch id {
				case eBegin:
					m.DateRange.Begin = d.timeLeaf(id)
				case eEnd:
					m.DateRange.End = d.timeLeaf(id)
				default:
					d.unknown(id)
				}
			}
		case eError:
			if !d.entry(len(m.Errors), id) {
				d.skip(id, false)
				continue
			}
			m.Errors = append(m.Errors, d.str(id))
		case eGenerator:
			m.Generator = d.str(id)
		default:
			d.unknown(id)
		}
	}
}

func (d *decoder) policy(p *PolicyPublished) {
	for id, ok := d.child(); ok; id, ok = d.child() {
		switch id {
		case eDomain:
			p.Domain = d.str(id)
		case eADKIM:
			p.ADKIM = enumLeaf(d, id, alignments)
		case eASPF:
			p.ASPF = enumLeaf(d, id, alignments)
		case eP:
			p.P = enumLeaf(d, id, dispositions)
		case eSP:
			p.SP = enumLeaf(d, id, dispositions)
		case eNP:
			p.NP = enumLeaf(d, id, dispositions)
		case ePCT:
			p.PCT = nil // the last <pct> counts, even when unusable
			if n, ok := d.uintLeaf(id); ok {
				v := int(min(n, 1<<31))
				p.PCT = &v
			}
		case eFO:
			p.FO = d.str(id)
		case eTesting:
			p.Testing = enumLeaf(d, id, testings)
		case eDiscoveryMethod:
			p.DiscoveryMethod = enumLeaf(d, id, discoveryMethods)
		default:
			d.unknown(id)
		}
	}
}

// nextRecord reads the next record into rec, which must be zero.
func (d *decoder) nextRecord(rec *Record) (bool, error) {
	for {
		if d.err != nil {
			return false, d.err
		}
		if d.pending {
			d.pending = false
			if d.nrec >= d.lim.records {
				d.failLimit("MaxRecords", fmt.Sprintf("more than %d records", d.lim.records))
				return false, d.err
			}
			*rec = Record{}
			d.record(rec)
			if d.err != nil {
				return false, d.err
			}
			if d.eof {
				d.warnOnce("report.truncated", eRecord, "the document ends inside a record, which was dropped")
				d.done = true
				return false, nil
			}
			d.nrec++
			return true, nil
		}
		if d.done {
			return false, nil
		}
		id, ok := d.child()
		if !ok {
			d.done = true
			continue
		}
		d.feedbackChild(id)
	}
}

// entry counts one more list entry of the current record (or of the
// metadata's errors) against MaxRecordEntries, and reports whether a list
// already holding kept entries may keep one more (MaxResults); when it may
// not, the caller skips the entry and it is counted in a warning.
func (d *decoder) entry(kept int, id elem) bool {
	d.entries++
	if d.entries > d.lim.recEntries {
		d.failLimit("MaxRecordEntries", fmt.Sprintf("more than %d list entries (DKIM and SPF results, reasons, extensions, errors) in one record or metadata", d.lim.recEntries))
		return false
	}
	if kept < d.lim.results {
		return true
	}
	if d.seen("report.results-dropped", id) {
		return false
	}
	name := id.String()
	if id == eUnknown {
		name = "extension"
	}
	d.warn("report.results-dropped", id, fmt.Sprintf("more than %d <%s> entries in one list; the rest were ignored (Decoder.MaxResults)", d.lim.results, name))
	return false
}

func (d *decoder) record(r *Record) {
	d.dkimTmp = d.dkimTmp[:0]
	d.spfTmp = d.spfTmp[:0]
	d.entries = 0
	for id, ok := d.child(); ok; id, ok = d.child() {
		switch id {
		case eRow:
			d.row(&r.Row)
		case eIdentifiers:
			for id, ok := d.child(); ok; id, ok = d.child() {
				switch id {
				case eHeaderFrom:
					r.Identifiers.HeaderFrom = d.interned(id)
				case eEnvelopeFrom:
					r.Identifiers.EnvelopeFrom = d.interned(id)
				case eEnvelopeTo:
					r.Identifiers.EnvelopeTo = d.interned(id)
				default:
					d.unknown(id)
				}
			}
		case eAuthResults:
			d.authResults()
		case eUnknown:
			if !d.entry(len(r.Extensions), id) {
				d.skip(id, false)
			} else if raw := d.skip(id, true); raw != "" {
				r.Extensions = append(r.Extensions, raw)
			}
		default:
			d.unknown(id)
		}
	}
	r.AuthResults.DKIM = take(&d.dkimSlab, d.dkimTmp)
	r.AuthResults.SPF = take(&d.spfSlab, d.spfTmp)
}

// take moves a record's DKIM or SPF results into a shared slab, so that a
// record costs no allocation of its own; slabs are never reused, so callers
// may keep records.
func take[T any](slab *[]T, tmp []T) []T {
	n := len(tmp)
	if n == 0 {
		return nil
	}
	if cap(*slab)-len(*slab) < n {
		*slab = make([]T, 0, max(256, n))
	}
	i := len(*slab)
	*slab = append(*slab, tmp...)
	return (*slab)[i : i+n : i+n]
}

func (d *decoder) row(w *Row) {
	for id, ok := d.child(); ok; id, ok = d.child() {
		switch id {
		case eSourceIP:
			w.SourceIP = d.ipLeaf(id)
		case eCount:
			w.Count, _ = d.uintLeaf(id)
		case ePolicyEvaluated:
			pe := &w.PolicyEvaluated
			for id, ok := d.child(); ok; id, ok = d.child() {
				switch id {
				case eDisposition:
					pe.Disposition = enumLeaf(d, id, dispositions)
				case eDKIM:
					pe.DKIM = enumLeaf(d, id, dmarcResults)
				case eSPF:
					pe.SPF = enumLeaf(d, id, dmarcResults)
				case eReason:
					if !d.entry(len(pe.Reasons), id) {
						d.skip(id, false)
						continue
					}
					var rs PolicyOverrideReason
					for id, ok := d.child(); ok; id, ok = d.child() {
						switch id {
						case eType:
							rs.Type = enumLeaf(d, id, overrideTypes)
						case eComment:
							rs.Comment = d.interned(id)
						default:
							d.unknown(id)
						}
					}
					pe.Reasons = append(pe.Reasons, rs)
				default:
					d.unknown(id)
				}
			}
		default:
			d.unknown(id)
		}
	}
}

func (d *decoder) authResults() {
	for id, ok := d.child(); ok; id, ok = d.child() {
		switch id {
		case eDKIM:
			if !d.entry(len(d.dkimTmp), id) {
				d.skip(id, false)
				continue
			}
			var r DKIMAuthResult
			for id, ok := d.child(); ok; id, ok = d.child() {
				switch id {
				case eDomain:
					r.Domain = d.interned(id)
				case eSelector:
					r.Selector = d.interned(id)
				case eResult:
					r.Result = enumLeaf(d, id, dkimResults)
				case eHumanResult:
					r.HumanResult = d.interned(id)
				default:
					d.unknown(id)
				}
			}
			d.dkimTmp = append(d.dkimTmp, r)
		case eSPF:
			if !d.entry(len(d.spfTmp), id) {
				d.skip(id, false)
				continue
			}
			var r SPFAuthResult
			for id, ok := d.child(); ok; id, ok = d.child() {
				switch id {
				case eDomain:
					r.Domain = d.interned(id)
				case eScope:
					r.Scope = enumLeaf(d, id, spfScopes)
				case eResult:
					r.Result = enumLeaf(d, id, spfResults)
				case eHumanResult:
					r.HumanResult = d.interned(id)
				default:
					d.unknown(id)
				}
			}
			d.spfTmp = append(d.spfTmp, r)
		default:
			d.unknown(id)
		}
	}
}

// finishCheck decides, once the document has ended, whether what was read
// is a report.
func (d *decoder) finishCheck() error {
	if d.err != nil {
		return d.err
	}
	if d.eof {
		if d.agg.Policy.Domain == "" && d.nrec == 0 {
			return &DecodeError{Kind: ErrTruncated, Container: d.container, Line: d.s.line(d.s.end),
				Msg: "the document ends before the policy domain or any record"}
		}
		d.warnOnce("report.truncated", eFeedback, "the document ends before </feedback>; what was read is kept")
	}
	return nil
}

func (d *decoder) finish() error {
	if err := d.finishCheck(); err != nil {
		return err
	}
	a := d.agg
	at := func(code string, e elem, path, msg string) {
		if !d.seen(code, e) {
			d.warns = append(d.warns, Warning{Code: code, Message: msg, Path: path, Count: 1})
		}
	}
	d.stack = d.stack[:0]
	if !d.eof {
		if err := d.rest(); err != nil {
			return err
		}
	}
	if d.late != nil {
		left := d.lim.doc
		if lr, ok := d.s.r.(*container.LimitedReader); ok {
			left = lr.Left()
		}
		ws, err := d.late(left)
		d.late = nil
		if err != nil {
			return err
		}
		for _, w := range ws {
			if !d.seen(w.Code, eUnknown) {
				d.warns = append(d.warns, w)
			}
		}
	}
	if a.Metadata.ReportID == "" {
		at("report.missing-element", eReportID, "feedback/report_metadata/report_id", "no <report_id>")
	}
	if a.Policy.Domain == "" {
		at("report.missing-element", eDomain, "feedback/policy_published/domain", "no <policy_published><domain>")
	}
	if d.nrec == 0 {
		at("report.no-records", eRecord, "feedback/record", "the report has no <record>")
	}
	dr := a.Metadata.DateRange
	if !dr.Begin.IsZero() && !dr.End.IsZero() {
		switch span := dr.End.Sub(dr.Begin); {
		case span < 0:
			at("report.date-range-inverted", eDateRange, "feedback/report_metadata/date_range", "<end> is before <begin>")
		case span > 25*time.Hour:
			at("report.multi-day-window", eDateRange, "feedback/report_metadata/date_range",
				fmt.Sprintf("the reporting period spans %.1f hours (RFC 7489 §7.2 expects about a day)", span.Hours()))
		}
	}
	a.Warnings = d.warnings()
	return nil
}

// rest reads what follows </feedback> to the end of the document, so that
// the checksums of the layers around it are verified and content there (a
// second report appended to the first) is reported, not silently dropped:
// a warning report.trailing-content. White space, NUL padding, comments and
// processing instructions (which XML allows after the root) are fine.
func (d *decoder) rest() error {
	var head []byte // the first bytes from the first non-blank one
	var n int64     // non-blank bytes
	scan := func(b []byte) {
		if len(head) > 0 && len(head) < 512 {
			head = append(head, clip(b, 512-len(head))...)
		}
		for i, c := range b {
			if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 {
				continue
			}
			if len(head) == 0 {
				head = append(head, clip(b[i:], 512)...)
			}
			n++
		}
	}
	scan(d.s.buf[d.s.pos:d.s.end])
	buf := d.s.buf[:cap(d.s.buf)]
	for idle := 0; !d.s.eof && idle < 100; {
		k, err := d.s.r.Read(buf)
		if k == 0 {
			idle++
		}
		scan(buf[:k])
		if err == io.EOF {
			break
		}
		if err != nil {
			d.s.rerr = err
			break
		}
	}
	d.s.pos, d.s.end, d.s.eof = 0, 0, true
	if err := d.s.rerr; err != nil {
		var le *container.LimitError
		switch {
		case errors.As(err, &le):
			d.failLimit(le.Field, le.Error())
			return d.err
		case errors.Is(err, io.ErrUnexpectedEOF):
			d.warnOnce("report.container-truncated", eUnknown, "the compressed data ends early: "+err.Error())
		default:
			return &DecodeError{Kind: ErrContainer, Container: d.container, Msg: "the data around the document is corrupt", Err: err}
		}
	}
	if n == 0 || len(head) < 512 && onlyMisc(head) {
		return nil
	}
	what := fmt.Sprintf("%q", clip(head, 16))
	if bytes.Contains(head, []byte("feedback")) {
		what = "another <feedback> report"
	}
	d.warnOnce("report.trailing-content", eUnknown, fmt.Sprintf("%d bytes after </feedback> ignored (%s)", n, what))
	return nil
}

// onlyMisc reports whether b holds only white space, NULs, comments and
// processing instructions.
func onlyMisc(b []byte) bool {
	for {
		b = bytes.TrimLeft(b, " \t\r\n\x00")
		var end []byte
		switch {
		case len(b) == 0:
			return true
		case bytes.HasPrefix(b, []byte("<!--")):
			end = []byte("-->")
		case bytes.HasPrefix(b, []byte("<?")):
			end = []byte("?>")
		default:
			return false
		}
		i := bytes.Index(b, end)
		if i < 0 {
			return false
		}
		b = b[i+len(end):]
	}
}

// appendCP1252 decodes Windows-1252 bytes (WHATWG mapping) as UTF-8. Unless
// all is set it leaves valid UTF-8 sequences alone: undeclared documents mix
// the two.
func appendCP1252(dst, src []byte, all bool) []byte {
	for i := 0; i < len(src); {
		c := src[i]
		if c < 0x80 {
			dst = append(dst, c)
			i++
			continue
		}
		if r, n := utf8.DecodeRune(src[i:]); !all && (r != utf8.RuneError || n > 1) {
			dst = append(dst, src[i:i+n]...)
			i += n
			continue
		}
		r := rune(c)
		if c < 0xA0 {
			if m := cp1252[c-0x80]; m != 0 {
				r = m
			}
		}
		dst = appendRune(dst, r)
		i++
	}
	return dst
}

var cp1252 = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}
