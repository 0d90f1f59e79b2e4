package zone

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Type is a DNS resource record type (RFC 1035 §3.2.2 and later registries).
type Type uint16

// The types the zone understands. Records of other types can be held as
// opaque presentation data (RR.Data) under their own type number.
const (
	TypeA     Type = 1
	TypeNS    Type = 2
	TypeCNAME Type = 5
	TypeSOA   Type = 6
	TypePTR   Type = 12
	TypeMX    Type = 15
	TypeTXT   Type = 16
	TypeAAAA  Type = 28
	TypeSPF   Type = 99 // RFC 7208 §3.1: deprecated, kept so lint can see it
	// TypeANY selects every type in SetFault; it is not a record type.
	TypeANY Type = 255
)

// typeNames lists the mnemonics the master-file parser accepts. The types
// without a constant above are kept as opaque data.
var typeNames = map[string]Type{
	"A": TypeA, "NS": TypeNS, "CNAME": TypeCNAME, "SOA": TypeSOA, "PTR": TypePTR,
	"MX": TypeMX, "TXT": TypeTXT, "AAAA": TypeAAAA, "SPF": TypeSPF,
	"HINFO": 13, "RP": 17, "AFSDB": 18, "SIG": 24, "KEY": 25, "LOC": 29, "SRV": 33,
	"NAPTR": 35, "CERT": 37, "DNAME": 39, "DS": 43, "SSHFP": 44, "RRSIG": 46,
	"NSEC": 47, "DNSKEY": 48, "NSEC3": 50, "NSEC3PARAM": 51, "TLSA": 52,
	"SMIMEA": 53, "CDS": 59, "CDNSKEY": 60, "OPENPGPKEY": 61, "CSYNC": 62,
	"ZONEMD": 63, "SVCB": 64, "HTTPS": 65, "URI": 256, "CAA": 257,
}

// typeMnemonics is typeNames inverted; both are read-only after init.
var typeMnemonics = func() map[Type]string {
	m := make(map[Type]string, len(typeNames))
	for name, t := range typeNames {
		m[t] = name
	}
	return m
}()

// String returns the type's mnemonic, or "TYPEnnn" (RFC 3597) for others.
func (t Type) String() string {
	if name, ok := typeMnemonics[t]; ok {
		return name
	}
	if t == TypeANY {
		return "ANY"
	}
	return "TYPE" + strconv.Itoa(int(t))
}

// ParseType returns the type named by a mnemonic ("TXT", case-insensitive) or
// by the RFC 3597 form "TYPE99".
func ParseType(s string) (Type, bool) {
	u := strings.ToUpper(s)
	if t, ok := typeNames[u]; ok {
		return t, true
	}
	if rest, ok := strings.CutPrefix(u, "TYPE"); ok {
		n, err := strconv.ParseUint(rest, 10, 16)
		if err == nil && n > 0 {
			return Type(n), true
		}
	}
	return 0, false
}

// SOA holds the fields of a start-of-authority record (RFC 1035 §3.3.13).
type SOA struct {
	MName   string // primary name server
	RName   string // mailbox of the person responsible, as a domain name
	Serial  uint32
	Refresh uint32 // seconds
	Retry   uint32
	Expire  uint32
	Minimum uint32 // negative-caching TTL (RFC 2308)
}

// RR is one resource record. Which fields are used depends on Type:
//
//	A, AAAA           Addr
//	CNAME, PTR, NS    Target
//	MX                Pref, Target ("." for a null MX, RFC 7505)
//	TXT, SPF          Text: the character-strings, each at most 255 bytes
//	SOA               SOA
//	any other type    Data: the RDATA in presentation form, kept as read
//
// Names are absolute; a trailing dot is optional and case is not significant.
// Zone.Add keeps only the fields the type uses.
// Zone.Add gives a TTL of 0 the value DefaultTTL (records built in code rarely
// care); the master-file and Route 53 readers keep an explicit 0.
type RR struct {
	Name   string
	Type   Type
	TTL    uint32
	Addr   netip.Addr
	Target string
	Pref   uint16
	Text   []string
	SOA    *SOA
	Data   string
}

// MaxStringLen is the longest DNS character-string (RFC 1035 §3.3).
const MaxStringLen = 255

// MaxRDATALen is the most RDATA one record can hold: RDLENGTH is a 16-bit
// field (RFC 1035 §3.2.1). A TXT record's RDATA is its character-strings,
// each with a length byte.
const MaxRDATALen = 65535

// validate checks the fields Type uses.
func (rr *RR) validate() error {
	switch rr.Type {
	case TypeA:
		if !rr.Addr.Is4() {
			return fmt.Errorf("record %s: type A needs an IPv4 address, got %v", rr.Name, rr.Addr)
		}
	case TypeAAAA:
		if !rr.Addr.Is6() || rr.Addr.Zone() != "" {
			return fmt.Errorf("record %s: type AAAA needs an IPv6 address without a zone, got %v", rr.Name, rr.Addr)
		}
	case TypeCNAME, TypePTR, TypeNS, TypeMX:
		if rr.Target == "" {
			return fmt.Errorf("record %s: type %v needs a target name", rr.Name, rr.Type)
		}
	case TypeTXT, TypeSPF:
		rdlen := 0
		for i, s := range rr.Text {
			if len(s) > MaxStringLen {
				return fmt.Errorf("record %s: type %v: string %d is %d bytes, more than %d", rr.Name, rr.Type, i, len(s), MaxStringLen)
			}
			rdlen += 1 + len(s)
		}
		if rdlen > MaxRDATALen {
			return fmt.Errorf("record %s: type %v: %d bytes of RDATA, more than %d: no server can serve it; shorten the text or split it over several names", rr.Name, rr.Type, rdlen, MaxRDATALen)
		}
	case TypeSOA:
		if rr.SOA == nil {
			return fmt.Errorf("record %s: type SOA needs its fields", rr.Name)
		}
	case TypeANY, 0:
		return fmt.Errorf("record %s: %v is not a record type", rr.Name, rr.Type)
	default:
		if d, err := canonicalData(rr.Data); err != nil || d != rr.Data {
			if err == nil {
				err = fmt.Errorf("fields must be separated by one space")
			}
			return fmt.Errorf("record %s: type %v: data %q: %v", rr.Name, rr.Type, rr.Data, err)
		}
	}
	return nil
}

// canonicalData checks opaque RDATA in presentation form, so that a master
// file written from it reads back the same: quoted strings closed, no line
// breaks, and no ';', '(' or ')' outside quotes unless escaped. It returns
// the fields separated by single spaces.
func canonicalData(s string) (string, error) {
	var b strings.Builder
	inQuote := false
	sep := true          // at the start or after white space
	closedQuote := false // just after a quoted string, which ends a field
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' {
			return "", fmt.Errorf("line break")
		}
		esc := 0 // bytes after a '\\' that belong to its escape
		if c == '\\' {
			var err error
			if esc, err = escapeLen(s[i+1:]); err != nil {
				return "", err
			}
		}
		if inQuote {
			b.WriteString(s[i : i+1+esc])
			i += esc
			if c == '"' {
				inQuote, closedQuote = false, true
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r': // the master-file lexer's white space
			sep, closedQuote = true, false
			continue
		case ';', '(', ')':
			return "", fmt.Errorf("%q outside quotes", c)
		}
		// As the master-file lexer splits fields: white space separates them,
		// and a quoted string is always a field of its own.
		if (sep || closedQuote || c == '"') && b.Len() > 0 {
			b.WriteByte(' ')
		}
		sep, closedQuote = false, false
		b.WriteString(s[i : i+1+esc])
		i += esc
		if c == '"' {
			inQuote = true
		}
	}
	if inQuote {
		return "", fmt.Errorf("quoted string not closed")
	}
	return b.String(), nil
}

// escapeLen checks what follows a '\\' as the master-file lexer reads it
// (RFC 1035 §5.1: \X, or \DDD up to 255) and returns its length.
func escapeLen(s string) (int, error) {
	switch {
	case s == "" || s[0] == '\n':
		return 0, fmt.Errorf("'\\' at the end")
	case !isDigit(s[0]):
		return 1, nil
	case len(s) < 3 || !isDigit(s[1]) || !isDigit(s[2]):
		return 0, fmt.Errorf("escape \\DDD needs three decimal digits")
	case (int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0')) > 255:
		return 0, fmt.Errorf("escape \\%s is more than 255", s[:3])
	}
	return 3, nil
}

// used returns rr with only the fields its Type uses, so that a record
// reads back from a written zone exactly as it was added.
func (rr RR) used() RR {
	out := RR{Name: rr.Name, Type: rr.Type, TTL: rr.TTL}
	switch rr.Type {
	case TypeA, TypeAAAA:
		out.Addr = rr.Addr
	case TypeCNAME, TypePTR, TypeNS:
		out.Target = rr.Target
	case TypeMX:
		out.Pref, out.Target = rr.Pref, rr.Target
	case TypeTXT, TypeSPF:
		out.Text = rr.Text
	case TypeSOA:
		out.SOA = rr.SOA
	default:
		out.Data = rr.Data
	}
	return out
}

// Joined returns a TXT record's character-strings concatenated, the form
// net.Resolver.LookupTXT gives and SPF and DKIM read (RFC 7208 §3.3).
func (rr RR) Joined() string { return strings.Join(rr.Text, "") }

// SplitString cuts s into character-strings of at most 255 bytes, the way a
// long TXT value (a 2048-bit DKIM key, a long SPF record) must be published.
// An empty s gives one empty string.
func SplitString(s string) []string {
	if len(s) <= MaxStringLen {
		return []string{s}
	}
	out := make([]string, 0, (len(s)+MaxStringLen-1)/MaxStringLen)
	for len(s) > MaxStringLen {
		out = append(out, s[:MaxStringLen])
		s = s[MaxStringLen:]
	}
	return append(out, s)
}
