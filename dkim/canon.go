package dkim

import (
	"bytes"
	"io"
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
// write), midLine (content written since the last line break).
type bodyCanon struct {
	relaxed bool
	w       io.Writer // the hash
	limit   int64     // bytes to pass on; -1 for all
	n       int64     // canonical bytes produced (also beyond limit)

	pendingCRLF int64
	pendingSP   bool
	pendingCR   bool
	midLine     bool
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

// content writes a run of line content (no CR, LF; relaxed: no WSP).
func (c *bodyCanon) content(b []byte) {
	if c.pendingCRLF > 0 {
		c.flushBreaks()
	}
	if c.pendingSP {
		c.emitByte(' ')
		c.pendingSP = false
	}
	c.emit(b)
	c.midLine, c.any = true, true
}

func (c *bodyCanon) lineBreak() {
	c.pendingCRLF++
	c.pendingSP = false
	c.midLine = false
}

// Write canonicalises p. It never fails.
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
		if !c.midLine && !c.pendingSP {
			// At a line start: take whole lines that need no change at once.
			k := c.cleanLines(p)
			if k > 0 {
				p = p[k:]
				continue
			}
		}
		// Slow path: one byte or one run at a time up to the end of the line.
		i := 0
		for i < len(p) {
			b := p[i]
			if b == '\n' {
				c.lineBreak()
				i++
				break
			}
			if b == '\r' {
				if i+1 == len(p) {
					c.pendingCR = true
					i++
					break
				}
				if p[i+1] == '\n' {
					c.lineBreak()
					i += 2
					break
				}
				c.content(p[i : i+1]) // a bare CR is ordinary content
				i++
				continue
			}
			if c.relaxed && (b == ' ' || b == '\t') {
				c.pendingSP = true
				i++
				continue
			}
			j := i + 1
			for j < len(p) && !special(p[j], c.relaxed) {
				j++
			}
			c.content(p[i:j])
			i = j
		}
		p = p[i:]
	}
	return n, nil
}

var crByte = []byte{'\r'}

func special(b byte, relaxed bool) bool {
	return b == '\r' || b == '\n' || relaxed && (b == ' ' || b == '\t')
}

// cleanLines consumes, from a line start, complete lines that canonicalise
// to themselves (plus CRLF), so that they can be copied in one piece. It
// stops at an empty line, an incomplete line or a line that needs work, and
// returns the number of bytes consumed.
func (c *bodyCanon) cleanLines(p []byte) int {
	done := 0
	runStart := 0
	for {
		rest := p[done:]
		nl := bytes.IndexByte(rest, '\n')
		if nl <= 0 {
			break
		}
		line := rest[:nl]
		if line[len(line)-1] != '\r' {
			break // bare LF: let the slow path rewrite it
		}
		line = line[:len(line)-1]
		if len(line) == 0 || c.relaxed && !relaxedClean(line) {
			break
		}
		// In simple mode every non-empty CRLF-ended line is its own
		// canonical form (a bare CR inside is content).
		done += nl + 1
	}
	if done == 0 {
		return 0
	}
	// p[runStart:done] is a run of clean lines ending in CRLF. Write all but
	// the last CRLF, which is held back as a pending break.
	if c.pendingCRLF > 0 {
		c.flushBreaks()
	}
	c.emit(p[runStart : done-2])
	c.any = true
	c.pendingCRLF = 1
	c.midLine = false
	return done
}

// relaxedClean reports whether a line (without its CRLF) is unchanged by
// relaxed canonicalisation: no control characters (so no HTAB, CR or LF),
// no two spaces in a row, no space at the end. It looks at eight bytes at a
// time, since it runs over every body line and header field.
func relaxedClean[T string | []byte](line T) bool {
	const (
		lo = 0x0101010101010101
		hi = 0x8080808080808080
		sp = 0x20 * lo
		m7 = 0x7f * lo
	)
	n := len(line)
	if n == 0 || line[n-1] == ' ' {
		return false
	}
	var prev uint64 // 0x80 when the byte before the word was a space
	i := 0
	for ; i+8 <= n; i += 8 {
		w := line[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		if (x-sp)&^x&hi != 0 {
			return false // a byte below 0x20
		}
		t := x ^ sp
		eq := ^((t&m7 + m7) | t) & hi // 0x80 in each byte that is a space
		if eq&(eq<<8|prev) != 0 {
			return false
		}
		prev = eq >> 56
	}
	for ; i < n; i++ {
		c := line[i]
		if c < 0x20 || c == ' ' && i > 0 && line[i-1] == ' ' {
			return false
		}
	}
	return true
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
