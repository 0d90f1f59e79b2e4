package dkim

import (
	"bytes"
	"io"
	"math/bits"
)

// bodyCanon canonicalises a message body as it streams through Write
// (RFC 6376 §3.4.3 and §3.4.4) and feeds the result, cut at the l= limit,
// to a hash. Bare LF line ends are read as CRLF. Memory use is constant:
// trailing empty lines are counted, not buffered.
//
// State between writes: pendingCRLF line breaks not yet written (they are
// written only when more content follows, which drops trailing empty lines),
// pendingSP (relaxed: whitespace seen but not written, since trailing
// whitespace is dropped), pendingCR (a CR whose LF may come in the next
// write).
type bodyCanon struct {
	relaxed bool
	w       io.Writer // the hash
	limit   int64     // bytes to pass on; -1 for all
	n       int64     // canonical bytes produced (also beyond limit)

	pendingCRLF int64
	pendingSP   bool
	pendingCR   bool
	any         bool // any content at all

	out []byte // output buffer, flushed to w
}

const canonBufSize = 4096

func newBodyCanon(relaxed bool, w io.Writer, limit int64) *bodyCanon {
	c := &bodyCanon{}
	c.reset(relaxed, w, limit)
	return c
}

func (c *bodyCanon) reset(relaxed bool, w io.Writer, limit int64) {
	out := c.out
	if out == nil {
		out = make([]byte, 0, canonBufSize)
	}
	*c = bodyCanon{relaxed: relaxed, w: w, limit: limit, out: out[:0]}
}

// emit appends canonical bytes to the output buffer.
func (c *bodyCanon) emit(b []byte) {
	if len(c.out)+len(b) > cap(c.out) {
		c.flush()
		if len(b) > cap(c.out)/2 {
			c.pass(b)
			return
		}
	}
	c.out = append(c.out, b...)
}

func (c *bodyCanon) emitByte(b byte) {
	if len(c.out) == cap(c.out) {
		c.flush()
	}
	c.out = append(c.out, b)
}

var crlfs = bytes.Repeat([]byte("\r\n"), 256)

// flushBreaks writes the line breaks held back, now that content follows.
func (c *bodyCanon) flushBreaks() {
	if c.pendingCRLF == 1 && len(c.out)+2 <= cap(c.out) {
		c.out = append(c.out, '\r', '\n') // the common case: the end of the line before
		c.pendingCRLF = 0
		return
	}
	for c.pendingCRLF > 0 {
		k := min(c.pendingCRLF, int64(len(crlfs)/2))
		c.emit(crlfs[:2*k])
		c.pendingCRLF -= k
	}
}

func (c *bodyCanon) flush() {
	if len(c.out) > 0 {
		c.pass(c.out)
		c.out = c.out[:0]
	}
}

// pass hands canonical bytes to the hash, stopping at the limit.
func (c *bodyCanon) pass(b []byte) {
	start := c.n
	c.n += int64(len(b))
	if c.limit >= 0 {
		if start >= c.limit {
			return
		}
		if rem := c.limit - start; int64(len(b)) > rem {
			b = b[:rem]
		}
	}
	c.w.Write(b)
}

// content writes a run of canonical bytes: line content, or content and
// whole lines ending in CRLF (each with some content), in which case the
// last CRLF is held back as a pending break.
func (c *bodyCanon) content(b []byte) {
	if c.pendingCRLF > 0 {
		c.flushBreaks()
	}
	if c.pendingSP {
		c.emitByte(' ')
		c.pendingSP = false
	}
	if n := len(b); b[n-1] == '\n' {
		c.emit(b[:n-2])
		c.pendingCRLF = 1
	} else {
		c.emit(b)
	}
	c.any = true
}

// foldLines canonicalises p, which starts inside a line that needs work
// (at WSP, or at a control character other than CR or LF), line by line,
// and returns what is left of it: nothing, a CR at its end that may be
// the first half of a CRLF, or the lines after the first one that needed
// no work (they go back to relaxedSpan).
func (c *bodyCanon) foldLines(p []byte) []byte {
	changed := true // the line p starts in
	for len(p) > 0 {
		// §3.4.4: WSP is written, as one SP, only if content follows on
		// the line.
		k := 0
		for k < len(p) && (p[k] == ' ' || p[k] == '\t') {
			k++
		}
		c.pendingSP = c.pendingSP || k > 0
		if p = p[k:]; len(p) == 0 {
			break
		}
		if p[0] != '\r' && p[0] != '\n' {
			if c.pendingCRLF > 0 {
				c.flushBreaks()
			}
			c.any = true
			for {
				if cap(c.out)-len(c.out) < 16 {
					c.flush()
				}
				m := min(len(p), cap(c.out)-len(c.out)-8)
				var n int
				var ch bool
				c.out, n, c.pendingSP, ch = foldWSP(c.out, p[:m], c.pendingSP, true)
				changed = changed || ch || k > 1
				if p = p[n:]; n < m || len(p) == 0 {
					break // at a CR or LF, or at the end of p
				}
			}
			if len(p) == 0 {
				break
			}
		}
		switch {
		case p[0] == '\n': // a bare LF ends a line as CRLF would
			p = p[1:]
		case len(p) == 1:
			return p // a CR that may be the first half of a CRLF
		case p[1] == '\n':
			p = p[2:]
		default: // a bare CR is content, and the line goes on
			c.content(p[:1])
			p = p[1:]
			continue
		}
		c.lineBreak()
		if !changed {
			break
		}
		changed = false
	}
	return p
}

// foldWSP appends s to dst, which has room for len(s)+8 more bytes, up to
// the first CR or LF in s, with each run of WSP made one SP (RFC 6376
// §3.4.2, §3.4.4), after an SP for a run that came before s when sp is
// set. WSP just before where it stops is not written. It returns dst, how
// many bytes of s it took, whether it held back WSP, and whether it
// changed the last line it took.
//
// With lines set (the body), it goes on past a CRLF that ends a line it
// changed when the next line has content (see crlfThenContent): that CRLF
// is written at once, since content follows it, and the caller's work for
// each line is saved. It stops at any other line end (an empty or
// WSP-only line, a bare CR or LF), which the caller handles, and after an
// unchanged line, so that the caller goes back to its faster way for
// lines that need no work.
func foldWSP[T string | []byte](dst []byte, s T, sp, lines bool) (out []byte, n int, spOut, changed bool) {
	o := len(dst)
	d := dst[:o+len(s)+8]
	var prev uint64 // 0x80 after WSP
	if sp {
		d[o] = ' '
		o, prev = o+1, 0x80
	}
	i := 0
	for {
		start, from := o, i // where the line's bytes go and come from
		k, n, p, tabs := foldWords(d[o:], s[i:], prev)
		o, i, prev = o+k, i+n, p
		for ; i < len(s); i++ {
			b := s[i]
			if b == '\r' || b == '\n' {
				break
			}
			f := wspToSP[b]
			var w uint64
			if f == ' ' {
				w = 0x80
			}
			d[o] = f
			o += 1 - int(w&prev>>7) // the second and later bytes of a run overwrite the first
			tabs = tabs || f != b
			prev = w
		}
		// Fewer bytes out than in: WSP was dropped.
		changed = tabs || o-start != i-from || prev != 0
		o -= int(prev >> 7)
		if !lines || !changed || !crlfThenContent(s[i:]) {
			return d[:o], i, prev != 0, changed
		}
		d[o], d[o+1] = '\r', '\n'
		o, i, prev = o+2, i+2, 0
	}
}

// crlfThenContent reports whether s starts with a CRLF and then a line
// with content: a byte above SP, after WSP or not (WSP alone may be
// trailing, and a control character is rare enough to leave to the
// caller).
func crlfThenContent[T string | []byte](s T) bool {
	if len(s) < 3 || s[0] != '\r' || s[1] != '\n' {
		return false
	}
	j := 2
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	return j < len(s) && s[j] > ' '
}

// foldWords is the bulk of foldWSP: it folds the WSP of s into d, which
// has room for len(s)+8 bytes, eight bytes at a time with no branch on
// where the runs are (they are short and frequent), and stops before the
// first word with a control character other than HTAB. prev is 0x80 when
// WSP came just before s. It returns the bytes written and taken, prev
// for what follows, and whether it turned HTAB into SP.
func foldWords[T string | []byte](d []byte, s T, prev uint64) (o, i int, prevOut uint64, tabs bool) {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
		m7 = 0x7f * lo
	)
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		// 0x80 in each byte up to 0x20 (wsp) and in each below 0x20
		// (ctl), exact: the sums cannot carry from one byte into the
		// next. Most words have no control character, and their WSP is
		// SP alone.
		u := x & m7
		wsp := ^((u + 0x5f*lo) | x) & hi
		if ctl := ^((u + 0x60*lo) | x) & hi; ctl != 0 {
			t := x ^ 0x09*lo
			isTab := ^((t&m7 + m7) | t) & hi
			if ctl != isTab {
				break // a control character other than HTAB: the bytes go one at a time
			}
			x ^= isTab >> 7 * 0x29 // HTAB (0x09) to SP (0x20)
			tabs = true
		}
		drop := wsp & (wsp<<8 | prev) // WSP after WSP
		prev = wsp >> 56
		q := d[o : o+8]
		o += 8
		// Squeeze the dropped bytes out, the highest first so that the
		// positions of the lower ones stay put.
		for drop != 0 {
			b := uint(63-bits.LeadingZeros64(drop)) &^ 7 // bit offset of the byte
			keep := uint64(1)<<b - 1
			x = x&keep | x>>8&^keep
			drop &^= 0x80 << b
			o--
		}
		q[0], q[1], q[2], q[3] = byte(x), byte(x>>8), byte(x>>16), byte(x>>24)
		q[4], q[5], q[6], q[7] = byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56)
	}
	return o, i, prev, tabs
}

// wspToSP maps HTAB to SP and every other byte to itself.
var wspToSP = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	t['\t'] = ' '
	return t
}()

func (c *bodyCanon) lineBreak() {
	c.pendingCRLF++
	c.pendingSP = false
}

// Write canonicalises p. It never fails.
//
// Each round copies the longest run that canonicalises to itself (across
// line ends, see relaxedSpan and simpleSpan) in one piece, then takes one
// step over what stopped it: a run of WSP, a line break, an empty line, a
// bare CR, or a CR that may be the first half of a CRLF split between
// writes.
func (c *bodyCanon) Write(p []byte) (int, error) {
	n := len(p)
	if c.pendingCR {
		c.pendingCR = false
		if len(p) > 0 && p[0] == '\n' {
			c.lineBreak()
			p = p[1:]
		} else {
			c.content(crByte)
		}
	}
	for len(p) > 0 {
		var k int
		if c.relaxed {
			k = relaxedSpan(p)
		} else {
			k = simpleSpan(p)
		}
		if k > 0 {
			c.content(p[:k])
			if p = p[k:]; len(p) == 0 {
				break
			}
		}
		switch b := p[0]; {
		case b == '\n': // a bare LF ends a line as CRLF would
			c.lineBreak()
			p = p[1:]
		case b == '\r' && len(p) == 1:
			c.pendingCR = true
			p = p[1:]
		case b == '\r' && p[1] == '\n':
			c.lineBreak()
			p = p[2:]
		case c.relaxed:
			// WSP to fold, or a control character (content).
			p = c.foldLines(p)
		default: // a bare CR or another control character is content
			c.content(p[:1])
			p = p[1:]
		}
	}
	return n, nil
}

var crByte = []byte{'\r'}

// relaxedSpan returns the length of the longest prefix of p that relaxed
// canonicalisation leaves as it is, whatever came before and comes after:
// content with no HTAB, no control character, no space next to another
// space and no space at its end, and CRLF line ends of lines that have
// such content in p (an empty line may be one of the trailing ones, which
// are dropped).
func relaxedSpan(p []byte) int {
	if p[0] == ' ' {
		return 0 // it may follow WSP
	}
	i := 0 // start of the current line
	for {
		j := i + relaxedRun(p[i:])
		if j+1 < len(p) && j > i && p[j] == '\r' && p[j+1] == '\n' && p[j-1] != ' ' {
			i = j + 2
			continue
		}
		if j > 0 && p[j-1] == ' ' {
			j-- // the space may start a run of WSP, or be trailing
		}
		return j
	}
}

// simpleSpan returns the length of the longest prefix of p that simple
// canonicalisation leaves as it is, whatever came before and comes after:
// content (a bare CR among it) and CRLF line ends of lines that have
// content in p. It stops at a bare LF, an empty line and a CR at the end.
func simpleSpan(p []byte) int {
	i := 0 // start of the current line
	for {
		nl := bytes.IndexByte(p[i:], '\n')
		if nl < 0 {
			if n := len(p); n > i && p[n-1] == '\r' {
				return n - 1
			}
			return len(p)
		}
		j := i + nl
		if j-1 <= i || p[j-1] != '\r' {
			if j > i && p[j-1] == '\r' {
				return i // an empty line
			}
			return j // a bare LF, or an empty line
		}
		i = j + 1
	}
}

// relaxedClean reports whether a line (without its CRLF) is unchanged by
// relaxed canonicalisation: no control characters (so no HTAB, CR or LF),
// no two spaces in a row, no space at the end. It may report false for a
// line with a space before a '!' (see relaxedRun); the caller then does
// the work, which changes nothing.
func relaxedClean[T string | []byte](line T) bool {
	n := len(line)
	return n > 0 && line[n-1] != ' ' && relaxedRun(line) == n
}

// relaxedRun returns the index of the first byte of s that is a control
// character, or a space or control character after a space; len(s) if
// there is none. What comes before it is unchanged by relaxed
// canonicalisation, except for a space at its end, which may start a run
// of WSP. A '!' after a space may also stop it (a side effect of testing
// eight bytes at a time, done since this runs over every body line and
// header field); the caller then takes the slow way for nothing.
func relaxedRun[T string | []byte](s T) int {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
	)
	n := len(s)
	var prev uint64 // 0x80 when the byte before the word was a space
	i := 0
	for ; i+8 <= n; i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		// 0x80 in each byte below 0x20 (ctl) and up to 0x20 (le). The
		// borrow of a marked byte can mark the byte above it too (0x20 in
		// ctl, '!' in le): the lowest mark is exact, and a '!' is marked
		// only after a byte marked in le.
		ctl := (x - 0x20*lo) &^ x
		le := (x - 0x21*lo) &^ x & hi
		if bad := (ctl | le&(le<<8|prev)) & hi; bad != 0 {
			return i + bits.TrailingZeros64(bad)>>3
		}
		prev = le >> 56
	}
	for ; i < n; i++ {
		c := s[i]
		if c < 0x20 || c <= ' ' && i > 0 && s[i-1] == ' ' {
			return i
		}
	}
	return n
}

// finish ends the body: the last line gets its CRLF, trailing empty lines
// are dropped, and an empty body becomes CRLF for simple (§3.4.3) and stays
// empty for relaxed (§3.4.4). It returns the canonical length.
func (c *bodyCanon) finish() int64 {
	if c.pendingCR {
		c.pendingCR = false
		c.content(crByte)
	}
	if c.any || !c.relaxed {
		c.pendingCRLF = 0
		c.emit(crlfs[:2])
	}
	c.flush()
	return c.n
}
