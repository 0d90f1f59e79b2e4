package receiver

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// DefaultMaxPathLength is the longest reverse-path ParsePath accepts, in
// octets with its angle brackets: RFC 5321 §4.5.3.1.3.
const DefaultMaxPathLength = 256

// maxDomain is the longest domain of a mailbox (RFC 5321 §4.5.3.1.2), and
// maxLabel the longest label of it (RFC 1035 §2.3.4).
const (
	maxDomain = 255
	maxLabel  = 63
)

// Sentinel errors wrapped by a *PathError; match them with errors.Is.
var (
	// ErrPathSyntax: the reverse-path does not follow RFC 5321 §4.1.2.
	ErrPathSyntax = errors.New("malformed reverse-path")
	// ErrPathTooLong: the reverse-path is longer than the bound.
	ErrPathTooLong = errors.New("reverse-path too long")
)

// PathError describes a reverse-path that could not be read.
type PathError struct {
	// Path is the input, cut to its first 64 octets when longer.
	Path string
	// Offset is the byte offset of the problem in the input.
	Offset int
	// Msg says what was expected and what was found.
	Msg string
	// Err is ErrPathSyntax or ErrPathTooLong.
	Err error
}

// Error returns the message with the input and the offset it concerns.
func (e *PathError) Error() string {
	return fmt.Sprintf("receiver: %v %q at offset %d: %s", e.Err, e.Path, e.Offset, e.Msg)
}

// Unwrap returns the sentinel error.
func (e *PathError) Unwrap() error { return e.Err }

// Path is a parsed reverse-path (RFC 5321 §4.1.2): the null path "<>" or a
// mailbox. A source route is read and dropped (RFC 5321 §4.1.2 and
// Appendix C: receivers SHOULD ignore it). ParsePath(p.String()) equals p.
type Path struct {
	// Null reports the null reverse-path "<>" (RFC 5321 §4.5.5), used by
	// notifications such as bounces. Local and Domain are then empty.
	Null bool
	// Local is the local part as written: a dot-string, or a
	// quoted-string with its quotes and backslashes (`"a@b"`), as SPF's
	// %{l} macro takes it (RFC 7208 §4.1).
	Local string
	// Domain is the domain as written (case kept, U-labels allowed by RFC
	// 6531), or an address literal with its brackets ("[192.0.2.1]").
	Domain string
}

// String returns the path in angle brackets: "<>" or "<local@domain>".
func (p Path) String() string {
	if p.Null {
		return "<>"
	}
	return "<" + p.Mailbox() + ">"
}

// Mailbox returns "local@domain", or "" for the null path.
func (p Path) Mailbox() string {
	if p.Null {
		return ""
	}
	return p.Local + "@" + p.Domain
}

// IsAddressLiteral reports whether Domain is an address literal
// ("[192.0.2.1]", "[IPv6:2001:db8::1]") rather than a domain name.
func (p Path) IsAddressLiteral() bool { return strings.HasPrefix(p.Domain, "[") }

// ParsePath reads a reverse-path as the MAIL command gives it, without the
// "FROM:" and without ESMTP parameters, with the default bound
// (DefaultMaxPathLength). See Checker.ParsePath.
func ParsePath(s string) (Path, error) {
	return parsePath(s, DefaultMaxPathLength)
}

// ParsePath reads a reverse-path as the MAIL command gives it, without the
// "FROM:" and without ESMTP parameters, by RFC 5321 §4.1.2 with the UTF-8
// of RFC 6531 allowed in the local part and the domain:
//
//   - "<>" (and "", which callers use for it) is the null path;
//   - "<mailbox>" or the bare mailbox, which many clients send;
//   - a source route "<@a.example,@b.example:user@example.org>" is dropped;
//   - the local part is a dot-string or a quoted-string, so that
//     `"a@b"@mail.example.org` is the mailbox of mail.example.org;
//   - the domain is a domain name or an address literal.
//
// White space around the path is ignored. A path longer than
// c.MaxPathLength octets, counted with its angle brackets (as String
// writes it), is an error wrapping ErrPathTooLong; anything
// else it cannot read, one wrapping ErrPathSyntax.
func (c *Checker) ParsePath(s string) (Path, error) {
	return parsePath(s, c.maxPathLength())
}

func (c *Checker) maxPathLength() int {
	if c.MaxPathLength > 0 {
		return c.MaxPathLength
	}
	return DefaultMaxPathLength
}

// pathParser reads one reverse-path; off indexes s.
type pathParser struct {
	s   string
	off int
	err *PathError
}

func (p *pathParser) fail(msg string, args ...any) {
	if p.err == nil {
		in := p.s
		if len(in) > 64 {
			in = in[:64]
		}
		p.err = &PathError{Path: in, Offset: p.off, Msg: fmt.Sprintf(msg, args...), Err: ErrPathSyntax}
	}
}

func parsePath(s string, maxLen int) (Path, error) {
	// Offsets refer to the input as given: count the white space trimmed.
	lead := len(s) - len(strings.TrimLeft(s, " \t"))
	t := strings.TrimRight(s[lead:], " \t")
	p := &pathParser{s: s, off: lead}
	n := len(t) // counted with its brackets, which a bare mailbox lacks
	if t != "" && t[0] != '<' {
		n += 2
	}
	switch {
	case n > maxLen:
		p.off += min(len(t), maxLen)
		p.fail("%d octets with the angle brackets, more than %d (RFC 5321 §4.5.3.1.3)", n, maxLen)
		p.err.Err = ErrPathTooLong
		return Path{}, p.err
	case t == "" || t == "<>":
		return Path{Null: true}, nil
	}
	end := lead + len(t)
	bracket := s[lead] == '<'
	if bracket {
		if s[end-1] != '>' {
			p.off = end
			p.fail("no '>' closing the path")
			return Path{}, p.err
		}
		p.off++
		end--
		if p.off < end && s[p.off] == '@' {
			p.route(end)
		}
	}
	var path Path
	start := p.off
	p.localPart(end)
	path.Local = s[start:p.off]
	switch {
	case p.err != nil:
	case p.off >= end:
		p.fail("no '@' after the local part")
	case s[p.off] != '@':
		p.fail("unexpected %q after the local part", s[p.off])
	}
	if p.err != nil {
		return Path{}, p.err
	}
	p.off++
	start = p.off
	p.domain(end)
	if p.err == nil && p.off != end {
		p.fail("unexpected %q after the domain", s[p.off])
	}
	if p.err != nil {
		return Path{}, p.err
	}
	path.Domain = s[start:p.off]
	return path, nil
}

// route skips an A-d-l and its ':' (RFC 5321 §4.1.2: At-domain *( ","
// At-domain ) ":"), checking each domain.
func (p *pathParser) route(end int) {
	for p.err == nil {
		p.off++ // '@'
		p.domainName(end)
		if p.err != nil || p.off >= end {
			p.fail("source route without ':'")
			return
		}
		switch p.s[p.off] {
		case ':':
			p.off++
			return
		case ',':
			p.off++
			if p.off >= end || p.s[p.off] != '@' {
				p.fail("expected '@' after ',' in the source route")
			}
		default:
			p.fail("unexpected %q in the source route", p.s[p.off])
		}
	}
}

// localPart reads a Dot-string or a Quoted-string (RFC 5321 §4.1.2, RFC
// 6531 §3.3 for UTF-8).
func (p *pathParser) localPart(end int) {
	s := p.s
	if p.off < end && s[p.off] == '"' {
		p.off++
		for p.off < end {
			c := s[p.off]
			switch {
			case c == '"':
				p.off++
				return
			case c == '\\':
				// quoted-pairSMTP = %d92 %d32-126
				if p.off+1 >= end || s[p.off+1] < 32 || s[p.off+1] > 126 {
					p.off++
					p.fail("invalid quoted pair")
					return
				}
				p.off += 2
			case c >= 32 && c <= 126:
				p.off++
			case c >= 0x80:
				if !p.utf8() {
					return
				}
			default:
				p.fail("control character 0x%02x in the quoted local part", c)
				return
			}
		}
		p.fail("unterminated quoted local part")
		return
	}
	atom := p.off
	for p.off < end {
		c := s[p.off]
		switch {
		case isAtext(c):
			p.off++
		case c >= 0x80:
			if !p.utf8() {
				return
			}
		case c == '.':
			if p.off == atom {
				p.fail("empty atom in the local part")
				return
			}
			p.off++
			atom = p.off
		default:
			if p.off == atom {
				p.fail("empty atom in the local part")
			}
			return
		}
	}
	if p.off == atom {
		p.fail("empty atom in the local part")
	}
}

// utf8 steps over one UTF-8 sequence, failing on an invalid one.
func (p *pathParser) utf8() bool {
	r, n := utf8.DecodeRuneInString(p.s[p.off:])
	if r == utf8.RuneError || r < 0xa0 {
		// C1 controls have no place in an address (RFC 6531 §3.3 uses
		// RFC 6532's UTF8-non-ascii; these are controls nonetheless).
		p.fail("invalid or control UTF-8 sequence")
		return false
	}
	p.off += n
	return true
}

// isAtext reports an RFC 5322 §3.2.3 atext character.
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// domain reads a Domain or an address-literal.
func (p *pathParser) domain(end int) {
	if p.off < end && p.s[p.off] == '[' {
		p.addressLiteral(end)
		return
	}
	p.domainName(end)
}

// domainName reads Domain = sub-domain *("." sub-domain), where a
// sub-domain is an LDH label or, with RFC 6531, a U-label.
func (p *pathParser) domainName(end int) {
	s := p.s
	start, label := p.off, p.off
	ascii := true
	for p.off <= end {
		var c byte
		if p.off < end {
			c = s[p.off]
		}
		switch {
		case p.off < end && (isLetDig(c) || c == '-'):
			p.off++
			continue
		case p.off < end && c >= 0x80:
			ascii = false
			if !p.utf8() {
				return
			}
			continue
		}
		// The end of a label.
		switch {
		case p.off == label:
			p.fail("empty label in the domain")
			return
		case p.off-label > maxLabel:
			p.fail("label longer than %d octets", maxLabel)
			return
		case ascii && (s[label] == '-' || s[p.off-1] == '-'):
			p.fail("label starts or ends with '-'")
			return
		}
		if p.off < end && c == '.' {
			p.off++
			label, ascii = p.off, true
			continue
		}
		break
	}
	if p.off-start > maxDomain {
		p.fail("domain longer than %d octets (RFC 5321 §4.5.3.1.2)", maxDomain)
	}
}

func isLetDig(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// addressLiteral reads "[" ( IPv4 / "IPv6:" IPv6 / tag ":" dcontent ) "]"
// (RFC 5321 §4.1.3).
func (p *pathParser) addressLiteral(end int) {
	s := p.s
	close := strings.IndexByte(s[p.off:end], ']')
	if close < 0 {
		p.fail("unterminated address literal")
		return
	}
	lit := s[p.off+1 : p.off+close]
	tag, rest, general := strings.Cut(lit, ":")
	switch {
	case !general:
		a, err := netip.ParseAddr(lit)
		if err != nil || !a.Is4() {
			p.fail("invalid IPv4 address literal")
			return
		}
	case strings.EqualFold(tag, "IPv6"):
		a, err := netip.ParseAddr(rest)
		if err != nil || !a.Is6() || a.Zone() != "" {
			p.fail("invalid IPv6 address literal")
			return
		}
	default:
		// General-address-literal = Standardized-tag ":" 1*dcontent
		ok := tag != "" && rest != "" && isLetDig(tag[0]) && isLetDig(tag[len(tag)-1])
		for i := 0; ok && i < len(tag); i++ {
			ok = isLetDig(tag[i]) || tag[i] == '-'
		}
		for i := 0; ok && i < len(rest); i++ {
			ok = rest[i] >= 33 && rest[i] <= 126 && rest[i] != '[' && rest[i] != '\\' && rest[i] != ']'
		}
		if !ok {
			p.fail("invalid address literal")
			return
		}
	}
	p.off += close + 1
}
