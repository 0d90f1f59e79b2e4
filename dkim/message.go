package dkim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// field is one header field of a message.
type field struct {
	name  string // field name as written, WSP before the colon removed
	raw   string // the whole field with its line terminator(s)
	colon int    // index of the colon in raw, -1 when there is none
}

// value returns the field body: after the colon, without the final line terminator.
func (f *field) value() string {
	return trimEOL(f.raw[f.colon+1:])
}

func trimEOL(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// splitFields splits a header section (ending with the line terminator of
// its last field, without the empty separator line) into fields, appending
// to dst. A line without a colon becomes a field with an empty name, which
// no h= entry can select.
func splitFields(h string, dst []field) []field {
	i := 0
	for i < len(h) {
		start := i
		for {
			nl := strings.IndexByte(h[i:], '\n')
			if nl < 0 {
				i = len(h)
				break
			}
			i += nl + 1
			if i < len(h) && (h[i] == ' ' || h[i] == '\t') {
				continue // folded continuation line
			}
			break
		}
		dst = appendField(dst, h[start:i])
	}
	return dst
}

// fieldsAt is splitFields for a header section whose fields start at the
// offsets starts, as reader.readHeader records them while it looks for
// the end of the header: the lines are not scanned a second time.
func fieldsAt(h string, starts []int, dst []field) []field {
	for k, start := range starts {
		end := len(h)
		if k+1 < len(starts) {
			end = starts[k+1]
		}
		dst = appendField(dst, h[start:end])
	}
	return dst
}

// appendField appends the field raw (with its line terminators) to dst.
func appendField(dst []field, raw string) []field {
	// Filled in place: a field built on the stack and then copied
	// stalls on the copy.
	dst = append(dst, field{})
	f := &dst[len(dst)-1]
	f.raw, f.colon = raw, strings.IndexByte(raw, ':')
	if f.colon > 0 {
		f.name = trimWSPRight(raw[:f.colon])
	}
	return dst
}

// trimWSPRight removes SP and HTAB from the end of s (strings.TrimRight
// with a cutset is several times slower on these short names).
func trimWSPRight(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// Limits used when a Verifier or Signer field is zero.
const (
	defaultMaxHeaderBytes = 256 << 10
	defaultMaxLineBytes   = 64 << 10
	readChunk             = 32 << 10
	// firstRead is the size of a new Verifier's read buffer: most header
	// sections and many whole messages fit, and a first use does not pay
	// for clearing readChunk bytes it may never need.
	firstRead         = 4 << 10
	defaultMaxRSABits = 8192
)

// reader reads a message: first the header section, kept whole, then the
// body in chunks through a reused buffer.
type reader struct {
	r       io.Reader
	buf     []byte
	maxHdr  int
	maxLine int
	// starts holds where each field of the header section last read
	// starts (for fieldsAt): the first line, and each line after it that
	// does not begin with WSP (a continuation line does).
	starts []int
}

// readHeader returns the header section (without the empty line that ends
// it) and the bytes of body already read, and records in m.starts where
// its fields start. A message with no empty line is all header.
func (m *reader) readHeader(ctx context.Context) (string, []byte, error) {
	buf := m.buf[:0]
	m.starts = m.starts[:0]
	scan := 0      // where to look for the next '\n'
	lineStart := 0 // start of the current physical line
	eof := false
	for {
		// Look for the end of the header: an empty line.
		for {
			if scan > m.maxHdr {
				return "", nil, fmt.Errorf("%w: more than %d bytes", ErrHeaderTooLarge, m.maxHdr)
			}
			if lineStart == scan && scan < len(buf) {
				// At a line start: is this line empty?
				if buf[scan] == '\n' {
					m.buf = buf
					return string(buf[:scan]), buf[scan+1:], nil
				}
				if buf[scan] == '\r' {
					if scan+1 < len(buf) {
						if buf[scan+1] == '\n' {
							m.buf = buf
							return string(buf[:scan]), buf[scan+2:], nil
						}
					} else if !eof {
						break // need one more byte
					}
				}
				if scan == 0 || buf[scan] != ' ' && buf[scan] != '\t' {
					m.starts = append(m.starts, scan)
				}
			}
			nl := bytes.IndexByte(buf[scan:], '\n')
			if nl < 0 {
				scan = len(buf)
				if scan-lineStart > m.maxLine {
					return "", nil, fmt.Errorf("%w: more than %d bytes", ErrLineTooLong, m.maxLine)
				}
				break
			}
			if scan+nl-lineStart > m.maxLine {
				return "", nil, fmt.Errorf("%w: more than %d bytes", ErrLineTooLong, m.maxLine)
			}
			scan += nl + 1
			lineStart = scan
		}
		if len(buf) > m.maxHdr {
			return "", nil, fmt.Errorf("%w: more than %d bytes", ErrHeaderTooLarge, m.maxHdr)
		}
		if eof {
			m.buf = buf
			return string(buf), nil, nil
		}
		if err := ctx.Err(); err != nil {
			return "", nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := m.r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			if !errors.Is(err, io.EOF) {
				return "", nil, fmt.Errorf("dkim: reading message: %w", err)
			}
			eof = true
		}
	}
}

// readBody passes the rest of the body to w, chunk by chunk.
func (m *reader) readBody(ctx context.Context, first []byte, w func([]byte)) error {
	if len(first) > 0 {
		w(first)
	}
	buf := m.buf[:cap(m.buf)]
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := m.r.Read(buf)
		if n > 0 {
			w(buf[:n])
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("dkim: reading message: %w", err)
		}
		if n == len(buf) && len(buf) < readChunk {
			// A long body: the rest goes in bigger chunks.
			buf = make([]byte, readChunk)
			m.buf = buf[:0]
		}
	}
}

// headerCanon writes canonicalised header fields into a reused buffer.
type headerCanon struct {
	buf []byte
}

// add appends field f canonicalised with c; with sig set, f is the
// DKIM-Signature being verified: its b= value (value[bStart:bEnd]) is left
// out and no line terminator is written (RFC 6376 §3.7).
func (h *headerCanon) add(f *field, c Canonicalization, sig *Signature) {
	segs := [2]string{f.raw[f.colon+1:], ""}
	if sig != nil {
		v := f.value()
		segs[0], segs[1] = v[:sig.bStart], v[sig.bEnd:]
	}
	if c == CanonicalizationRelaxed {
		// §3.4.2: lower-case name, unfold, WSP runs to one SP, no WSP at
		// the ends of the value or around the colon.
		n := len(h.buf)
		h.buf = append(h.buf, f.name...)
		name := h.buf[n:] // lower-cased in place: no append per byte
		for i, b := range name {
			if 'A' <= b && b <= 'Z' {
				name[i] = b + 'a' - 'A'
			}
		}
		h.buf = append(h.buf, ':')
		if sig == nil {
			// Most fields need no work beyond dropping the WSP after the colon.
			v := f.value()
			for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
				v = v[1:]
			}
			if len(v) == 0 || relaxedClean(v) {
				h.buf = append(h.buf, v...)
				h.buf = append(h.buf, '\r', '\n')
				return
			}
		}
		// Line by line: unfolding drops CRLF (and a CR at the end of a
		// segment), the WSP after it joins the run before it.
		started, sp := false, false
		for _, s := range segs {
			for len(s) > 0 {
				var line string
				line, s, _ = strings.Cut(s, "\n")
				line = strings.TrimSuffix(line, "\r")
				k := 0
				for k < len(line) && (line[k] == ' ' || line[k] == '\t') {
					k++
				}
				if !started {
					if line = line[k:]; line == "" {
						continue
					}
					started, k = true, 0
				}
				// The lines of a folded field are mostly the fold's WSP
				// and then content that needs no work: that WSP joins
				// the run before it (one SP), the content goes as is.
				if rest := line[k:]; relaxedClean(rest) {
					if sp || k > 0 {
						h.buf = append(h.buf, ' ')
					}
					h.buf = append(h.buf, rest...)
					sp = false
					continue
				}
				for len(line) > 0 {
					h.buf = slices.Grow(h.buf, len(line)+9)
					var n int
					h.buf, n, sp, _ = foldWSP(h.buf, line, sp, false)
					if line = line[n:]; line != "" {
						// A bare CR is content.
						if sp {
							h.buf = append(h.buf, ' ')
							sp = false
						}
						h.buf = append(h.buf, '\r')
						line = line[1:]
					}
				}
			}
		}
		if sig == nil {
			h.buf = append(h.buf, '\r', '\n')
		}
		return
	}
	// Simple (§3.4.1): the field as is, line ends made CRLF.
	h.buf = append(h.buf, f.raw[:f.colon+1]...)
	for _, s := range segs {
		h.appendCRLF(s)
	}
	if sig == nil && !strings.HasSuffix(f.raw, "\n") {
		h.buf = append(h.buf, '\r', '\n') // the last field of a body-less message
	}
}

// appendCRLF appends s with every bare LF written as CRLF.
func (h *headerCanon) appendCRLF(s string) {
	for {
		nl := strings.IndexByte(s, '\n')
		if nl < 0 {
			h.buf = append(h.buf, s...)
			return
		}
		if nl > 0 && s[nl-1] == '\r' {
			h.buf = append(h.buf, s[:nl+1]...)
		} else {
			h.buf = append(h.buf, s[:nl]...)
			h.buf = append(h.buf, '\r', '\n')
		}
		s = s[nl+1:]
	}
}

// signedFields appends to h the fields named by names, in order, each name
// taking the last instance not yet used (RFC 6376 §5.4.2). A name with no
// instance left adds nothing (§5.4: a null string).
func (h *headerCanon) signedFields(fields []field, names []string, c Canonicalization) {
	if len(names)*len(fields) > signedFieldsScanMax {
		h.signedFieldsSorted(fields, names, c)
		return
	}
	// Each field's length and first letter in one compact array: most
	// pairs differ there, and this loop runs len(names)×len(fields)
	// times. A used field's key becomes 0, which no name has.
	var stack [64]uint32
	var keys []uint32
	if len(fields) <= len(stack) {
		keys = stack[:len(fields)]
	} else {
		keys = make([]uint32, len(fields))
	}
	// left counts the unused fields in each of 64 buckets of keys: a
	// name whose bucket is empty has no instance left and needs no scan.
	// Signers list names the message lacks and oversign (list a name once
	// more than it has instances, RFC 6376 §8.15), so about half of the
	// entries of a typical h= are such names.
	var left [64]uint16 // len(fields) <= signedFieldsScanMax here
	for k := range fields {
		keys[k] = nameKey(fields[k].name)
		left[keyBucket(keys[k])]++
	}
	for _, name := range names {
		if name == "" {
			continue
		}
		key := nameKey(name)
		b := keyBucket(key)
		if left[b] == 0 {
			continue
		}
		for k := len(keys) - 1; k >= 0; k-- {
			if keys[k] != key || !equalFold(fields[k].name, name) {
				continue
			}
			keys[k] = 0
			left[b]--
			h.add(&fields[k], c, nil)
			break
		}
	}
}

// keyBucket spreads name keys over 64 buckets (a multiplicative hash).
func keyBucket(key uint32) uint32 {
	return key * 0x9e3779b1 >> 26
}

// nameKey is what signedFields compares first: the length of a field
// name and its first byte, lower-cased; 0 for an empty name.
func nameKey(name string) uint32 {
	if name == "" {
		return 0
	}
	return uint32(len(name))<<8 | uint32(name[0]|0x20)
}

// signedFieldsScanMax bounds the h= entries × fields product for which
// signedFields scans the fields for each entry. Beyond it (a hostile h= of
// thousands of names over a header of thousands of fields would take
// seconds), the fields are sorted by name once and each entry is a binary
// search.
const signedFieldsScanMax = 1 << 14

// signedFieldsSorted is signedFields in O((F+N) log F) time: the field
// indices sorted by case-folded name, and within a name from the bottom up,
// so that the instances of a name are used in group order.
func (h *headerCanon) signedFieldsSorted(fields []field, names []string, c Canonicalization) {
	order := make([]int, len(fields))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if r := compareFold(fields[a].name, fields[b].name); r != 0 {
			return r
		}
		return b - a // later fields first
	})
	used := make([]int, len(fields)) // instances used, kept at a group's first position
	for _, name := range names {
		if name == "" {
			continue
		}
		start, found := slices.BinarySearchFunc(order, name, func(k int, name string) int {
			return compareFold(fields[k].name, name)
		})
		if !found {
			continue
		}
		pos := start + used[start]
		if pos >= len(order) || !equalFold(fields[order[pos]].name, name) {
			continue // every instance already used
		}
		used[start]++
		h.add(&fields[order[pos]], c, nil)
	}
}

// compareFold orders strings by their ASCII-lower-cased bytes.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if x, y := lowerByte(a[i]), lowerByte(b[i]); x != y {
			return int(x) - int(y)
		}
	}
	return len(a) - len(b)
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFold compares header field names, ASCII case-insensitively; it is
// strings.EqualFold with the length compared first, which is what makes it
// cheap on the h= × fields loop.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}
