package dkim

import "strings"

// AuthResult returns the dkim= result of an Authentication-Results field
// for this signature (RFC 8601 §2.7.1), with a reason for anything but pass
// and the properties header.d, header.s, header.i and header.b (the first
// eight characters of b=, RFC 6008), for example
//
//	dkim=pass header.d=example.org header.s=sel header.i=@example.org header.b=MobyyDTe
func (v *Verification) AuthResult() string {
	var b strings.Builder
	b.WriteString("dkim=")
	b.WriteString(v.Status.String())
	if v.Status != Pass && v.Err != nil {
		b.WriteString(" reason=")
		b.WriteString(quoteValue(strings.TrimPrefix(v.Err.Error(), "dkim: ")))
	}
	prop := func(name, val string) {
		if val == "" {
			return
		}
		b.WriteString(" header.")
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(pvalue(val))
	}
	prop("d", v.Domain)
	prop("s", v.Selector)
	prop("i", v.Identity)
	if v.Signature != nil {
		raw := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, v.Signature.bRaw)
		prop("b", raw[:min(8, len(raw))])
	}
	return b.String()
}

// AuthResults returns the dkim= part of an Authentication-Results field
// for all of a message's signatures, separated by "; ", or "dkim=none" for
// an unsigned message (RFC 8601 §2.7.1).
func AuthResults(vs []Verification) string {
	if len(vs) == 0 {
		return "dkim=none"
	}
	parts := make([]string, len(vs))
	for i := range vs {
		parts[i] = vs[i].AuthResult()
	}
	return strings.Join(parts, "; ")
}

// pvalue writes a property value (RFC 8601 §2.2): as is when it is a MIME
// token or an address-like value ([local-part] "@" domain), quoted otherwise.
func pvalue(s string) string {
	if isToken(s) {
		return s
	}
	if at := strings.LastIndexByte(s, '@'); at >= 0 && isToken(s[at+1:]) && (at == 0 || isDotAtom(s[:at])) {
		return s
	}
	return quoteValue(s)
}

// isToken reports whether s is an RFC 2045 token: printable ASCII without
// SP and tspecials.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0 {
			return false
		}
	}
	return true
}

// isDotAtom reports whether s is an RFC 5322 dot-atom (a plain local-part).
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0) {
			return false
		}
	}
	return true
}

// quoteValue writes s as an RFC 5322 quoted-string, dropping control
// characters that a header field cannot carry.
func quoteValue(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' && c != '\t' || c == 0x7f:
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
