package zone

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// ParseError describes a malformed master file: what is wrong and where.
type ParseError struct {
	Line   int // 1-based
	Column int // 1-based, in bytes
	Msg    string
}

// Error returns "zone: line L, column C: " and the message.
func (e *ParseError) Error() string {
	return fmt.Sprintf("zone: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Parse reads an RFC 1035 §5 master file ("zone file", BIND format). origin
// is the initial $ORIGIN for relative names and "@" (it may be empty when
// every name is absolute or the file sets $ORIGIN). It applies the default
// limits of MasterFileReader.
//
// Supported: $ORIGIN, $TTL, relative names, "@", owner inheritance from a
// line that starts with white space, TTL and class in either order (CLASS1
// is IN), BIND time units (1h30m), parentheses across lines, comments,
// quoted strings with \" \\ and \DDD escapes, several strings per TXT record;
// types A, AAAA, MX, TXT, SPF, CNAME, PTR, NS and SOA, also in the RFC 3597
// generic form (\# length hex). Other known types (CAA, SRV, DS, …) and RFC
// 3597 TYPEnnn records are kept as opaque data, with a Note. Names with
// U-labels are stored as A-labels. $INCLUDE and $GENERATE are errors: they
// would need the file system or expand into unbounded data.
func Parse(r io.Reader, origin string) (*Zone, error) {
	return (&MasterFileReader{Origin: origin}).Read(r)
}

// ParseString is Parse on a string.
func ParseString(s, origin string) (*Zone, error) {
	return (&MasterFileReader{Origin: origin}).parse(s)
}

// MasterFileReader reads master files (see Parse) with limits on what it
// accepts. The zero value is ready to use and applies the default limits.
type MasterFileReader struct {
	// Origin is the initial $ORIGIN, as for Parse.
	Origin string
	// MaxBytes bounds the input. If zero, 64 MiB.
	MaxBytes int64
	// MaxRecords bounds the records read. If zero, 1000000.
	MaxRecords int
}

// ErrTooLarge is returned (wrapped) when a master file exceeds a limit of
// MasterFileReader.
var ErrTooLarge = errors.New("zone: master file exceeds limit")

func (rd *MasterFileReader) maxBytes() int64 {
	if rd.MaxBytes > 0 {
		return rd.MaxBytes
	}
	return 64 << 20
}

// Read parses the master file r into a new Zone.
func (rd *MasterFileReader) Read(r io.Reader) (*Zone, error) {
	limit := rd.maxBytes()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("zone: reading master file: %w", err)
	}
	return rd.parse(string(data))
}

func (rd *MasterFileReader) parse(s string) (*Zone, error) {
	if limit := rd.maxBytes(); int64(len(s)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)
	}
	maxRecords := rd.MaxRecords
	if maxRecords <= 0 {
		maxRecords = 1000000
	}
	p := &parser{lx: lexer{in: s, line: 1, col: 1}, z: New()}
	if rd.Origin == "." {
		p.origin = "." // the root: relative names are absolute as written
	} else if origin := rd.Origin; origin != "" {
		o, err := dnsname.Normalize(origin)
		if err != nil {
			return nil, fmt.Errorf("zone: origin: %w", err)
		}
		p.origin = o
	}
	records := 0
	for {
		e, err := p.lx.next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return p.z, nil
		}
		isRecord := e.blankOwner || !strings.HasPrefix(e.tokens[0].raw, "$")
		if isRecord {
			if records++; records > maxRecords {
				return nil, fmt.Errorf("%w: line %d: more than %d records", ErrTooLarge, e.line, maxRecords)
			}
		}
		if err := p.entry(e); err != nil {
			return nil, err
		}
	}
}

type parser struct {
	lx         lexer
	z          *Zone
	origin     string
	defaultTTL uint32 // from $TTL
	hasDefault bool   // a $TTL was seen
	lastTTL    uint32
	lastOwner  string
	notedTTL   bool
}

func (p *parser) errAt(t token, format string, args ...any) error {
	return &ParseError{Line: t.line, Column: t.col, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) note(line int, format string, args ...any) {
	p.z.notes = append(p.z.notes, Note{Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) entry(e *entry) error {
	toks := e.tokens
	if !e.blankOwner && strings.HasPrefix(toks[0].raw, "$") {
		return p.directive(toks)
	}
	var owner string
	if e.blankOwner {
		if p.lastOwner == "" {
			return p.errAt(toks[0], "line starts with white space but no earlier record names an owner")
		}
		owner = p.lastOwner
	} else {
		var err error
		if owner, err = p.name(toks[0]); err != nil {
			return err
		}
		toks = toks[1:]
	}
	p.lastOwner = owner
	ttl, hasTTL := uint32(0), false
	for len(toks) > 0 && !toks[0].quoted {
		t := toks[0]
		if isDigit(t.text[0]) && !hasTTL {
			v, err := parseTTL(t.text)
			if err != nil {
				return p.errAt(t, "TTL %q: %v", t.text, err)
			}
			ttl, hasTTL = v, true
		} else if isClass(t.text) {
			// RFC 3597 §5: CLASS1 is another spelling of IN.
			if !strings.EqualFold(t.text, "IN") && !strings.EqualFold(t.text, "CLASS1") {
				return p.errAt(t, "class %s is not supported; only IN", t.text)
			}
		} else {
			break
		}
		toks = toks[1:]
	}
	if len(toks) == 0 {
		return &ParseError{Line: e.line, Column: 1, Msg: "record has no type"}
	}
	typ, ok := ParseType(toks[0].text)
	if !ok || toks[0].quoted || typ == TypeANY {
		return p.errAt(toks[0], "unknown record type %q", toks[0].text)
	}
	ttl = p.ttl(ttl, hasTTL, e.line)
	rr := RR{Name: owner, Type: typ, TTL: ttl}
	if err := p.rdata(&rr, toks[0], toks[1:]); err != nil {
		return err
	}
	if err := rr.validate(); err != nil {
		return p.errAt(toks[0], "%v", err)
	}
	p.z.mu.Lock()
	p.z.addLocked(rr)
	p.z.mu.Unlock()
	return nil
}

// ttl picks the TTL for a record: its own, else $TTL, else the previous
// record's (RFC 1035 §5.1), else DefaultTTL with a note.
func (p *parser) ttl(ttl uint32, has bool, line int) uint32 {
	switch {
	case has:
	case p.hasDefault:
		ttl = p.defaultTTL
	case p.lastTTL != 0:
		ttl = p.lastTTL
	default:
		ttl = DefaultTTL
		if !p.notedTTL {
			p.note(line, "no $TTL and no TTL on the record: %d used", DefaultTTL)
			p.notedTTL = true
		}
	}
	p.lastTTL = ttl
	return ttl
}

func (p *parser) directive(toks []token) error {
	d := strings.ToUpper(toks[0].text)
	switch d {
	case "$ORIGIN":
		if len(toks) != 2 {
			return p.errAt(toks[0], "$ORIGIN takes one domain name")
		}
		o, err := p.name(toks[1])
		if err != nil {
			return err
		}
		p.origin = o
	case "$TTL":
		if len(toks) != 2 {
			return p.errAt(toks[0], "$TTL takes one time value")
		}
		v, err := parseTTL(toks[1].text)
		if err != nil {
			return p.errAt(toks[1], "$TTL %q: %v", toks[1].text, err)
		}
		p.defaultTTL, p.hasDefault = v, true
	case "$INCLUDE":
		return p.errAt(toks[0], "$INCLUDE is not supported: put the included records in this file")
	case "$GENERATE":
		return p.errAt(toks[0], "$GENERATE is not supported: write the records out")
	default:
		return p.errAt(toks[0], "unknown directive %s", toks[0].text)
	}
	return nil
}

// name qualifies a domain-name field against the origin.
func (p *parser) name(t token) (string, error) {
	s := t.text
	if t.dotEsc {
		return "", p.errAt(t, "name %q: an escaped dot inside a label is not supported", s)
	}
	switch {
	case s == "@":
		if p.origin == "" {
			return "", p.errAt(t, "'@' used but no origin is set; give one or add $ORIGIN")
		}
		return p.origin, nil
	case s == ".":
		return ".", nil
	case strings.HasSuffix(s, "."):
		s = s[:len(s)-1]
	case p.origin == "":
		return "", p.errAt(t, "relative name %q but no origin is set; end it with '.' or add $ORIGIN", s)
	case p.origin != ".":
		s += "." + p.origin
	}
	s = dnsname.Lower(s)
	if err := dnsname.Check(s); err != nil {
		return "", p.errAt(t, "%v", err)
	}
	return key(s), nil // U-labels become A-labels, as in Zone.Add
}

// rdata fills rr from the fields after the type.
func (p *parser) rdata(rr *RR, typTok token, f []token) error {
	want := func(n int) error {
		if len(f) != n {
			return p.errAt(typTok, "%v record needs %d field(s) after the type, found %d", rr.Type, n, len(f))
		}
		return nil
	}
	if len(f) > 0 && f[0].raw == `\#` {
		if _, ok := structured[rr.Type]; ok {
			return p.generic(rr, typTok, f)
		}
	}
	switch rr.Type {
	case TypeA, TypeAAAA:
		if err := want(1); err != nil {
			return err
		}
		a, err := netip.ParseAddr(f[0].text)
		if err != nil || (rr.Type == TypeA) != a.Is4() || a.Zone() != "" {
			return p.errAt(f[0], "%q is not a valid %v address", f[0].text, rr.Type)
		}
		rr.Addr = a
	case TypeCNAME, TypePTR, TypeNS:
		if err := want(1); err != nil {
			return err
		}
		n, err := p.name(f[0])
		if err != nil {
			return err
		}
		rr.Target = n
	case TypeMX:
		if err := want(2); err != nil {
			return err
		}
		pref, err := strconv.ParseUint(f[0].text, 10, 16)
		if err != nil {
			return p.errAt(f[0], "MX preference %q is not a number from 0 to 65535", f[0].text)
		}
		n, err := p.name(f[1])
		if err != nil {
			return err
		}
		rr.Pref, rr.Target = uint16(pref), n
	case TypeTXT, TypeSPF:
		return p.text(rr, typTok, f)
	case TypeSOA:
		return p.soa(rr, f, want)
	default:
		p.note(typTok.line, "%v record at %s kept as opaque data", rr.Type, rr.Name)
		rr.Data = joinFields(f)
	}
	return nil
}

func (p *parser) text(rr *RR, typTok token, f []token) error {
	if len(f) == 0 {
		p.note(typTok.line, "%v record at %s has no strings", rr.Type, rr.Name)
		rr.Text = []string{}
		return nil
	}
	rr.Text = make([]string, len(f))
	for i, t := range f {
		if len(t.text) > MaxStringLen {
			return p.errAt(t, "string of %d bytes is longer than %d; split it into several quoted strings", len(t.text), MaxStringLen)
		}
		rr.Text[i] = t.text
	}
	return nil
}

func (p *parser) soa(rr *RR, f []token, want func(int) error) error {
	if err := want(7); err != nil {
		return err
	}
	var soa SOA
	var err error
	if soa.MName, err = p.name(f[0]); err != nil {
		return err
	}
	if soa.RName, err = p.name(f[1]); err != nil {
		return err
	}
	for i, dst := range []*uint32{&soa.Serial, &soa.Refresh, &soa.Retry, &soa.Expire, &soa.Minimum} {
		t := f[2+i]
		var v uint32
		if i == 0 {
			n, perr := strconv.ParseUint(t.text, 10, 32)
			v, err = uint32(n), perr
		} else {
			v, err = parseTTL(t.text)
		}
		if err != nil {
			return p.errAt(t, "SOA field %q is not a valid number", t.text)
		}
		*dst = v
	}
	rr.SOA = &soa
	return nil
}

// joinFields keeps opaque RDATA as written, fields separated by one space.
func joinFields(f []token) string {
	parts := make([]string, len(f))
	for i, t := range f {
		parts[i] = t.raw
	}
	return strings.Join(parts, " ")
}

func isClass(s string) bool {
	switch strings.ToUpper(s) {
	case "IN", "CH", "HS", "CS":
		return true
	}
	return len(s) > 5 && strings.EqualFold(s[:5], "CLASS") && isDigit(s[5])
}

// parseTTL reads a TTL in seconds or with BIND units (1w2d3h4m5s), at most
// 2^31-1 (RFC 2181 §8).
func parseTTL(s string) (uint32, error) {
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		if n > 1<<31-1 {
			return 0, fmt.Errorf("more than 2147483647")
		}
		return uint32(n), nil
	}
	var total, cur uint64
	digits := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isDigit(c) {
			cur = cur*10 + uint64(c-'0')
			digits = true
			if cur > 1<<31 {
				return 0, fmt.Errorf("more than 2147483647")
			}
			continue
		}
		var unit uint64
		switch c | 0x20 {
		case 's':
			unit = 1
		case 'm':
			unit = 60
		case 'h':
			unit = 3600
		case 'd':
			unit = 86400
		case 'w':
			unit = 604800
		default:
			return 0, fmt.Errorf("not a number or a time such as 1h30m")
		}
		if !digits {
			return 0, fmt.Errorf("unit %q without a number", c)
		}
		total += cur * unit
		cur, digits = 0, false
		if total > 1<<31-1 {
			return 0, fmt.Errorf("more than 2147483647")
		}
	}
	if digits {
		return 0, fmt.Errorf("number after the last unit has no unit")
	}
	return uint32(total), nil
}

// structured lists the types whose RDATA the zone decodes into RR fields;
// any other type is kept as opaque presentation data.
var structured = map[Type]struct{}{
	TypeA: {}, TypeAAAA: {}, TypeNS: {}, TypeCNAME: {}, TypeSOA: {}, TypePTR: {},
	TypeMX: {}, TypeTXT: {}, TypeSPF: {},
}

// generic decodes RFC 3597 §5 generic RDATA ("\# length hex…") for a type
// the zone understands, so that it is held in the same fields as the
// ordinary presentation form and never kept as mangled text.
func (p *parser) generic(rr *RR, typTok token, f []token) error {
	if len(f) < 2 {
		return p.errAt(f[0], `generic RDATA needs a length after \#`)
	}
	n, err := strconv.ParseUint(f[1].text, 10, 16)
	if err != nil {
		return p.errAt(f[1], "generic RDATA length %q is not a number from 0 to 65535", f[1].text)
	}
	var hexText strings.Builder
	for _, t := range f[2:] {
		hexText.WriteString(t.text)
	}
	data, err := hex.DecodeString(hexText.String())
	if err != nil || uint64(len(data)) != n {
		return p.errAt(f[1], "generic RDATA: hex data is not %d bytes", n)
	}
	bad := func(what string) error {
		return p.errAt(typTok, "generic RDATA for %v: %s", rr.Type, what)
	}
	switch rr.Type {
	case TypeA, TypeAAAA:
		a, ok := netip.AddrFromSlice(data)
		if !ok || (rr.Type == TypeA) != (len(data) == 4) {
			return bad("wrong length for an address")
		}
		rr.Addr = a
	case TypeTXT, TypeSPF:
		rr.Text = []string{}
		for len(data) > 0 {
			l := int(data[0])
			if 1+l > len(data) {
				return bad("character-string runs past the end")
			}
			rr.Text = append(rr.Text, string(data[1:1+l]))
			data = data[1+l:]
		}
	case TypeCNAME, TypePTR, TypeNS:
		if rr.Target, data, err = wireName(data); err != nil || len(data) != 0 {
			return bad("not one domain name")
		}
	case TypeMX:
		if len(data) < 3 {
			return bad("too short")
		}
		rr.Pref = binary.BigEndian.Uint16(data)
		if rr.Target, data, err = wireName(data[2:]); err != nil || len(data) != 0 {
			return bad("not a preference and a domain name")
		}
	case TypeSOA:
		var soa SOA
		if soa.MName, data, err = wireName(data); err != nil {
			return bad("bad MNAME")
		}
		if soa.RName, data, err = wireName(data); err != nil {
			return bad("bad RNAME")
		}
		if len(data) != 20 {
			return bad("wrong length")
		}
		for i, dst := range []*uint32{&soa.Serial, &soa.Refresh, &soa.Retry, &soa.Expire, &soa.Minimum} {
			*dst = binary.BigEndian.Uint32(data[4*i:])
		}
		rr.SOA = &soa
	}
	return nil
}

// wireName decodes an uncompressed domain name in wire form (RFC 1035
// §3.1) into the zone's form: lower case, no trailing dot, "." for the root.
// A label holding a dot cannot be represented and is an error.
func wireName(b []byte) (string, []byte, error) {
	var name []byte
	for {
		if len(b) == 0 {
			return "", nil, errors.New("name runs past the end")
		}
		l := int(b[0])
		if l == 0 {
			b = b[1:]
			break
		}
		if l > dnsname.MaxLabel || 1+l > len(b) {
			return "", nil, errors.New("bad label length")
		}
		label := b[1 : 1+l]
		if bytes.IndexByte(label, '.') >= 0 {
			return "", nil, errors.New("dot inside a label")
		}
		if len(name) > 0 {
			name = append(name, '.')
		}
		name = append(name, label...)
		b = b[1+l:]
	}
	if len(name) == 0 {
		return ".", b, nil
	}
	s := dnsname.Lower(string(name))
	if err := dnsname.Check(s); err != nil {
		return "", nil, err
	}
	return key(s), b, nil
}
