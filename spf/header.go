package spf

import (
	"strings"

	"github.com/domainauth/domainauth/authres"
)

// Identity names the identity a Result is about, as the Received-SPF
// identity key spells it (RFC 7208 §9.1).
const (
	IdentityMailFrom = "mailfrom"
	IdentityHELO     = "helo"
)

// maxHeaderValue bounds each sender-supplied value written into a header
// field (RFC 7208 §9.1: not excessively long, no malicious data): at most
// this many bytes of it are kept, and its encoded form (quotes and
// quoted-pairs included) is at most maxHeaderValue+2 bytes.
const maxHeaderValue = 255

// maxHeaderLine bounds the whole unfolded Received-SPF field: RFC 5322
// §2.1.1 says a line MUST be at most 998 characters, excluding the CRLF.
const maxHeaderLine = 998

// ReceivedSPF returns a Received-SPF header field (RFC 7208 §9.1) for r,
// without the trailing CRLF and unfolded: "Received-SPF: pass (comment)
// key=value; ...". receiver is the verifying host's name ("" leaves the
// receiver key out). Sender-supplied text is stripped of control and
// non-ASCII bytes, bounded in length and quoted where needed, and the
// whole field is at most 998 bytes (RFC 5322 §2.1.1): when hostile or
// very long input would make it longer, the comment is shortened or left
// out first, then the receiver, problem and mechanism values.
func ReceivedSPF(r Result, in Input, receiver string) string {
	identity := r.Identity
	if identity == "" {
		identity = IdentityMailFrom
	}
	// Encode the parts in order of importance, each within what the
	// earlier ones left of the line: the keys RFC 7208 §9.1 asks for
	// (client-ip, helo, envelope-from) and identity always fit.
	budget := maxHeaderLine - len("Received-SPF: ") - len(r.Code.String())
	pair := func(key, v string) string {
		over := len(" =;") + len(key)
		enc := fitValue(v, min(maxHeaderValue+2, budget-over))
		if enc == "" {
			return ""
		}
		budget -= over + len(enc)
		return " " + key + "=" + enc + ";"
	}
	var clientIP, envFrom, helo string
	if in.IP.IsValid() {
		clientIP = pair("client-ip", in.IP.String())
	}
	if identity == IdentityMailFrom {
		envFrom = pair("envelope-from", envelopeFrom(in))
	}
	if in.HELO != "" {
		helo = pair("helo", in.HELO)
	}
	ident := pair("identity", identity)
	var mechanism, problem, recv string
	if r.Code == CodePass || r.Code == CodeFail || r.Code == CodeSoftFail || r.Code == CodeNeutral {
		if r.Matched != nil {
			mechanism = pair("mechanism", r.Matched.String())
		} else {
			mechanism = pair("mechanism", "default")
		}
	}
	if r.Err != nil {
		problem = pair("problem", r.Err.Error())
	}
	if receiver != "" {
		recv = pair("receiver", receiver)
	}
	comment := fitComment(receivedComment(r, in, receiver), budget-len(" ()"))

	var b strings.Builder
	b.Grow(maxHeaderLine - budget + len(comment) + 3)
	b.WriteString("Received-SPF: ")
	b.WriteString(r.Code.String())
	if comment != "" {
		b.WriteString(" (")
		b.WriteString(comment)
		b.WriteString(")")
	}
	for _, p := range [...]string{recv, clientIP, envFrom, helo, ident, mechanism, problem} {
		b.WriteString(p)
	}
	return b.String()
}

func envelopeFrom(in Input) string {
	if in.MailFrom != "" {
		return in.MailFrom
	}
	return "postmaster@" + in.HELO
}

// receivedComment is the human part, after the RFC's examples.
func receivedComment(r Result, in Input, receiver string) string {
	who := receiver
	if who == "" {
		who = "unknown"
	}
	subject := "domain of " + envelopeFrom(in)
	if r.Identity == IdentityHELO {
		subject = "domain of " + in.HELO
	}
	ip := in.IP.String()
	switch r.Code {
	case CodePass:
		return who + ": " + subject + " designates " + ip + " as permitted sender"
	case CodeFail:
		return who + ": " + subject + " does not designate " + ip + " as permitted sender"
	case CodeSoftFail:
		return who + ": transitioning " + subject + " does not designate " + ip + " as permitted sender"
	case CodeNeutral:
		return who + ": " + ip + " is neither permitted nor denied by " + subject
	case CodeNone:
		return who + ": " + subject + " does not publish an SPF record"
	case CodeTempError:
		return who + ": error in processing during lookup of " + subject
	}
	return who + ": " + subject + " has a broken SPF record"
}

// AuthResult returns r as the spf method result of an
// Authentication-Results field (RFC 8601 §2.7.2, RFC 7208 §9.2), such as
// `spf=pass smtp.mailfrom=user@example.net`: smtp.mailfrom, or smtp.helo
// for the HELO identity, is r.Checked, left out when it is not printable or
// longer than authres.MaxValueLength; temperror and permerror carry the
// error as the reason. authres.Format writes it into a field with other
// methods' results; its String method writes it alone.
func (r Result) AuthResult() authres.MethodResult {
	m := authres.MethodResult{Method: "spf", Result: authres.Result(r.Code.String())}
	if r.Code == CodeTempError || r.Code == CodePermError {
		m.Reason = authres.ErrorReason("spf", r.Err)
	}
	if r.Identity == IdentityHELO {
		m.AddProperty("smtp", "helo", r.Checked)
	} else {
		m.AddProperty("smtp", "mailfrom", r.Checked)
	}
	return m
}

// clean removes bytes that have no place in a header field and bounds the
// length.
func clean(s string) string {
	ok := len(s) <= maxHeaderValue
	for i := 0; ok && i < len(s); i++ {
		ok = s[i] >= 0x20 && s[i] < 0x7f
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < maxHeaderValue; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// fitValue encodes v as a Received-SPF value (RFC 7208 §9.1
// key-value-pair): a dot-atom when it is one (RFC 5322 §3.2.3), a
// quoted-string otherwise, in at most max bytes ("" if even "\"\"" does
// not fit).
func fitValue(v string, max int) string {
	v = clean(v)
	if isDotAtom(v) && len(v) <= max {
		return v
	}
	return quoteFit(v, max)
}

// quoteFit returns v as a quoted-string (RFC 5322 §3.2.4; RFC 2045 value)
// of at most max bytes, cutting v short if need be; "" when max < 2. v
// must be clean.
func quoteFit(v string, max int) string {
	if max < 2 {
		return ""
	}
	var b strings.Builder
	b.Grow(min(max, 2*len(v)+2))
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		c := v[i]
		n := 1
		if c == '"' || c == '\\' {
			n = 2
		}
		if b.Len()+n+1 > max {
			break
		}
		if n == 2 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

// fitComment returns text for use inside "(...)", escaping parentheses
// and backslashes (RFC 5322 §3.2.2 ctext/quoted-pair), in at most max
// bytes.
func fitComment(text string, max int) string {
	text = clean(text)
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		c := text[i]
		n := 1
		if c == '(' || c == ')' || c == '\\' {
			n = 2
		}
		if b.Len()+n > max {
			break
		}
		if n == 2 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// isDotAtom reports whether s is a dot-atom-text: atext runs separated by
// single dots.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if s[i-1] == '.' {
				return false
			}
		case isAlphaNum(c), strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
