package dmarc

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// URIError describes a reporting URI that is not valid.
type URIError struct {
	URI string // the URI as written
	Msg string
}

// Error names the URI and the problem.
func (e *URIError) Error() string { return fmt.Sprintf("dmarc: reporting URI %q: %s", e.URI, e.Msg) }

// Scheme returns the URI scheme in lower case ("mailto"), or "" when the
// address has none.
func (u URI) Scheme() string {
	i := strings.IndexByte(u.Address, ':')
	if i <= 0 {
		return ""
	}
	return dnsname.Lower(u.Address[:i])
}

// Check reports whether the address is a syntactically valid URI
// (RFC 3986 §3) in which ',' and '!' are percent-encoded as RFC 9989 §4.8
// requires, and, for mailto and http(s), whether it names a host.
func (u URI) Check() error {
	s := u.Address
	if s == "" {
		return &URIError{URI: s, Msg: "empty"}
	}
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return &URIError{URI: s, Msg: "no scheme"}
	}
	if !isAlpha(s[0]) {
		return &URIError{URI: s, Msg: "scheme must start with a letter"}
	}
	for j := 1; j < i; j++ {
		if c := s[j]; !isAlnum(c) && c != '+' && c != '-' && c != '.' {
			return &URIError{URI: s, Msg: fmt.Sprintf("invalid character %q in scheme", c)}
		}
	}
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '%':
			if j+2 >= len(s) || !isHex(s[j+1]) || !isHex(s[j+2]) {
				return &URIError{URI: s, Msg: fmt.Sprintf("bad percent-encoding at offset %d", j)}
			}
			j += 2
		case c == ',' || c == '!':
			return &URIError{URI: s, Msg: fmt.Sprintf("%q must be percent-encoded", c)}
		case c >= utf8.RuneSelf:
			r, _ := utf8.DecodeRuneInString(s[j:])
			return &URIError{URI: s, Msg: fmt.Sprintf("non-ASCII character %q at offset %d must be percent-encoded", r, j)}
		case !isURIChar(c):
			return &URIError{URI: s, Msg: fmt.Sprintf("invalid character %q at offset %d", c, j)}
		}
	}
	switch u.Scheme() {
	case "mailto", "http", "https":
		if _, err := u.Host(); err != nil {
			return err
		}
	}
	return nil
}

// Host returns the destination host of a mailto, http or https URI: the
// domain of the (first) mailbox of a mailto URI, the authority's host for
// http(s), in canonical form (A-labels, lower case).
func (u URI) Host() (string, error) {
	s := u.Address
	var host string
	switch u.Scheme() {
	case "mailto":
		rest := s[len("mailto:"):]
		if i := strings.IndexByte(rest, '?'); i >= 0 {
			rest = rest[:i]
		}
		at := strings.LastIndexByte(rest, '@')
		if at <= 0 {
			return "", &URIError{URI: s, Msg: "mailto address has no local-part@domain"}
		}
		host = rest[at+1:]
	case "http", "https":
		rest := s[strings.IndexByte(s, ':')+1:]
		if !strings.HasPrefix(rest, "//") {
			return "", &URIError{URI: s, Msg: "no authority"}
		}
		rest = rest[2:]
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			rest = rest[:i]
		}
		if i := strings.LastIndexByte(rest, '@'); i >= 0 {
			rest = rest[i+1:]
		}
		if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.Contains(rest[i:], "]") {
			rest = rest[:i]
		}
		host = rest
	default:
		return "", &URIError{URI: s, Msg: "no host for scheme " + u.Scheme()}
	}
	if host == "" {
		return "", &URIError{URI: s, Msg: "empty host"}
	}
	if strings.IndexByte(host, '%') >= 0 {
		return "", &URIError{URI: s, Msg: "percent-encoded host is not supported"}
	}
	h, err := canonicalDomain("host", host)
	if err != nil {
		return "", &URIError{URI: s, Msg: err.(*DomainError).detail()}
	}
	return h, nil
}

// hasValidURI reports whether at least one URI is valid (RFC 9989 §4.10.1).
func hasValidURI(us []URI) bool {
	for _, u := range us {
		if u.Check() == nil {
			return true
		}
	}
	return false
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isURIChar reports whether c may appear literally in a URI: unreserved,
// gen-delims and sub-delims (RFC 3986 §2).
func isURIChar(c byte) bool {
	if isAlnum(c) {
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&'()*+,;=", c) >= 0
}
