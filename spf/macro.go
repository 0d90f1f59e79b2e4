package spf

import (
	"fmt"
	"strconv"
	"strings"
)

// This file implements macro-strings, RFC 7208 §7: their syntax check at
// parse time (§7.1) and their expansion at evaluation time (§7.3).

const macroDelims = ".-+,/_="

// scanMacroString checks s against macro-string (RFC 7208 §7.1), or against
// explain-string when exp is set (which also allows SP and the letters c, r
// and t). It returns the offset and a message for the first error, or "".
func scanMacroString(s string, exp bool) (int, string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			if c < 0x21 || c > 0x7e {
				if c == ' ' && exp {
					continue
				}
				return i, fmt.Sprintf("byte 0x%02x is not allowed in a macro-string", c)
			}
			continue
		}
		if i+1 == len(s) {
			return i, "'%' at the end (write \"%%\" for a literal '%')"
		}
		switch s[i+1] {
		case '%', '_', '-':
			i++
			continue
		case '{':
		default:
			return i, fmt.Sprintf("'%%' followed by %q, not '{', '%%', '_' or '-' (RFC 7208 §7.3)", s[i+1])
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return i, "unterminated macro: no '}'"
		}
		body := s[i+2 : i+2+end]
		if off, msg := checkMacroBody(body, exp); msg != "" {
			return i + 2 + off, msg
		}
		i += 2 + end
	}
	return 0, ""
}

// checkMacroBody checks "letter *DIGIT [r] *delimiter".
func checkMacroBody(body string, exp bool) (int, string) {
	if body == "" {
		return 0, "empty macro \"%{}\""
	}
	switch body[0] | 0x20 {
	case 's', 'l', 'o', 'd', 'i', 'p', 'h', 'v':
	case 'c', 'r', 't':
		if !exp {
			return 0, fmt.Sprintf("macro letter %q is allowed only in an explanation (RFC 7208 §7.2)", body[0])
		}
	default:
		return 0, fmt.Sprintf("unknown macro letter %q", body[0])
	}
	j := 1
	for j < len(body) && isDigit(body[j]) {
		j++
	}
	// RFC 7208 §7.3: the number must be nonzero; one larger than the
	// parts available means all of them, however many digits it has.
	if j > 1 && strings.Trim(body[1:j], "0") == "" {
		return 1, fmt.Sprintf("macro digit transformer %q must be a nonzero number (RFC 7208 §7.3)", body[1:j])
	}
	if j < len(body) && body[j]|0x20 == 'r' {
		j++
	}
	for ; j < len(body); j++ {
		if strings.IndexByte(macroDelims, body[j]) < 0 {
			return j, fmt.Sprintf("%q is not a macro delimiter (one of %s)", body[j], macroDelims)
		}
	}
	return 0, ""
}

// endsWithMacro reports whether a valid macro-string ends in a macro-expand.
func endsWithMacro(s string) bool {
	last := false
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			last = false
			continue
		}
		last = true
		if i+1 < len(s) && s[i+1] == '{' {
			if end := strings.IndexByte(s[i:], '}'); end >= 0 {
				i += end
				continue
			}
		}
		i++
	}
	return last
}

// hasMacro reports whether s contains any macro-expand.
func hasMacro(s string) bool { return strings.IndexByte(s, '%') >= 0 }

// usesLocalPart reports whether the valid macro-string s expands %{s} or
// %{l} (either case): the macros that copy the sender's local part.
func usesLocalPart(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if s[i+1] != '{' {
			i++ // "%%", "%_", "%-"
			continue
		}
		if c := s[i+2] | 0x20; c == 's' || c == 'l' {
			return true
		}
	}
	return false
}

// expand appends the expansion of the macro-string s to dst (RFC 7208 §7.3).
// s must have passed scanMacroString (with the same exp). domain is the
// <domain> of the check_host() call in progress.
func (e *eval) expand(dst []byte, s, domain string, exp bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			dst = append(dst, c)
			continue
		}
		if i+1 >= len(s) {
			break
		}
		switch s[i+1] {
		case '%':
			dst = append(dst, '%')
			i++
			continue
		case '_':
			dst = append(dst, ' ')
			i++
			continue
		case '-':
			dst = append(dst, "%20"...)
			i++
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			break
		}
		body := s[i+2 : i+2+end]
		i += 2 + end
		if body == "" {
			continue
		}
		dst = e.expandOne(dst, body, domain)
	}
	return dst
}

// expandOne appends one %{...} expansion.
func (e *eval) expandOne(dst []byte, body, domain string) []byte {
	letter := body[0]
	escape := 'A' <= letter && letter <= 'Z'
	letter |= 0x20
	j := 1
	n := 0
	for j < len(body) && isDigit(body[j]) {
		if n < 1000 {
			n = n*10 + int(body[j]-'0')
		}
		j++
	}
	reverse := false
	if j < len(body) && body[j]|0x20 == 'r' {
		reverse = true
		j++
	}
	delims := body[j:]
	plain := n == 0 && !reverse && delims == ""

	// Fast paths that append without building the value first.
	if plain && !escape {
		switch letter {
		case 'd':
			return append(dst, domain...)
		case 'o':
			return append(dst, e.senderDomain...)
		case 'l':
			return append(dst, e.local...)
		case 's':
			return append(append(append(dst, e.local...), '@'), e.senderDomain...)
		case 'h':
			return append(dst, e.helo...)
		case 'i':
			return e.appendI(dst)
		}
	}
	var v string
	switch letter {
	case 's':
		v = e.local + "@" + e.senderDomain
	case 'l':
		v = e.local
	case 'o':
		v = e.senderDomain
	case 'd':
		v = domain
	case 'i':
		v = string(e.appendI(nil))
	case 'p':
		v = e.validatedName(domain)
	case 'v':
		v = "in-addr"
		if e.ip.Is6() {
			v = "ip6"
		}
	case 'h':
		v = e.helo
	case 'c':
		v = e.ip.String()
	case 'r':
		v = e.receiver
		if v == "" {
			v = "unknown"
		}
	case 't':
		v = strconv.FormatInt(e.now().Unix(), 10)
	}
	if plain {
		return appendEscaped(dst, v, escape)
	}
	if delims == "" {
		delims = "."
	}
	return transform(dst, v, delims, n, reverse, escape)
}

// appendI appends the %{i} value: dotted quad for IPv4, dot-separated
// lower-case nibbles for IPv6 (RFC 7208 §7.3).
func (e *eval) appendI(dst []byte) []byte {
	if e.ip.Is4() {
		return e.ip.AppendTo(dst)
	}
	a := e.ip.As16()
	const hex = "0123456789abcdef"
	for k, b := range a {
		if k > 0 {
			dst = append(dst, '.')
		}
		dst = append(dst, hex[b>>4], '.', hex[b&15])
	}
	return dst
}

// transform splits v on any of delims, optionally reverses the parts, keeps
// the rightmost n (all when n is 0 or too large) and joins them with '.'.
func transform(dst []byte, v, delims string, n int, reverse, escape bool) []byte {
	parts := 1
	for i := 0; i < len(v); i++ {
		if strings.IndexByte(delims, v[i]) >= 0 {
			parts++
		}
	}
	if n == 0 || n > parts {
		n = parts
	}
	if !reverse {
		// Skip the leftmost parts-n parts, then copy with '.' joins.
		skip := parts - n
		i := 0
		for ; skip > 0; i++ {
			if strings.IndexByte(delims, v[i]) >= 0 {
				skip--
			}
		}
		for ; i < len(v); i++ {
			c := v[i]
			if strings.IndexByte(delims, c) >= 0 {
				c = '.'
			}
			dst = appendByte(dst, c, escape)
		}
		return dst
	}
	// Reversed: the rightmost n of the reversed list are the leftmost n of
	// the original, emitted right to left.
	end := len(v)
	if n < parts {
		seen := 0
		for i := 0; i < len(v); i++ {
			if strings.IndexByte(delims, v[i]) >= 0 {
				seen++
				if seen == n {
					end = i
					break
				}
			}
		}
	}
	for pos := end; ; {
		k := pos - 1
		for k >= 0 && strings.IndexByte(delims, v[k]) < 0 {
			k--
		}
		dst = appendEscaped(dst, v[k+1:pos], escape)
		if k < 0 {
			break
		}
		dst = append(dst, '.')
		pos = k
	}
	return dst
}

func appendEscaped(dst []byte, s string, escape bool) []byte {
	if !escape {
		return append(dst, s...)
	}
	for i := 0; i < len(s); i++ {
		dst = appendByte(dst, s[i], true)
	}
	return dst
}

// appendByte appends c, URL-escaped (RFC 3986 unreserved characters kept)
// when escape is set.
func appendByte(dst []byte, c byte, escape bool) []byte {
	if !escape || isAlphaNum(c) || c == '-' || c == '.' || c == '_' || c == '~' {
		return append(dst, c)
	}
	const hex = "0123456789ABCDEF"
	return append(dst, '%', hex[c>>4], hex[c&15])
}

// truncateDomain applies RFC 7208 §7.3: an expanded name longer than 253
// octets loses labels from the left until it fits. A trailing dot is
// dropped first.
func truncateDomain(s string) string {
	s = strings.TrimSuffix(s, ".")
	for len(s) > 253 {
		k := strings.IndexByte(s, '.')
		if k < 0 {
			return ""
		}
		s = s[k+1:]
	}
	return s
}
