package report

import (
	"bytes"
	"io"

	"github.com/domainauth/domainauth/internal/container"
)

// scanner is a tolerant XML tokenizer for the small, flat vocabulary of
// aggregate reports. It reads through a sliding buffer, so memory is bounded
// by the largest single construct (tag, leaf text, captured extension), not
// by the document. It knows only what reports use: start and end tags,
// character data with the five predefined entities and character
// references, CDATA sections, comments, processing instructions and a
// DOCTYPE (skipped; no entity is ever expanded, so entity bombs cannot
// exist). Everything it repairs is flagged for the decoder to report.
//
// Offsets into buf are only valid until the next fill; the code therefore
// works relative to pos and re-scans a construct after a fill.
type scanner struct {
	r     io.Reader
	buf   []byte
	pos   int   // next unread byte
	end   int   // end of valid data
	mark  int   // >= 0: bytes from mark on survive fill (extension capture)
	base  int64 // input offset of buf[0]
	lines int   // newlines before buf[0]
	max   int   // the buffer never grows beyond this
	eof   bool
	rerr  error // read error other than io.EOF
	full  bool  // a construct did not fit in max bytes

	// stray is set when non-whitespace text or a lone '<' appeared between
	// tags; strayText holds its start.
	stray     bool
	strayText []byte

	// decl is the encoding named by the XML declaration, lower-cased.
	decl string

	tmp []byte // scratch for leaf text that needs decoding
}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
)

// token is one tag. Its byte slices point into the scanner's buffer.
type token struct {
	kind      tokKind
	start     int // index of '<'
	prefix    []byte
	local     []byte
	attrs     []byte // raw attribute text of a start tag
	selfClose bool
}

const minBuf = 64 << 10

func newScanner(r io.Reader, max int) *scanner {
	size := minBuf
	if max < size {
		size = max
	}
	return &scanner{r: r, buf: make([]byte, size), mark: -1, max: max}
}

// fill discards consumed bytes and reads more. It reports whether new bytes
// arrived.
func (s *scanner) fill() bool {
	if s.eof {
		return false
	}
	keep := s.pos
	if s.mark >= 0 && s.mark < keep {
		keep = s.mark
	}
	if keep > 0 {
		s.lines += bytes.Count(s.buf[:keep], newline)
		n := copy(s.buf, s.buf[keep:s.end])
		s.base += int64(keep)
		s.pos -= keep
		s.end = n
		if s.mark >= 0 {
			s.mark -= keep
		}
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.max {
			s.full = true
			return false
		}
		nb := make([]byte, min(2*len(s.buf), s.max))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.eof = true
	s.rerr = io.ErrNoProgress
	return false
}

var newline = []byte{'\n'}

// line returns the 1-based line of buffer index i.
func (s *scanner) line(i int) int {
	if i > s.end {
		i = s.end
	}
	if i < 0 {
		i = 0
	}
	return s.lines + bytes.Count(s.buf[:i], newline) + 1
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func allSpace(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// trimSpace removes XML white space (not Unicode spaces) at both ends.
func trimSpace(b []byte) []byte { return container.TrimSpace(b) }

func isNameStart(c byte) bool { return nameClass[c]&1 != 0 }

func isNameByte(c byte) bool { return nameClass[c] != 0 }

// nameClass classifies bytes for XML names: bit 0 may start a name, bit 1
// may continue one (a read-only table: name scanning is the hot loop).
var nameClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_', c == ':', c >= 0x80:
			t[c] = 3
		case '0' <= c && c <= '9', c == '-', c == '.':
			t[c] = 2
		}
	}
	return t
}()

func splitName(name []byte) (prefix, local []byte) {
	for i, c := range name { // names are short: no IndexByte set-up
		if c == ':' {
			return name[:i], name[i+1:]
		}
	}
	return nil, name
}

// next reads the next start or end tag, skipping character data (flagging
// any that is not white space), comments, processing instructions and
// declarations.
func (s *scanner) next(t *token) {
	for {
		// Between tags there is mostly a little white space: skip it
		// inline before falling back to IndexByte.
		p := s.pos
		for p < s.end && isSpace(s.buf[p]) {
			p++
		}
		if p < s.end && s.buf[p] == '<' {
			s.pos = p
			switch s.markup(t) {
			case mTag:
				return
			case mSkip:
				continue
			}
		}
		i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
		if i < 0 {
			s.noteText(s.pos, s.end)
			s.pos = s.end
			if !s.fill() {
				t.kind = tokEOF
				return
			}
			continue
		}
		if i > 0 {
			s.noteText(s.pos, s.pos+i)
			s.pos += i
		}
		switch s.markup(t) {
		case mTag:
			return
		case mSkip:
			continue
		case mMore:
			if !s.fill() {
				// A construct cut off by the end of input (or too long).
				s.pos = s.end
				t.kind = tokEOF
				return
			}
		}
	}
}

func (s *scanner) noteText(from, to int) {
	if !s.stray && !allSpace(s.buf[from:to]) {
		s.setStray(trimSpace(s.buf[from:to]))
	}
}

func (s *scanner) setStray(b []byte) {
	s.stray = true
	s.strayText = append(s.strayText[:0], b[:min(len(b), 32)]...)
}

type mres uint8

const (
	mTag  mres = iota // a tag was read into t
	mSkip             // something was skipped; continue
	mMore             // need more input
)

// markup handles the construct at s.pos, which is '<'.
func (s *scanner) markup(t *token) mres {
	b := s.buf[s.pos:s.end]
	if len(b) < 2 {
		return mMore
	}
	switch c := b[1]; {
	case c == '/':
		j := 2
		for j < len(b) && b[j] != '>' {
			j++
		}
		if j >= len(b) {
			return mMore
		}
		t.kind = tokEnd
		t.start = s.pos
		t.prefix, t.local = splitName(trimSpace(b[2:j]))
		t.attrs = nil
		t.selfClose = false
		s.pos += j + 1
		return mTag
	case c == '!':
		return s.bang(b)
	case c == '?':
		j := bytes.Index(b, []byte("?>"))
		if j < 0 {
			return mMore
		}
		if s.base+int64(s.pos) < 8 && bytes.HasPrefix(b, []byte("<?xml")) {
			s.decl = declEncoding(b[5:j])
		}
		s.pos += j + 2
		return mSkip
	case isNameStart(c):
		n := 1
		for n < len(b) && isNameByte(b[n]) {
			n++
		}
		// Find the closing '>' outside quoted attribute values.
		var q byte
		j := n
		for ; j < len(b); j++ {
			c := b[j]
			if q != 0 {
				if c == q {
					q = 0
				}
				continue
			}
			if c == '"' || c == '\'' {
				q = c
			} else if c == '>' {
				break
			}
		}
		if j >= len(b) {
			return mMore
		}
		t.kind = tokStart
		t.start = s.pos
		t.prefix, t.local = splitName(b[1:n])
		attrs := b[n:j]
		t.selfClose = len(attrs) > 0 && attrs[len(attrs)-1] == '/'
		if t.selfClose {
			attrs = attrs[:len(attrs)-1]
		}
		t.attrs = attrs
		s.pos += j + 1
		return mTag
	default:
		// A '<' that starts no markup: stray text.
		if !s.stray {
			s.setStray(b[:min(len(b), 2)])
		}
		s.pos++
		return mSkip
	}
}

// bang skips comments, CDATA sections outside leaves (their text is stray)
// and declarations such as DOCTYPE, including an internal subset.
func (s *scanner) bang(b []byte) mres {
	switch {
	case bytes.HasPrefix(b, []byte("<!--")):
		j := bytes.Index(b[4:], []byte("-->"))
		if j < 0 {
			return mMore
		}
		s.pos += 4 + j + 3
	case bytes.HasPrefix(b, []byte("<![CDATA[")):
		j := bytes.Index(b[9:], []byte("]]>"))
		if j < 0 {
			return mMore
		}
		s.noteText(s.pos+9, s.pos+9+j)
		s.pos += 9 + j + 3
	case len(b) < 9 && !s.eof:
		return mMore
	default:
		depth := 0
		var q byte
		for j := 2; j < len(b); j++ {
			c := b[j]
			switch {
			case q != 0:
				if c == q {
					q = 0
				}
			case c == '"' || c == '\'':
				q = c
			case c == '[':
				depth++
			case c == ']':
				depth--
			case c == '>' && depth <= 0:
				s.pos += j + 1
				return mSkip
			}
		}
		return mMore
	}
	return mSkip
}

// declEncoding extracts encoding="..." from the XML declaration.
func declEncoding(b []byte) string {
	i := bytes.Index(b, []byte("encoding"))
	if i < 0 {
		return ""
	}
	b = b[i+len("encoding"):]
	b = trimSpace(b)
	if len(b) == 0 || b[0] != '=' {
		return ""
	}
	b = trimSpace(b[1:])
	if len(b) == 0 || (b[0] != '"' && b[0] != '\'') {
		return ""
	}
	q := b[0]
	j := bytes.IndexByte(b[1:], q)
	if j < 0 {
		return ""
	}
	return string(bytes.ToLower(b[1 : 1+j]))
}

// Leaf text flags.
const (
	fUnescapedLT = 1 << iota // a '<' that starts no markup, kept as text
	fBareAmp                 // an '&' that starts no known reference, kept
	fUnclosed                // ended by another element's end tag
	fEOF                     // ended by the end of input
	fNonASCII                // contains bytes >= 0x80
	fTooLong                 // longer than the buffer limit
)

// text reads the character data of a leaf element whose start tag was just
// read, up to and including its end tag. The result aliases the buffer or
// the scratch space and is valid until the next scanner call.
func (s *scanner) text(prefix, local []byte) ([]byte, int) {
	// Fast path: plain text followed directly by the matching end tag.
	for {
		b := s.buf[s.pos:s.end]
		i := bytes.IndexByte(b, '<')
		if i >= 0 {
			if n := closeTag(b[i:], prefix, local); n > 0 {
				v := b[:i]
				flags := 0
				plain := true
				for _, c := range v {
					if c == '&' || c == '\r' {
						plain = false
						break
					}
					if c >= 0x80 {
						flags = fNonASCII
					}
				}
				if plain {
					s.pos += i + n
					return v, flags
				}
			} else if n == 0 && !s.eof {
				// The end tag may be cut off by the buffer end.
				if s.fill() {
					continue
				}
			}
		} else if !s.eof && len(b) < s.max {
			if s.fill() {
				continue
			}
		}
		break
	}
	return s.slowText(prefix, local)
}

// closeTag reports the length of the end tag </prefix:local> at the start
// of b, 0 when b is too short to tell, -1 when it is something else.
func closeTag(b, prefix, local []byte) int {
	n := 2 + len(local)
	if len(prefix) > 0 {
		n += len(prefix) + 1
	}
	if len(b) < n+1 {
		if len(b) >= 2 && (b[0] != '<' || b[1] != '/') {
			return -1
		}
		return 0
	}
	if b[1] != '/' {
		return -1
	}
	p := 2
	if len(prefix) > 0 {
		if !bytes.Equal(b[p:p+len(prefix)], prefix) || b[p+len(prefix)] != ':' {
			return -1
		}
		p += len(prefix) + 1
	}
	if !bytes.Equal(b[p:p+len(local)], local) {
		return -1
	}
	p += len(local)
	for p < len(b) && isSpace(b[p]) {
		p++
	}
	if p >= len(b) {
		return 0
	}
	if b[p] != '>' {
		return -1
	}
	return p + 1
}

// slowText is the general leaf reader: references, CDATA, comments, CR LF
// normalisation and every repair.
func (s *scanner) slowText(prefix, local []byte) ([]byte, int) {
	s.tmp = s.tmp[:0]
	flags := 0
	for {
		if s.pos >= s.end {
			if !s.fill() {
				if s.full {
					flags |= fTooLong
				}
				return s.tmp, flags | fEOF
			}
		}
		if len(s.tmp) > s.max {
			s.full = true
			return s.tmp, flags | fTooLong | fEOF
		}
		b := s.buf[s.pos:s.end]
		c := b[0]
		switch c {
		case '<':
			if len(b) >= 2 && b[1] == '/' {
				n := closeTag(b, prefix, local)
				if n == 0 && !s.eof {
					if s.fill() {
						continue
					}
				}
				if n > 0 {
					s.pos += n
					return s.tmp, flags
				}
				if bytes.IndexByte(b, '>') < 0 && !s.eof {
					if s.fill() {
						continue
					}
				}
				// Another element's end tag: this one was never closed.
				return s.tmp, flags | fUnclosed
			}
			if len(b) < 9 && !s.eof {
				if s.fill() {
					continue
				}
			}
			switch {
			case bytes.HasPrefix(b, []byte("<!--")):
				j := bytes.Index(b[4:], []byte("-->"))
				if j < 0 {
					if s.fill() {
						continue
					}
					return s.tmp, flags | fEOF
				}
				s.pos += 4 + j + 3
			case bytes.HasPrefix(b, []byte("<![CDATA[")):
				j := bytes.Index(b[9:], []byte("]]>"))
				if j < 0 {
					if s.fill() {
						continue
					}
					s.tmp = append(s.tmp, b[9:]...)
					s.pos = s.end
					return s.tmp, flags | fEOF
				}
				s.tmp = append(s.tmp, b[9:9+j]...)
				s.pos += 9 + j + 3
			case len(b) > 2 && b[1] == '?' && isNameStart(b[2]):
				// A processing instruction inside text is not text.
				j := bytes.Index(b[2:], []byte("?>"))
				if j < 0 {
					if s.fill() {
						continue
					}
					return s.tmp, flags | fEOF
				}
				s.pos += 2 + j + 2
			default:
				known, complete := startsKnownTag(b)
				if !complete && !s.eof && s.fill() {
					continue
				}
				if known {
					// Markup of the schema: this leaf was never closed.
					return s.tmp, flags | fUnclosed
				}
				s.tmp = append(s.tmp, '<')
				flags |= fUnescapedLT
				s.pos++
			}
		case '&':
			if len(b) < 12 && !s.eof && bytes.IndexByte(b, ';') < 0 { // b is short here
				if s.fill() {
					continue
				}
			}
			var n int
			s.tmp, n = appendReference(s.tmp, b)
			if n == 0 {
				s.tmp = append(s.tmp, '&')
				flags |= fBareAmp
				n = 1
			}
			s.pos += n
		case '\r':
			if len(b) < 2 && !s.eof {
				if s.fill() {
					continue
				}
			}
			// XML 1.0 §2.11: CR LF and lone CR become LF.
			s.tmp = append(s.tmp, '\n')
			s.pos++
			if len(b) >= 2 && b[1] == '\n' {
				s.pos++
			}
		default:
			// Copy a run of ordinary bytes.
			j := 0
			for j < len(b) && b[j] != '<' && b[j] != '&' && b[j] != '\r' {
				if b[j] >= 0x80 {
					flags |= fNonASCII
				}
				j++
			}
			s.tmp = append(s.tmp, b[:j]...)
			s.pos += j
		}
	}
}

// appendReference decodes the entity or character reference at the start
// of b (which begins with '&'), returning the bytes consumed, 0 if none.
func appendReference(dst, b []byte) ([]byte, int) {
	// Look no further than the longest reference ("&#x10FFFF;"), so that
	// a run of bare ampersands stays linear.
	end := bytes.IndexByte(b[:min(len(b), 12)], ';')
	if end < 2 {
		return dst, 0
	}
	name := b[1:end]
	switch string(name) {
	case "lt":
		return append(dst, '<'), end + 1
	case "gt":
		return append(dst, '>'), end + 1
	case "amp":
		return append(dst, '&'), end + 1
	case "quot":
		return append(dst, '"'), end + 1
	case "apos":
		return append(dst, '\''), end + 1
	}
	if name[0] != '#' || len(name) < 2 {
		return dst, 0
	}
	var r rune
	digits := name[1:]
	base := rune(10)
	if digits[0] == 'x' {
		base = 16
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return dst, 0
	}
	for _, c := range digits {
		var d rune
		switch {
		case '0' <= c && c <= '9':
			d = rune(c - '0')
		case base == 16 && 'a' <= c && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && 'A' <= c && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return dst, 0
		}
		r = r*base + d
		if r > 0x10FFFF {
			return dst, 0
		}
	}
	if !isXMLChar(r) {
		return dst, 0
	}
	return appendRune(dst, r), end + 1
}

// isXMLChar reports whether r is allowed in an XML 1.0 document (§2.2).
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func appendRune(dst []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(dst, byte(r))
	case r < 0x800:
		return append(dst, 0xC0|byte(r>>6), 0x80|byte(r)&0x3F)
	case r < 0x10000:
		return append(dst, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	default:
		return append(dst, 0xF0|byte(r>>18), 0x80|byte(r>>12)&0x3F, 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	}
}

// nsDecls lists the namespace declarations in raw attribute text.
func nsDecls(attrs []byte) (def string, decls []NamespaceDecl) {
	for len(attrs) > 0 {
		attrs = trimSpace(attrs)
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			break
		}
		key := string(trimSpace(attrs[:eq]))
		rest := trimSpace(attrs[eq+1:])
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			break
		}
		q := rest[0]
		j := bytes.IndexByte(rest[1:], q)
		if j < 0 {
			break
		}
		val := string(rest[1 : 1+j])
		switch {
		case key == "xmlns":
			def = val
		case len(key) > 6 && key[:6] == "xmlns:":
			decls = append(decls, NamespaceDecl{Prefix: key[6:], URI: val})
		}
		attrs = rest[1+j+1:]
	}
	return def, decls
}

// startsKnownTag reports whether b starts with a start tag of an element
// of the report schemas ("<result>", "<dkim ", "<x:domain/>"), as opposed to
// a '<' that belongs to the text ("<user@example.com>").
// complete is false when b ends before the name does.
func startsKnownTag(b []byte) (known, complete bool) {
	n := 1
	for n < len(b) && isNameByte(b[n]) {
		n++
	}
	if n >= len(b) {
		return false, false
	}
	if c := b[n]; n == 1 || c != '>' && c != '/' && !isSpace(c) {
		return false, true
	}
	_, local := splitName(b[1:n])
	return lookupElem(local) != eUnknown, true
}
