package receiver

import (
	"encoding/base64"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/domainauth/domainauth/authres"
	"github.com/domainauth/domainauth/dkim"
	"github.com/domainauth/domainauth/dmarc"
	"github.com/domainauth/domainauth/spf"
)

// Property names written by AuthResult (RFC 8601 §2.7, RFC 9989 §9.1).
const (
	ptypeSMTP   = "smtp"
	ptypeHeader = "header"
	ptypePolicy = "policy"
)

// maxValue bounds each value written into the field: reasons are cut to
// it, and a property value longer than it (only an oversized DKIM tag
// could be) is left out, so that no line can reach 998 octets.
const maxValue = 300

// minHeaderB is the length of header.b RFC 6008 §4 suggests.
const minHeaderB = 8

// AuthResult returns the Authentication-Results field of r as data (RFC
// 8601): the SPF result of the MAIL FROM identity with smtp.mailfrom, the
// HELO one with smtp.helo when it was checked, one dkim result per
// signature with header.d, header.i, header.s and header.b (eight
// characters of b=, more where two signatures share them, RFC 6008), or
// dkim=none, and the DMARC result with header.from and, when a policy
// record applied, policy.dmarc (the policy after t= or pct=, RFC 9989
// §9.1). temperror and permerror carry the error as a reason.
func (r *Result) AuthResult() *authres.Results {
	out := &authres.Results{AuthServID: r.AuthServID}
	m := authres.MethodResult{Method: "spf", Result: spfResult(r.SPF.Code)}
	if r.PathErr != nil {
		m.Reason = "malformed reverse-path"
	} else {
		m.Reason = reason("spf", r.SPF.Err, r.SPF.Code == spf.CodeTempError || r.SPF.Code == spf.CodePermError)
	}
	m.Props = addProp(m.Props, ptypeSMTP, "mailfrom", r.MailFrom)
	out.Methods = append(out.Methods, m)
	if r.HELO != nil {
		m := authres.MethodResult{Method: "spf", Result: spfResult(r.HELO.Code),
			Reason: reason("spf", r.HELO.Err, r.HELO.Code == spf.CodeTempError || r.HELO.Code == spf.CodePermError)}
		m.Props = addProp(m.Props, ptypeSMTP, "helo", r.Envelope.HELO)
		out.Methods = append(out.Methods, m)
	}

	if len(r.DKIM) == 0 {
		out.Methods = append(out.Methods, authres.MethodResult{Method: "dkim", Result: authres.ResultNone})
	}
	bs := headerB(r.DKIM)
	for i := range r.DKIM {
		v := &r.DKIM[i]
		m := authres.MethodResult{Method: "dkim", Result: dkimResult(v.Status),
			Reason: reason("dkim", v.Err, v.Status != dkim.StatusPass)}
		m.Props = addProp(m.Props, ptypeHeader, "d", v.Domain)
		m.Props = addProp(m.Props, ptypeHeader, "i", v.Identity)
		m.Props = addProp(m.Props, ptypeHeader, "s", v.Selector)
		m.Props = addProp(m.Props, ptypeHeader, "b", bs[i])
		out.Methods = append(out.Methods, m)
	}

	if d := r.DMARC; d != nil {
		m := authres.MethodResult{Method: "dmarc", Result: dmarcResult(d.Code),
			Reason: reason("dmarc", d.Err, d.Code == dmarc.CodeTempError || d.Code == dmarc.CodePermError)}
		m.Props = addProp(m.Props, ptypeHeader, "from", d.AuthorDomain)
		if d.Discovery != nil && d.Discovery.Record != nil && (d.Code == dmarc.CodePass || d.Code == dmarc.CodeFail) {
			m.Props = addProp(m.Props, ptypePolicy, "dmarc", policyValue(d.AppliedPolicy))
		}
		out.Methods = append(out.Methods, m)
	}
	return out
}

// Header returns the complete field, "Authentication-Results: " and the
// value of AuthResult folded at 78 columns with CRLF and a tab (RFC 5322
// §2.2.3), without a final line end. Every value Check puts in a Result
// is one authres.Format can write; for a Result built or changed
// otherwise that it cannot write, Header returns "".
func (r *Result) Header() string {
	v, err := authres.Format(r.AuthResult())
	if err != nil {
		return ""
	}
	return authres.FieldName + ": " + v
}

// spfResult is the Authentication-Results keyword of an SPF result.
func spfResult(c spf.Code) authres.Result {
	_, r := spfResults(c)
	return r
}

// dkimResult is the Authentication-Results keyword of a DKIM status.
func dkimResult(s dkim.Status) authres.Result {
	_, r := dkimResults(s)
	return r
}

// dmarcResult maps a DMARC result to its keyword (RFC 9989 §9.2).
func dmarcResult(c dmarc.Code) authres.Result {
	switch c {
	case dmarc.CodePass:
		return authres.ResultPass
	case dmarc.CodeFail:
		return authres.ResultFail
	case dmarc.CodeTempError:
		return authres.ResultTempError
	case dmarc.CodePermError:
		return authres.ResultPermError
	}
	return authres.ResultNone
}

// policyValue is the policy.dmarc value: "none", "quarantine" or "reject"
// (RFC 9989 §9.1); "" when no policy applies.
func policyValue(p dmarc.Policy) string {
	switch p {
	case dmarc.PolicyNone:
		return "none"
	case dmarc.PolicyQuarantine:
		return "quarantine"
	case dmarc.PolicyReject:
		return "reject"
	}
	return ""
}

// addProp appends ptype.name=value when value is non-empty and can be
// written.
func addProp(props []authres.Property, ptype, name, value string) []authres.Property {
	if value == "" || len(value) > maxValue || !printable(value) {
		return props
	}
	return append(props, authres.Property{Type: ptype, Name: name, Value: value})
}

// reason returns err's text for a reasonspec when want, without a
// leading "method: " (the statement names the method), with bytes that
// have no place in a header field replaced and the length bounded.
func reason(method string, err error, want bool) string {
	if err == nil || !want {
		return ""
	}
	s := err.Error()
	if len(s) > len(method)+2 && s[len(method)] == ':' && s[len(method)+1] == ' ' && s[:len(method)] == method {
		s = s[len(method)+2:]
	}
	if len(s) > maxValue {
		s = s[:maxValue]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r >= 0x7f && r < 0xa0 || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// headerB returns the header.b value of each signature: the first
// minHeaderB characters of b=, or more where two different signatures
// share them, so that it tells them apart (RFC 6008 §4).
func headerB(vs []dkim.Verification) []string {
	bs := make([]string, len(vs))
	for i := range vs {
		if s := vs[i].Signature; s != nil && len(s.Value) > 0 {
			bs[i] = base64.StdEncoding.EncodeToString(s.Value)
		}
	}
	// Sorted, equal values stand together; each needs one character more
	// than the longest prefix it shares with the nearest different value
	// on either side.
	order := make([]int, len(vs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(bs[a], bs[b]) })
	need := make([]int, len(vs))
	for lo := 0; lo < len(order); {
		hi := lo + 1
		for hi < len(order) && bs[order[hi]] == bs[order[lo]] {
			hi++
		}
		n := minHeaderB
		if lo > 0 {
			n = max(n, common(bs[order[lo]], bs[order[lo-1]])+1)
		}
		if hi < len(order) {
			n = max(n, common(bs[order[lo]], bs[order[hi]])+1)
		}
		for _, i := range order[lo:hi] {
			need[i] = n
		}
		lo = hi
	}
	for i, b := range bs {
		bs[i] = b[:min(need[i], len(b))]
	}
	return bs
}

// common returns the length of the longest common prefix of a and b.
func common(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
