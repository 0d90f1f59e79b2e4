// Package tagvalue scans the tag=value lists of RFC 6376 §3.2, the grammar
// that DKIM key records, DKIM-Signature fields and DMARC records share:
//
//	tag-list  = tag-spec *( ";" tag-spec ) [ ";" ]
//	tag-spec  = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
//	tag-name  = ALPHA *ALNUMPUNC          ; ALNUMPUNC = ALPHA / DIGIT / "_"
//	tag-value = [ tval *( 1*(WSP / FWS) tval ) ]
//	tval      = 1*VALCHAR                 ; %x21-3A / %x3C-7E
//
// The Scanner does not allocate: tags and values are substrings of the input.
// Duplicate detection is left to the caller, since DKIM (the whole list is
// invalid) and DMARC (receivers differ) treat duplicates differently.
package tagvalue

import (
	"fmt"
	"math/bits"
	"unicode/utf8"
)

// Error describes a malformed tag-list.
type Error struct {
	Offset int // byte offset of the problem in the input
	Msg    string
}

// Error returns the message with the byte offset it concerns.
func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// Scanner walks a tag-list one tag-spec at a time:
//
//	s := tagvalue.Scanner{Input: txt}
//	for s.Next() {
//		use(s.Tag(), s.Value())
//	}
//	if err := s.Err(); err != nil { ... }
type Scanner struct {
	// Input is the tag-list.
	Input string
	// AllowEmpty accepts empty tag-specs (";;" and a lone ";"), which the
	// grammar forbids but which DMARC records in the wild contain.
	AllowEmpty bool
	// UTF8 accepts non-ASCII UTF-8 characters in values, as a header field
	// of internationalised mail may hold them (RFC 6532 §3.2, RFC 8616 §5);
	// bytes that are not valid UTF-8 are still refused. Records in the DNS
	// stay ASCII (RFC 8616 §3), so only DKIM-Signature parsing sets it.
	UTF8 bool

	// The current tag and value are kept as offsets into Input rather
	// than as strings: Next then stores no pointers, so it runs without
	// GC write barriers (which cost more than the scan while a GC cycle
	// is marking).
	pos      int
	tagOff   int
	tagEnd   int
	valueOff int
	valueEnd int
	index    int
	err      *Error
}

// Next advances to the next tag-spec and reports whether there is one.
// It returns false at the end of the input or on an error; Err tells which.
func (s *Scanner) Next() bool {
	if s.err != nil {
		return false
	}
	in := s.Input
	for {
		i := s.pos
		if i < len(in) && in[i] == ' ' { // "; p=": a WSP, and often the only one
			i++
		}
		i = skipFWS(in, i)
		if i >= len(in) {
			s.pos = i
			return false
		}
		if in[i] == ';' {
			if !s.AllowEmpty {
				return s.fail(i, "empty tag-spec")
			}
			s.pos = i + 1
			continue
		}
		return s.scanSpec(i)
	}
}

func (s *Scanner) scanSpec(i int) bool {
	in := s.Input
	start := i
	if !isAlpha(in[i]) {
		return s.fail(i, fmt.Sprintf("tag name must start with a letter, found %q", in[i]))
	}
	i++
	for i < len(in) && charClass[in[i]]&className != 0 {
		i++
	}
	tag := in[start:i]
	s.tagOff, s.tagEnd = start, i
	i = skipFWS(in, i)
	if i >= len(in) || in[i] != '=' {
		return s.fail(i, fmt.Sprintf("missing '=' after tag %q", tag))
	}
	i = skipFWS(in, i+1)
	vstart, vend := i, i
	for i < len(in) {
		c := in[i]
		if charClass[c]&classVal != 0 {
			// A run of VALCHARs: the common case, kept tight; eight
			// bytes at a time, and the word that holds the end of the
			// run (a fold, a ';') says where it is without a loop over
			// its bytes.
			i = PrintableRun(in, i+1, ';') // VALCHAR: printable, not ';'
			vend = i
			continue
		}
		if c == ';' {
			break
		}
		if c >= utf8.RuneSelf && s.UTF8 {
			r, size := utf8.DecodeRuneInString(in[i:])
			if r == utf8.RuneError && size <= 1 {
				return s.fail(i, fmt.Sprintf("invalid UTF-8 byte %#x in value of tag %q", c, tag))
			}
			i += size
			vend = i
			continue
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			j := skipFWS(in, i)
			if j == i { // a CR or LF that is not part of a valid fold
				return s.fail(i, fmt.Sprintf("bare line break in value of tag %q", tag))
			}
			i = j
			continue
		}
		return s.fail(i, fmt.Sprintf("invalid character %q in value of tag %q", c, tag))
	}
	s.valueOff, s.valueEnd = vstart, vend
	if i < len(in) {
		i++ // the ';'
	}
	s.pos = i
	s.index++
	return true
}

func (s *Scanner) fail(off int, msg string) bool {
	s.err = &Error{Offset: off, Msg: msg}
	return false
}

// Tag returns the current tag name (case is kept; tag names are
// case-sensitive in DKIM).
func (s *Scanner) Tag() string { return s.Input[s.tagOff:s.tagEnd] }

// Value returns the current value with surrounding whitespace removed;
// whitespace inside it (folded base64, for example) is kept.
func (s *Scanner) Value() string { return s.Input[s.valueOff:s.valueEnd] }

// TagOffset returns the byte offset of the current tag name in Input.
func (s *Scanner) TagOffset() int { return s.tagOff }

// ValueOffset returns the byte offset of the current value in Input.
func (s *Scanner) ValueOffset() int { return s.valueOff }

// Index returns the 0-based position of the current tag-spec in the list.
func (s *Scanner) Index() int { return s.index - 1 }

// Err returns the error that stopped the scan, or nil at a clean end.
func (s *Scanner) Err() error {
	if s.err == nil {
		return nil
	}
	return s.err
}

// skipFWS skips WSP and folding (CRLF or LF followed by WSP) from i.
// A line break not followed by WSP is not skipped. The check for a
// non-space byte is inlined; the loop is in skipFWSSlow.
func skipFWS(in string, i int) int {
	if i >= len(in) || in[i] > ' ' {
		return i
	}
	return skipFWSSlow(in, i)
}

// load8 returns the eight bytes of in from i, little-endian (the compiler
// turns it into one load).
func load8(in string, i int) uint64 {
	b := in[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// PrintableRun returns the index of the first byte of s at or after i
// that is not printable ASCII (%x21-7E) or is stop, len(s) if there is
// none: the end of a run of VALCHARs (stop ';', RFC 6376 §3.2) or of a
// header field name (stop ':', RFC 5322 §3.6.8 ftext). It tests eight
// bytes at a time, and the word that holds the end of the run says where
// it is without a loop over its bytes.
func PrintableRun(s string, i int, stop byte) int {
	for ; i+8 <= len(s); i += 8 {
		if m := notPrintableOr(load8(s, i), stop); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s) && s[i] > ' ' && s[i] < 0x7f && s[i] != stop; i++ {
	}
	return i
}

// notPrintableOr returns 0 when all eight bytes of x are printable ASCII
// (%x21-7E) other than stop, else a mask whose lowest set bit is the high
// bit of the first byte that is not (bytes above it may be marked
// whatever they hold). Each test below is exact up to the lowest byte it
// marks, since borrows and carries only ever move into a byte above one
// that already matched: a byte below 0x21, a byte above 0x7E, stop.
func notPrintableOr(x uint64, stop byte) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (x - 0x21*ones) &^ x
	above := x + 1*ones | x
	y := x ^ uint64(stop)*ones
	hit := (y - ones) &^ y
	return (below | above | hit) & highs
}

func skipFWSSlow(in string, i int) int {
	for i < len(in) {
		switch in[i] {
		case ' ', '\t':
			i++
		case '\r':
			if i+2 < len(in) && in[i+1] == '\n' && (in[i+2] == ' ' || in[i+2] == '\t') {
				i += 3
				continue
			}
			return i
		case '\n':
			if i+1 < len(in) && (in[i+1] == ' ' || in[i+1] == '\t') {
				i += 2
				continue
			}
			return i
		default:
			return i
		}
	}
	return i
}

// Character classes for the scanning loops: one table load per byte.
const (
	className = 1 << iota // ALPHA / DIGIT / "_" after the first tag-name byte
	classVal              // VALCHAR, %x21-3A / %x3C-7E
)

var charClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if isAlpha(b) || isDigit(b) || b == '_' {
			t[c] |= className
		}
		if isValChar(b) {
			t[c] |= classVal
		}
	}
	return t
}()

// StripFWS removes all whitespace (WSP, CR, LF) from s, for values such as
// base64 that may be folded. It allocates only when s contains whitespace.
func StripFWS(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if isWS(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)-n)
	for i := 0; i < len(s); i++ {
		if !isWS(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func isWS(c byte) bool      { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
func isAlpha(c byte) bool   { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool   { return '0' <= c && c <= '9' }
func isValChar(c byte) bool { return c >= 0x21 && c <= 0x7e && c != ';' }
