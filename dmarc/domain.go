package dmarc

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// ErrInvalidDomain means an input that must be a domain name is not one.
// Errors wrapping it are *DomainError values.
var ErrInvalidDomain = errors.New("dmarc: not a domain name")

// DomainError reports input that is not a domain name where one belongs:
// an Author Domain, an authenticated identifier, a domain to look up. An
// address ("a@example.org"), a quoted string, white space, control and
// format characters, and anything IDNA or the RFC 1035 length rules
// reject are refused before any DNS query or alignment is computed, so
// that such text can never align with a real domain.
type DomainError struct {
	Field  string // what the input was for: "author domain", "identifier", ...
	Input  string // the input as given
	Offset int    // byte offset of the offending character in Input, or -1
	Msg    string
}

// Error names the field, the input (quoted) and the problem.
func (e *DomainError) Error() string { return "dmarc: " + e.detail() }

// detail is Error without the package prefix, for errors that wrap it.
func (e *DomainError) detail() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("%s %q: offset %d: %s", e.Field, clip(e.Input), e.Offset, e.Msg)
	}
	return fmt.Sprintf("%s %q: %s", e.Field, clip(e.Input), e.Msg)
}

// maxQuoted bounds the bytes of input an error message quotes; the error
// value keeps the whole input.
const maxQuoted = 256

// clip returns s, or its first maxQuoted bytes (cut at a character
// boundary) and a note of the length, so that an error about a huge input
// stays one short line.
func clip(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	n := maxQuoted
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%s...(%d bytes)", s[:n], len(s))
}

// Unwrap returns ErrInvalidDomain.
func (e *DomainError) Unwrap() error { return ErrInvalidDomain }

// canonicalDomain returns s in canonical form (A-labels, lower case, no
// trailing dot), or a *DomainError naming field. Before IDNA mapping it
// refuses control, format and space characters (IDNA would silently drop
// a soft hyphen or a zero-width space, making "bank\u00adexample" read as
// another name than the one shown); after it, every byte must be a
// letter, digit, '-', '_' or '.', which refuses '@', quotes, brackets and
// every other character that cannot occur in a domain name mail uses.
func canonicalDomain(field, s string) (string, error) {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return "", &DomainError{Field: field, Input: s, Offset: i, Msg: "invalid UTF-8"}
			}
		case r <= ' ' || r == 0x7f:
			return "", &DomainError{Field: field, Input: s, Offset: i,
				Msg: fmt.Sprintf("white space or control character %q", r)}
		case r < utf8.RuneSelf:
		case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Z):
			return "", &DomainError{Field: field, Input: s, Offset: i,
				Msg: fmt.Sprintf("control, format or space character %U", r)}
		}
	}
	n, err := dnsname.Normalize(s)
	if err != nil {
		// dnsname's message names the (possibly converted) name itself.
		var de *dnsname.Error
		msg := err.Error()
		if errors.As(err, &de) {
			msg = de.Msg
		}
		return "", &DomainError{Field: field, Input: s, Offset: -1, Msg: msg}
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			off := -1
			if n == dnsname.Lower(trimDot(s)) {
				off = i // ASCII input: the offset is in Input too
			}
			return "", &DomainError{Field: field, Input: s, Offset: off,
				Msg: fmt.Sprintf("character %q cannot occur in a domain name", c)}
		}
	}
	return n, nil
}

func trimDot(s string) string {
	if len(s) > 0 && s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}
