package spf

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// Classes of parse error. A *ParseError unwraps to exactly one of them, so
// callers can tell them apart with errors.Is.
var (
	// ErrNotSPF means the text is not an SPF version 1 record at all: it
	// does not start with "v=spf1" followed by a space or its end. A record
	// selector skips such text (RFC 7208 §4.5); it is not a permerror.
	ErrNotSPF = errors.New("spf: not an SPF version 1 record")

	// ErrInvalidChar means a byte outside printable US-ASCII inside a term
	// (RFC 7208 §3.1: records are US-ASCII; §12: terms are separated by SP).
	ErrInvalidChar = errors.New("spf: invalid character")
	// ErrUnknownTerm means a term that is neither a known mechanism nor a
	// well-formed modifier (§4.6.1, §12).
	ErrUnknownTerm = errors.New("spf: unknown mechanism or malformed modifier")
	// ErrUnexpectedArg means an argument a mechanism does not take, such as
	// "all:x" or "ptr/24".
	ErrUnexpectedArg = errors.New("spf: unexpected argument")
	// ErrMissingArg means a required argument is absent or empty, such as
	// "include:" or "ip4".
	ErrMissingArg = errors.New("spf: missing argument")
	// ErrBadAddress means an ip4 or ip6 address that does not parse.
	ErrBadAddress = errors.New("spf: bad IP address")
	// ErrBadCIDR means a malformed or out-of-range prefix length.
	ErrBadCIDR = errors.New("spf: bad CIDR prefix length")
	// ErrBadDomain means a domain-spec that does not end in a valid
	// top label or a macro (§7.1 domain-end).
	ErrBadDomain = errors.New("spf: bad domain-spec")
	// ErrBadMacro means a malformed macro-string (§7.1, §7.3).
	ErrBadMacro = errors.New("spf: bad macro")
	// ErrDuplicateModifier means redirect or exp given twice (§6).
	ErrDuplicateModifier = errors.New("spf: duplicate modifier")
)

// ParseError describes why a record could not be parsed and where.
type ParseError struct {
	Record   string // the input
	Term     int    // index of the offending term, 0-based; -1 for the version
	TermText string // the offending term as written
	Offset   int    // byte offset of the problem in Record
	Err      error  // the class: ErrNotSPF, ErrBadCIDR, ...
	Msg      string // detail
}

// Error returns `spf: term N "text" at offset O: detail`.
func (e *ParseError) Error() string {
	if e.Term < 0 {
		return fmt.Sprintf("spf: at offset %d: %s", e.Offset, e.Msg)
	}
	return fmt.Sprintf("spf: term %d %q at offset %d: %s", e.Term, e.TermText, e.Offset, e.Msg)
}

// Unwrap returns the error class.
func (e *ParseError) Unwrap() error { return e.Err }

// IsSPF reports whether txt claims to be an SPF version 1 record: it starts
// with "v=spf1" (any case) followed by a space or the end (RFC 7208 §4.5).
// Such text is selected as the domain's record even if it is broken.
func IsSPF(txt string) bool {
	return len(txt) >= 6 && strings.EqualFold(txt[:6], "v=spf1") && (len(txt) == 6 || txt[6] == ' ')
}

// ParseRecord parses an SPF version 1 record (RFC 7208 §4.5, §12). Text that is
// not an SPF record gives an error wrapping ErrNotSPF; a broken record gives
// a *ParseError wrapping one of the other classes.
func ParseRecord(txt string) (*Record, error) {
	if !IsSPF(txt) {
		return nil, &ParseError{Record: txt, Term: -1, Err: ErrNotSPF, Msg: "does not start with \"v=spf1\" followed by a space or the end"}
	}
	// Terms is allocated once, with room for one term per space: exact for
	// the usual single-space separation, a little more otherwise.
	r := &Record{Terms: make([]Term, 0, strings.Count(txt[6:], " "))}
	it := termIter{txt: txt, i: 6}
	for it.more() {
		// Parse straight into the next slot: Terms has room for all.
		r.Terms = r.Terms[:len(r.Terms)+1]
		if err := it.next(&r.Terms[len(r.Terms)-1]); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// termIter parses the terms of a record one at a time. ParseRecord keeps them;
// an evaluation without a record cache validates the record with one
// termIter and parses its mechanisms again with another as it reaches
// them, allocating no Terms.
type termIter struct {
	txt   string // the record, known to start with "v=spf1"
	i     int    // offset of the next byte to look at; start at 6
	n     int    // terms parsed so far
	start int    // offset of the last term parsed, which ends at i
	seen  [KindUnknownModifier + 1]bool
}

// byteClass classifies each byte value for termIter.next: classOrdinary
// (printable US-ASCII other than the three below), classSpace, classInvalid
// (outside printable US-ASCII, RFC 7208 §3.1), classEq, classColon and
// classSlash. A constant string, so it is read-only static data.
// TestByteClass checks it.
const byteClass = "" +
	"\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02" +
	"\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x03\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02" +
	"\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02" +
	"\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02" +
	"\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02" +
	"\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02"

// Values of byteClass.
const (
	classOrdinary = iota
	classSpace
	classInvalid
	classEq
	classColon
	classSlash
)

// more skips spaces and reports whether a term follows.
func (it *termIter) more() bool {
	for it.i < len(it.txt) && it.txt[it.i] == ' ' {
		it.i++
	}
	return it.i < len(it.txt)
}

// next parses the term at it.i into t, which it clears first; more must
// have reported true.
func (it *termIter) next(t *Term) error {
	*t = Term{}
	start, txt := it.i, it.txt
	// ip4 terms, most of most records, skip the byte-class pass: ip4Term
	// accepts only qualifier, "ip4:", digits, dots and one "/n", so the
	// checks that pass makes cannot matter when it succeeds.
	if rest := txt[start:]; isIP4Prefix(rest) {
		end := strings.IndexByte(rest, ' ')
		if end < 0 {
			end = len(rest)
		}
		s := rest[:end]
		if ip4Term(t, s, strings.IndexByte(s, ':'), strings.IndexByte(s, '/')) {
			it.start, it.i = start, start+end
			it.n++
			return nil
		}
	}
	// One pass finds the end of the term, checks its bytes and notes the
	// first '=', ':' and '/' for the parser.
	bad, eq, colon, slash := -1, -1, -1, -1
	i := start
	for ; i < len(txt); i++ {
		k := byteClass[txt[i]]
		if k == classOrdinary {
			continue
		}
		if k == classSpace {
			break
		}
		switch at := i - start; {
		case k == classInvalid && bad < 0:
			bad = at
		case k == classEq && eq < 0:
			eq = at
		case k == classColon && colon < 0:
			colon = at
		case k == classSlash && slash < 0:
			slash = at
		}
	}
	it.start, it.i = start, i
	it.n++
	if bad < 0 && eq < 0 && ip4Term(t, txt[start:i], colon, slash) {
		return nil
	}
	p := termParser{rec: txt, idx: it.n - 1, text: txt[start:i], off: start, bad: bad, eq: eq, colon: colon, slash: slash}
	if err := p.parse(t); err != nil {
		return err
	}
	// RFC 7208 §6: redirect and exp may each appear at most once.
	if t.Kind == KindRedirect || t.Kind == KindExp {
		if it.seen[t.Kind] {
			return p.fail(0, ErrDuplicateModifier, t.Kind.String()+" given more than once")
		}
		it.seen[t.Kind] = true
	}
	return nil
}

// termParser parses one term, text, of the record rec, where it is term
// number idx and starts at offset off. termIter.next fills in the offsets
// in text of the first invalid byte, '=', ':' and '/' (-1 for none).
type termParser struct {
	rec  string
	idx  int
	text string
	off  int

	bad, eq, colon, slash int
}

func (p *termParser) fail(at int, class error, msg string) *ParseError {
	return &ParseError{Record: p.rec, Term: p.idx, TermText: p.text, Offset: p.off + at, Err: class, Msg: msg}
}

func (p *termParser) parse(t *Term) error {
	s := p.text
	if i := p.bad; i >= 0 {
		return p.fail(i, ErrInvalidChar, fmt.Sprintf("byte 0x%02x is not printable US-ASCII", s[i]))
	}
	// modifier = name "=" value, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
	if eq := p.eq; eq > 0 && isName(s[:eq]) {
		return p.modifier(t, s[:eq], eq+1)
	}
	t.Qualifier = QualifierPass
	i := 0
	switch s[0] {
	case '+', '-', '~', '?':
		t.Qualifier = Qualifier(s[0])
		i = 1
	}
	// The name ends at the first ':' or '/' (neither is a qualifier).
	j := len(s)
	if p.colon >= 0 {
		j = p.colon
	}
	if p.slash >= 0 && p.slash < j {
		j = p.slash
	}
	name := s[i:j]
	if t.Kind = mechanismKind(name); t.Kind == 0 {
		return p.fail(i, ErrUnknownTerm, fmt.Sprintf("unknown mechanism %q", name))
	}
	rest := s[j:] // "", ":..." or "/..."
	at := j
	switch t.Kind {
	case KindAll:
		if rest != "" {
			return p.fail(at, ErrUnexpectedArg, "all takes no argument")
		}
	case KindInclude, KindExists:
		if rest == "" || rest[0] != ':' {
			if rest == "" {
				return p.fail(at, ErrMissingArg, t.Kind.String()+" needs \":\" and a domain")
			}
			return p.fail(at, ErrUnexpectedArg, t.Kind.String()+" takes no prefix length")
		}
		if err := p.domainSpec(rest[1:], at+1); err != nil {
			return err
		}
		t.Domain = rest[1:]
	case KindPTR:
		if rest != "" && rest[0] == '/' {
			return p.fail(at, ErrUnexpectedArg, "ptr takes no prefix length")
		}
		if rest != "" {
			if err := p.domainSpec(rest[1:], at+1); err != nil {
				return err
			}
			t.Domain = rest[1:]
		}
	case KindA, KindMX:
		dom, cidr, cidrAt := splitCIDR(rest)
		if dom != "" {
			if err := p.domainSpec(dom[1:], at+1); err != nil {
				return err
			}
			t.Domain = dom[1:]
		}
		if err := p.dualCIDR(t, cidr, at+cidrAt); err != nil {
			return err
		}
	case KindIP4, KindIP6:
		if rest == "" || rest[0] != ':' || len(rest) == 1 {
			return p.fail(at, ErrMissingArg, t.Kind.String()+" needs \":\" and an address")
		}
		addrText, bitsText := rest[1:], ""
		if k := p.slash - (j + 1); k >= 0 { // j is the ':'
			addrText, bitsText = addrText[:k], addrText[k:]
		}
		addr, ok := netip.Addr{}, false
		if t.Kind == KindIP4 {
			addr, ok = parseIPv4(addrText)
		}
		var err error
		if !ok {
			addr, err = netip.ParseAddr(addrText)
		}
		if err != nil || addr.Zone() != "" || addr.Is4() != (t.Kind == KindIP4) {
			family := "IPv6"
			if t.Kind == KindIP4 {
				family = "IPv4"
			}
			return p.fail(at+1, ErrBadAddress, fmt.Sprintf("%q is not an %s address", addrText, family))
		}
		bits := addr.BitLen()
		if bitsText != "" {
			b, ok := cidrLen(bitsText[1:], addr.BitLen())
			if !ok {
				return p.fail(at+1+len(addrText), ErrBadCIDR, fmt.Sprintf("bad prefix length %q (at most %d, no leading zeros)", bitsText, addr.BitLen()))
			}
			bits = b
		}
		t.Net = netip.PrefixFrom(addr, bits)
	}
	return nil
}

func (p *termParser) modifier(t *Term, name string, at int) error {
	value := p.text[at:]
	switch {
	case strings.EqualFold(name, "redirect"), strings.EqualFold(name, "exp"):
		t.Kind, t.Domain = KindRedirect, value
		if len(name) == 3 {
			t.Kind = KindExp
		}
		return p.domainSpec(value, at)
	}
	if off, msg := scanMacroString(value, false); msg != "" {
		return p.fail(at+off, ErrBadMacro, msg)
	}
	t.Kind, t.Name, t.Value = KindUnknownModifier, name, value
	return nil
}

// domainSpec checks a domain-spec (RFC 7208 §7.1): a macro-string ending in
// "." toplabel (with an optional trailing dot) or in a macro.
func (p *termParser) domainSpec(s string, at int) error {
	if s == "" {
		return p.fail(at, ErrMissingArg, "empty domain-spec")
	}
	if literalSpecOK(s) {
		return nil // the common case
	}
	return p.domainSpecFull(s, at)
}

// domainSpecFull is domainSpec without the fast path.
func (p *termParser) domainSpecFull(s string, at int) error {
	if off, msg := scanMacroString(s, false); msg != "" {
		return p.fail(at+off, ErrBadMacro, msg)
	}
	if endsWithMacro(s) {
		return nil
	}
	if !hasMacro(s) {
		// A literal target must be a valid name: no empty label, labels of
		// at most 63 octets, at most 253 in all (RFC 7208 §4.8, RFC 1035).
		if err := dnsname.Check(strings.TrimSuffix(s, ".")); err != nil {
			var de *dnsname.Error
			msg := err.Error()
			if errors.As(err, &de) {
				msg = de.Msg
			}
			return p.fail(at, ErrBadDomain, fmt.Sprintf("%q is not a valid domain name: %s", s, msg))
		}
	}
	d := strings.TrimSuffix(s, ".")
	dot := strings.LastIndexByte(d, '.')
	if dot < 0 {
		return p.fail(at, ErrBadDomain, fmt.Sprintf("%q has no top label (a domain-spec needs at least two labels)", s))
	}
	if top := d[dot+1:]; !isTopLabel(top) {
		return p.fail(at+dot+1, ErrBadDomain, fmt.Sprintf("%q is not a valid top label", top))
	}
	return nil
}

// ip4Term is a fast path for the commonest term, a well-formed
// [qualifier] "ip4:" address [ "/" length ]: it parses s into t and
// reports true, or reports false and leaves the term (and its error) to
// termParser.parse, which would give t the same value. colon and slash
// are the offsets of the first ':' and '/' in s, or -1.
// isIP4Prefix reports whether s starts with "ip4:" after an optional
// qualifier, in any letter case.
func isIP4Prefix(s string) bool {
	n := 0
	if len(s) > 0 && (s[0] == '+' || s[0] == '-' || s[0] == '~' || s[0] == '?') {
		n = 1
	}
	return len(s) >= n+4 && s[n+3] == ':' && foldEq(s[n:n+3], "ip4")
}

func ip4Term(t *Term, s string, colon, slash int) bool {
	q, n := QualifierPass, 0
	switch s[0] {
	case '+', '-', '~', '?':
		q, n = Qualifier(s[0]), 1
	}
	if colon != n+3 || !foldEq(s[n:colon], "ip4") {
		return false
	}
	end, bits := len(s), 32
	if slash >= 0 {
		if slash < colon {
			return false
		}
		b, ok := cidrLen(s[slash+1:], 32)
		if !ok {
			return false
		}
		end, bits = slash, b
	}
	addr, ok := parseIPv4(s[colon+1 : end])
	if !ok {
		return false
	}
	t.Kind, t.Qualifier, t.Net = KindIP4, q, netip.PrefixFrom(addr, bits)
	return true
}

// literalSpecOK is a fast check for a domain-spec without macros: it
// reports whether s is a valid name of at least two labels (with an
// optional trailing dot) ending in a valid top label. When it reports false
// domainSpec's full checks find the error (or accept a macro-string).
func literalSpecOK(s string) bool {
	d := strings.TrimSuffix(s, ".")
	if d == "" || len(d) > dnsname.MaxName {
		return false
	}
	start, lastDot := 0, -1
	for i := 0; i < len(d); i++ {
		switch d[i] {
		case '%':
			return false
		case '.':
			if i == start || i-start > dnsname.MaxLabel {
				return false
			}
			start, lastDot = i+1, i
		}
	}
	if n := len(d) - start; n == 0 || n > dnsname.MaxLabel || lastDot < 0 {
		return false
	}
	return isTopLabel(d[lastDot+1:])
}

// parseIPv4 is a fast path for a dotted-quad IPv4 address: four decimal
// fields of at most 255 without leading zeros. It accepts only what
// netip.ParseAddr accepts, with the same result; on false the caller asks
// netip.ParseAddr, which also gives the error.
func parseIPv4(s string) (netip.Addr, bool) {
	var b [4]byte
	field, n, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if digits == 0 || field == 3 {
				return netip.Addr{}, false
			}
			b[field] = byte(n)
			field, n, digits = field+1, 0, 0
			continue
		}
		if c < '0' || c > '9' || (digits == 1 && n == 0) {
			return netip.Addr{}, false
		}
		n = n*10 + int(c-'0')
		digits++
		if n > 255 {
			return netip.Addr{}, false
		}
	}
	if field != 3 || digits == 0 {
		return netip.Addr{}, false
	}
	b[3] = byte(n)
	return netip.AddrFrom4(b), true
}

// dualCIDR parses "", "/n", "//m" or "/n//m" (RFC 7208 §5.6 dual-cidr-length).
func (p *termParser) dualCIDR(t *Term, s string, at int) error {
	if s == "" {
		return nil
	}
	v4, v6 := s, ""
	if k := strings.Index(s, "//"); k >= 0 {
		v4, v6 = s[:k], s[k+1:]
	}
	if v4 != "" {
		n, ok := cidrLen(v4[1:], 32)
		if !ok {
			return p.fail(at, ErrBadCIDR, fmt.Sprintf("bad IPv4 prefix length %q (0..32, no leading zeros)", v4))
		}
		t.V4Len, t.HasV4Len = uint8(n), true
	}
	if v6 != "" {
		n, ok := cidrLen(v6[1:], 128)
		if !ok {
			return p.fail(at+len(v4)+1, ErrBadCIDR, fmt.Sprintf("bad IPv6 prefix length %q (0..128, no leading zeros)", v6))
		}
		t.V6Len, t.HasV6Len = uint8(n), true
	}
	return nil
}

// splitCIDR splits the argument of a or mx into ":domain-spec" (or "") and a
// trailing dual-cidr-length candidate, which starts at the first '/' of a
// run of "/digits" groups at the end. The domain-spec may itself contain
// '/', as the ABNF allows.
func splitCIDR(rest string) (dom, cidr string, cidrAt int) {
	end := len(rest)
	for groups := 0; groups < 3; groups++ {
		k := strings.LastIndexByte(rest[:end], '/')
		if k < 0 {
			break
		}
		if !allDigits(rest[k+1 : end]) { // "" counts: "a/" is a malformed length
			break
		}
		end = k
		if end > 0 && rest[end-1] == '/' {
			end-- // the "//" of the IPv6 length
		}
	}
	if rest != "" && rest[0] == '/' {
		return "", rest, 0
	}
	return rest[:end], rest[end:], end
}

// mechanismKind returns the kind of a mechanism name (any case), or 0.
func mechanismKind(name string) Kind {
	switch len(name) {
	case 1:
		if name[0]|0x20 == 'a' {
			return KindA
		}
	case 2:
		if foldEq(name, "mx") {
			return KindMX
		}
	case 3:
		switch {
		case foldEq(name, "all"):
			return KindAll
		case foldEq(name, "ip4"):
			return KindIP4
		case foldEq(name, "ip6"):
			return KindIP6
		case foldEq(name, "ptr"):
			return KindPTR
		}
	case 6:
		if foldEq(name, "exists") {
			return KindExists
		}
	case 7:
		if foldEq(name, "include") {
			return KindInclude
		}
	}
	return 0
}

// foldEq compares s, printable ASCII, with lower, lower-case letters and
// digits, ignoring ASCII case. Setting bit 0x20 maps only 'A'-'Z' onto
// 'a'-'z' among printable bytes, and leaves digits alone.
func foldEq(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cidrLen parses a prefix length: "0" or a number without leading zeros,
// at most max.
func cidrLen(s string, max int) (int, bool) {
	if s == "" || len(s) > 3 || !allDigits(s) || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n, n <= max
}

func isAlpha(c byte) bool    { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isAlphaNum(c byte) bool { return isAlpha(c) || isDigit(c) }

// isName reports whether s is a modifier name (RFC 7208 §12).
func isName(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlphaNum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// isTopLabel implements toplabel = ( *alphanum ALPHA *alphanum ) /
// ( 1*alphanum "-" *( alphanum / "-" ) alphanum ).
func isTopLabel(s string) bool {
	if s == "" {
		return false
	}
	letter, hyphen := false, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isAlpha(c):
			letter = true
		case isDigit(c):
		case c == '-':
			hyphen = true
		default:
			return false
		}
	}
	if hyphen {
		return s[0] != '-' && s[len(s)-1] != '-'
	}
	return letter
}
