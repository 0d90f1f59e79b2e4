package dkim

import (
	"slices"
	"strings"
)

// AuthResult returns the dkim= result of an Authentication-Results field
// for this signature (RFC 8601 §2.7.1), with a reason for anything but pass
// and the properties header.d, header.s, header.i and header.b (the first
// eight characters of b=, RFC 6008), for example
//
//	dkim=pass header.d=example.org header.s=sel header.i=@example.org header.b=MobyyDTe
func (v *Verification) AuthResult() string { return v.authResult(8) }

// authResult is AuthResult with header.b cut at bLen characters.
func (v *Verification) authResult(bLen int) string {
	var b strings.Builder
	b.WriteString("dkim=")
	b.WriteString(v.Status.String())
	if v.Status != StatusPass && v.Err != nil {
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
	raw := v.bValue()
	prop("b", raw[:min(bLen, len(raw))])
	return b.String()
}

// bValue returns b= as written without its whitespace, "" when unknown.
func (v *Verification) bValue() string {
	if v.Signature == nil {
		return ""
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, v.Signature.bRaw)
}

// AuthResults returns the dkim= part of an Authentication-Results field
// for all of a message's signatures, separated by "; ", or "dkim=none" for
// an unsigned message (RFC 8601 §2.7.1). header.b has eight characters, or
// more where two different signatures share their first eight, so that it
// tells them apart, which is what header.b is for (RFC 6008).
func AuthResults(vs []Verification) string {
	if len(vs) == 0 {
		return "dkim=none"
	}
	bs := make([]string, len(vs))
	for i := range vs {
		bs[i] = vs[i].bValue()
	}
	// In sorted order, the prefix that sets b= apart from every other
	// value is one longer than its longest common prefix with a neighbour
	// that differs from it.
	order := make([]int, len(vs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(bs[a], bs[b]) })
	need := make([]int, len(vs))
	for p := 0; p < len(order); {
		e := p // equal values form a group order[p:e]
		for e < len(order) && bs[order[e]] == bs[order[p]] {
			e++
		}
		n := 8
		if p > 0 {
			n = max(n, commonPrefix(bs[order[p]], bs[order[p-1]])+1)
		}
		if e < len(order) {
			n = max(n, commonPrefix(bs[order[p]], bs[order[e]])+1)
		}
		for k := p; k < e; k++ {
			need[order[k]] = n
		}
		p = e
	}
	parts := make([]string, len(vs))
	for i := range vs {
		parts[i] = vs[i].authResult(need[i])
	}
	return strings.Join(parts, "; ")
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
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
