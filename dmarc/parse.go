package dmarc

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"

	"github.com/domainauth/domainauth/internal/tagvalue"
)

// Sentinel errors, matched with errors.Is on the errors ParseRecord returns.
var (
	// ErrNotDMARC means the text is not a DMARC record at all: it does not
	// start with the tag v=DMARC1 (RFC 9989 §4.7). Discovery skips such
	// records.
	ErrNotDMARC = errors.New("dmarc: not a DMARC record")
	// ErrSyntax means the text starts with v=DMARC1 and white space but
	// the version tag runs into the next tag ("v=DMARC1 p=none", a missing
	// ';'). Under the tag-list grammar its v value is "DMARC1 p=none", not
	// "DMARC1", so the text is not a DMARC record (RFC 9989 §4.7, §4.10;
	// RFC 7489 §6.3) and ErrSyntax wraps ErrNotDMARC: discovery ignores
	// it like any other TXT record and goes on to the Organizational
	// Domain, while lint reports it as a broken record. Syntax errors
	// after the version tag do not make the record fail: RFC 9989 §4.8 has
	// them discarded (see Record.Invalid and Record.Malformed).
	ErrSyntax = fmt.Errorf("%w: v=DMARC1 runs into the next tag (a missing ';')", ErrNotDMARC)
	// ErrDuplicateTag means a tag occurs twice, which makes the whole
	// tag-list invalid (RFC 6376 §3.2, whose syntax RFC 9989 §4.7 adopts).
	ErrDuplicateTag = errors.New("dmarc: duplicate tag")
	// ErrInvalidPolicy means p, sp or np has an invalid value and no rua
	// URI is valid, so the receiver applies no DMARC processing
	// (RFC 9989 §4.10.1).
	ErrInvalidPolicy = errors.New("dmarc: invalid policy and no valid rua URI")
)

// ParseError describes a DMARC record that cannot be used. Err is one of
// the sentinel errors above.
type ParseError struct {
	Record string // the input
	Tag    string // the tag concerned, if any
	Offset int    // byte offset of the problem in Record
	Msg    string
	Err    error
}

// Error names the tag and the offset of the problem.
func (e *ParseError) Error() string {
	if e.Tag != "" {
		return fmt.Sprintf("dmarc: tag %q at offset %d: %s", e.Tag, e.Offset, e.Msg)
	}
	return fmt.Sprintf("dmarc: offset %d: %s", e.Offset, e.Msg)
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }

// ParseRecord parses a DMARC Policy Record (RFC 9989 §4.7, §4.8), the TXT
// record text with its character-strings joined.
//
// It returns an error wrapping ErrNotDMARC when the text does not start
// with v=DMARC1 (also wrapping ErrSyntax when only a ';' after it is
// missing), and one wrapping ErrDuplicateTag or ErrInvalidPolicy for a
// DMARC record that cannot be used. Otherwise it is
// tolerant as receivers must be: tag names and keyword values are matched
// without regard to case, unknown tags are kept in Record.Unknown,
// invalid values (including values with characters the tag-list syntax
// forbids) are kept in Record.Invalid while the default applies, and
// tag-specs that are not tag=value at all are kept in Record.Malformed
// and otherwise ignored (RFC 9989 §4.8).
// Whitespace before v=DMARC1 is accepted (lint reports it).
func ParseRecord(txt string) (*Record, error) { return parseRecord(txt, ModeRFC9989) }

// parseRecord is ParseRecord for a receiver in the given mode. In ModeRFC7489
// mode np is not a DMARC tag (RFC 7489 §6.3 predates it), so it is kept in
// Record.Unknown and an invalid np value does not make the policy invalid.
func parseRecord(txt string, mode Mode) (*Record, error) {
	s := tagvalue.Scanner{Input: txt, AllowEmpty: true}
	if !s.Next() || (s.Tag() != "v" && s.Tag() != "V") || s.Value() != "DMARC1" {
		return nil, notDMARC(txt, &s)
	}
	// The record is parsed in place in one heap allocation that also
	// holds room for one URI (the common "rua=mailto:..."): the speed goal
	// is a few hundred nanoseconds and at most four allocations for a
	// typical record. Building it on the stack and copying it out costs
	// more, as the copy runs GC write barriers for every pointer slot.
	b := new(struct {
		r Record
		u [1]URI
	})
	p := recordParser{txt: txt, r: &b.r, spare: b.u[:0:1], policyOff: -1, noNP: mode == ModeRFC7489}
	base := 0 // offset of s.Input in txt
	for {
		for s.Next() {
			if err := p.spec(s.Tag(), s.Value(), base+s.TagOffset(), true); err != nil {
				return nil, err
			}
		}
		err := s.Err()
		if err == nil {
			break
		}
		// RFC 9989 §4.8: syntax errors in the rest of the record are
		// discarded in favour of the defaults. The broken tag-spec runs
		// from the ';' before the error to the next one (a value cannot
		// hold ';'); scanning resumes after it.
		var te *tagvalue.Error
		errors.As(err, &te)
		if err := p.broken(base + te.Offset); err != nil {
			return nil, err
		}
		end := strings.IndexByte(txt[base+te.Offset:], ';')
		if end < 0 {
			break
		}
		base += te.Offset + end + 1
		s = tagvalue.Scanner{Input: txt[base:], AllowEmpty: true}
	}
	r := p.r
	r.Explicit = p.seen
	// RFC 9989 §4.10.1: an invalid p, sp or np means "p=none" when rua has a
	// valid URI, and no DMARC processing otherwise.
	if p.policyOff >= 0 && !hasValidURI(r.AggregateURIs) {
		return nil, &ParseError{Record: txt, Tag: p.policyTV.Tag, Offset: p.policyOff,
			Msg: fmt.Sprintf("invalid policy %q and no valid rua URI", p.policyTV.Value), Err: ErrInvalidPolicy}
	}
	return r, nil
}

// recordParser holds the state of ParseRecord after v=DMARC1.
type recordParser struct {
	txt       string
	r         *Record
	spare     []URI // room for the first URI list, allocated with r
	seen      TagSet
	policyOff int // offset of the first invalid p, sp or np, or -1
	policyTV  TagValue
	noNP      bool                // np is an unknown tag (RFC 7489)
	unknown   map[string]struct{} // lower-case unknown tag names, past unknownScanMax
}

// spec records one tag-spec at offset off; ok is false when its value is
// already known to be invalid.
func (p *recordParser) spec(name, value string, off int, ok bool) error {
	t := tagByName(name)
	if t == TagNP && p.noNP {
		t = 0
	}
	if t == 0 {
		if name == "v" || name == "V" || p.seenUnknown(name) {
			return &ParseError{Record: p.txt, Tag: name, Offset: off, Msg: "duplicate tag", Err: ErrDuplicateTag}
		}
		p.r.Unknown = append(p.r.Unknown, TagValue{name, value})
		return nil
	}
	if p.seen.Has(t) {
		return &ParseError{Record: p.txt, Tag: name, Offset: off, Msg: "duplicate tag", Err: ErrDuplicateTag}
	}
	p.seen |= TagSet(t)
	if ok && (t == TagRUA || t == TagRUF) {
		us := p.spare
		if trimFWS(value) == "" { // only white space: from a value with a bare CR or LF
			ok = false
		} else if strings.IndexByte(value, ',') < 0 {
			us = append(us, splitSize(trimFWS(value))) // one URI: the common case
		} else {
			us, ok = appendURIList(make([]URI, 0, strings.Count(value, ",")+1), value)
		}
		if ok {
			p.spare = nil
			us = us[:len(us):len(us)]
			if t == TagRUA {
				p.r.AggregateURIs = us
			} else {
				p.r.FailureURIs = us
			}
		}
	} else if ok {
		ok = p.r.setTag(t, value)
	}
	if !ok {
		p.r.Invalid = append(p.r.Invalid, TagValue{name, value})
		if p.policyOff < 0 && t&(TagP|TagSP|TagNP) != 0 {
			p.policyOff, p.policyTV = off, TagValue{name, value}
		}
	}
	return nil
}

// broken records the tag-spec around a syntax error at offset off (it
// runs from the ';' before to the ';' after).
func (p *recordParser) broken(off int) error {
	txt := p.txt
	start := strings.LastIndexByte(txt[:off], ';') + 1
	end := strings.IndexByte(txt[off:], ';')
	if end < 0 {
		end = len(txt)
	} else {
		end += off
	}
	// Only spaces and tabs are trimmed: a CR or LF that is not part of a
	// fold is the error itself and must stay, so that String writes a
	// spec that fails the same way (the round trip).
	seg := trimWSP(txt[start:end])
	segOff := start + strings.Index(txt[start:end], seg)
	switch eq := strings.IndexByte(seg, '='); {
	case eq > 0 && isTagName(trimWSP(seg[:eq])):
		// A tag name and '=' but a value with forbidden characters: an
		// invalid value of that tag. A rua or ruf list is still split,
		// so that one non-ASCII URI does not discard the valid ones
		// beside it; URI.Check and lint report the invalid one.
		name := trimWSP(seg[:eq])
		t := tagByName(name)
		return p.spec(name, trimWSP(seg[eq+1:]), segOff, t == TagRUA || t == TagRUF)
	case seg != "":
		// A tag-spec without '=', a known tag name alone ("p") included:
		// malformed, so discarded (RFC 9989 §4.8), and never a duplicate
		// of the tag it names.
		p.r.Malformed = append(p.r.Malformed, seg)
	}
	return nil
}

// notDMARC builds the error for a text whose first tag is not v=DMARC1. A
// first value such as "DMARC1 p=none" (a missing ';') gets ErrSyntax, so
// that lint can say what is wrong; it is still not a DMARC record.
func notDMARC(txt string, s *tagvalue.Scanner) error {
	if err := s.Err(); err == nil && equalFoldASCII(s.Tag(), "v") && strings.HasPrefix(s.Value(), "DMARC1") &&
		len(s.Value()) > 6 && isFWS(s.Value()[6]) {
		return &ParseError{Record: txt, Tag: "v", Offset: s.ValueOffset() + 6, Msg: "missing ';' after v=DMARC1", Err: ErrSyntax}
	}
	return &ParseError{Record: txt, Offset: 0, Msg: "record does not start with v=DMARC1", Err: ErrNotDMARC}
}

// isTagName reports whether s is a tag-name: ALPHA *(ALPHA / DIGIT / "_")
// (RFC 6376 §3.2; RFC 9989 §4.8 narrows it to 1*ALPHA, but the wider
// form is what the tag-list scanner accepts).
func isTagName(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' {
			return false
		}
	}
	return true
}

// unknownScanMax is the number of unknown tags up to which seenUnknown
// scans them; past it, it keeps a set, so that a record with tens of
// thousands of tags (a zone file has no 64 KB cap) is parsed in linear
// time.
const unknownScanMax = 8

// seenUnknown reports whether an unknown tag named name (in any case) was
// seen before; it must be called once for each unknown tag, before the tag
// is appended to r.Unknown.
func (p *recordParser) seenUnknown(name string) bool {
	tvs := p.r.Unknown
	if len(tvs) < unknownScanMax {
		for _, tv := range tvs {
			if equalFoldASCII(tv.Tag, name) {
				return true
			}
		}
		return false
	}
	if p.unknown == nil {
		p.unknown = make(map[string]struct{}, 2*len(tvs))
		for _, tv := range tvs {
			p.unknown[lowerASCII(tv.Tag)] = struct{}{}
		}
	}
	key := lowerASCII(name)
	if _, ok := p.unknown[key]; ok {
		return true
	}
	p.unknown[key] = struct{}{}
	return false
}

// lowerASCII returns s with ASCII letters in lower case; s itself when it
// has none in upper case.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// setTag stores a known tag's value and reports whether it was valid.
func (r *Record) setTag(t Tag, v string) bool {
	switch t {
	case TagP, TagSP, TagNP:
		p := parsePolicy(v)
		if p == PolicyUnset {
			return false
		}
		switch t {
		case TagP:
			r.Policy = p
		case TagSP:
			r.SubdomainPolicy = p
		default:
			r.NonexistentPolicy = p
		}
	case TagADKIM, TagASPF:
		var a Alignment
		switch v {
		case "r", "R":
			a = AlignmentRelaxed
		case "s", "S":
			a = AlignmentStrict
		default:
			return false
		}
		if t == TagADKIM {
			r.DKIMAlignment = a
		} else {
			r.SPFAlignment = a
		}
	case TagPSD:
		switch v {
		case "y", "Y":
			r.PSD = PSDYes
		case "n", "N":
			r.PSD = PSDNo
		case "u", "U":
			r.PSD = PSDUnknown
		default:
			return false
		}
	case TagT:
		switch v {
		case "y", "Y":
			r.Testing = TestingYes
		case "n", "N":
			r.Testing = TestingNo
		default:
			return false
		}
	case TagFO:
		fo, ok := parseFO(v)
		if !ok {
			return false
		}
		r.FailureOptions = fo
	case TagRUA, TagRUF:
		us, ok := appendURIList(nil, v)
		if !ok {
			return false
		}
		if t == TagRUA {
			r.AggregateURIs = us
		} else {
			r.FailureURIs = us
		}
	case TagPct:
		// RFC 7489 §6.4: 1*3DIGIT, 0 to 100.
		n, ok := parseUint(v, 3)
		if !ok || n > 100 {
			return false
		}
		r.Pct = int(n)
	case TagRI:
		// RFC 7489 §6.3: a 32-bit unsigned integer.
		n, ok := parseUint(v, 10)
		if !ok || n > 1<<32-1 {
			return false
		}
		r.ReportInterval = uint32(n)
	case TagRF:
		if !validKeywordList(v) {
			return false
		}
		r.ReportFormat = v
	}
	return true
}

func parsePolicy(v string) Policy {
	switch v {
	case "none":
		return PolicyNone
	case "quarantine":
		return PolicyQuarantine
	case "reject":
		return PolicyReject
	}
	switch len(v) {
	case 4:
		if equalFoldASCII(v, "none") {
			return PolicyNone
		}
	case 6:
		if equalFoldASCII(v, "reject") {
			return PolicyReject
		}
	case 10:
		if equalFoldASCII(v, "quarantine") {
			return PolicyQuarantine
		}
	}
	return PolicyUnset
}

// parseFO parses a colon-separated fo list. It accepts the RFC 7489 §6.4
// grammar (any of 0, 1, d, s, WSP around ':'); lint reports what RFC 9989
// §4.8 forbids (0 with 1).
func parseFO(v string) (FailureOptions, bool) {
	if len(v) == 1 {
		switch v[0] {
		case '0':
			return FailureOptionsAll, true
		case '1':
			return FailureOptionsAny, true
		}
	}
	var fo FailureOptions
	for len(v) > 0 {
		item := v
		if i := strings.IndexByte(v, ':'); i >= 0 {
			item, v = v[:i], v[i+1:]
			if v == "" {
				return 0, false // trailing ':'
			}
		} else {
			v = ""
		}
		item = trimFWS(item)
		if len(item) != 1 {
			return 0, false
		}
		switch item[0] {
		case '0':
			fo |= FailureOptionsAll
		case '1':
			fo |= FailureOptionsAny
		case 'd', 'D':
			fo |= FailureOptionsDKIM
		case 's', 'S':
			fo |= FailureOptionsSPF
		default:
			return 0, false
		}
	}
	return fo, fo != 0
}

// appendURIList splits a rua/ruf value into URIs (RFC 9989 §4.8
// dmarc-urilist) and appends them to us. Every entry is kept, valid or not,
// so that the record round-trips; the value is invalid only when it is
// empty.
func appendURIList(us []URI, v string) ([]URI, bool) {
	if v == "" {
		return us, false
	}
	for {
		item := v
		i := strings.IndexByte(v, ',')
		if i >= 0 {
			item = v[:i]
		}
		us = append(us, splitSize(trimFWS(item)))
		if i < 0 {
			return us, true
		}
		v = v[i+1:]
	}
}

// splitSize separates an RFC 7489 "!size" suffix from a URI. Since a
// literal '!' must be percent-encoded in a DMARC URI, the last '!' starts
// the suffix; an entry whose suffix is not a valid size is kept whole (and
// fails URI validation).
func splitSize(s string) URI {
	// IndexByte is vectorised, LastIndexByte is not: most URIs have no '!'.
	if strings.IndexByte(s, '!') < 0 {
		return URI{Address: s}
	}
	if i := strings.LastIndexByte(s, '!'); i >= 0 {
		if _, ok := parseSize(s[i+1:]); ok {
			return URI{Address: s[:i], Size: s[i+1:]}
		}
	}
	return URI{Address: s}
}

// parseSize interprets 1*DIGIT [ "k" / "m" / "g" / "t" ] (RFC 7489 §6.4);
// the number must fit in 64 bits, the product saturates.
func parseSize(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	shift := 0
	switch s[len(s)-1] {
	case 'k', 'K':
		shift = 10
	case 'm', 'M':
		shift = 20
	case 'g', 'G':
		shift = 30
	case 't', 'T':
		shift = 40
	}
	if shift > 0 {
		s = s[:len(s)-1]
	}
	n, ok := parseUint(s, 20)
	if !ok {
		return 0, false
	}
	if shift > 0 && bits.LeadingZeros64(n) < shift {
		return 1<<64 - 1, true
	}
	return n << shift, true
}

// parseUint parses 1 to max decimal digits without overflow.
func parseUint(s string, max int) (uint64, bool) {
	if s == "" || len(s) > max {
		return 0, false
	}
	var n uint64
	if len(s) <= 19 { // cannot overflow
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + uint64(c-'0')
		}
		return n, true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		hi, lo := bits.Mul64(n, 10)
		lo, carry := bits.Add64(lo, uint64(c-'0'), 0)
		if hi != 0 || carry != 0 {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// validKeywordList checks rf: Keyword *(":" Keyword), Keyword being
// RFC 5321 Ldh-str (RFC 7489 §6.4).
func validKeywordList(v string) bool {
	for item := range strings.SplitSeq(v, ":") {
		item = trimFWS(item)
		if item == "" || !isAlnum(item[0]) || !isAlnum(item[len(item)-1]) {
			return false
		}
		for i := 0; i < len(item); i++ {
			if c := item[i]; !isAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isFWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimWSP(s string) string { return strings.Trim(s, " \t") }

func trimFWS(s string) string {
	for len(s) > 0 && isFWS(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isFWS(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
