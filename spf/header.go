package spf

import (
	"strings"
)

// Identity names the identity a Result is about, as the Received-SPF
// identity key spells it (RFC 7208 §9.1).
const (
	IdentityMailFrom = "mailfrom"
	IdentityHELO     = "helo"
)

// maxHeaderValue bounds each sender-supplied value written into a header
// field (RFC 7208 §9.1: not excessively long, no malicious data).
const maxHeaderValue = 255

// ReceivedSPF returns a Received-SPF header field (RFC 7208 §9.1) for r,
// without the trailing CRLF and unfolded: "Received-SPF: pass (comment)
// key=value; ...". receiver is the verifying host's name ("" leaves the
// receiver key out). Sender-supplied text is stripped of control and
// non-ASCII bytes, bounded in length and quoted where needed.
func ReceivedSPF(r Result, in Input, receiver string) string {
	var b strings.Builder
	b.WriteString("Received-SPF: ")
	b.WriteString(r.Code.String())
	b.WriteString(" (")
	writeComment(&b, receivedComment(r, in, receiver))
	b.WriteString(")")
	kv := func(k, v string) {
		b.WriteString(" ")
		b.WriteString(k)
		b.WriteByte('=')
		writeValue(&b, v)
		b.WriteByte(';')
	}
	if receiver != "" {
		kv("receiver", receiver)
	}
	if in.IP.IsValid() {
		kv("client-ip", in.IP.String())
	}
	identity := r.Identity
	if identity == "" {
		identity = IdentityMailFrom
	}
	if identity == IdentityMailFrom {
		kv("envelope-from", envelopeFrom(in))
	}
	if in.HELO != "" {
		kv("helo", in.HELO)
	}
	kv("identity", identity)
	if r.Code == Pass || r.Code == Fail || r.Code == SoftFail || r.Code == Neutral {
		if r.Matched != nil {
			kv("mechanism", r.Matched.String())
		} else {
			kv("mechanism", "default")
		}
	}
	if r.Err != nil {
		kv("problem", r.Err.Error())
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
	case Pass:
		return who + ": " + subject + " designates " + ip + " as permitted sender"
	case Fail:
		return who + ": " + subject + " does not designate " + ip + " as permitted sender"
	case SoftFail:
		return who + ": transitioning " + subject + " does not designate " + ip + " as permitted sender"
	case Neutral:
		return who + ": " + ip + " is neither permitted nor denied by " + subject
	case None:
		return who + ": " + subject + " does not publish an SPF record"
	case TempError:
		return who + ": error in processing during lookup of " + subject
	}
	return who + ": " + subject + " has a broken SPF record"
}

// AuthResultsSPF returns the spf= method result of an
// Authentication-Results header field (RFC 8601 §2.7.2, RFC 7208 §9.2),
// such as `spf=pass smtp.mailfrom=user@example.net`, with the error detail
// as a reason for temperror and permerror. The caller adds the authserv-id
// and joins it with other methods.
func AuthResultsSPF(r Result, in Input) string {
	var b strings.Builder
	b.WriteString("spf=")
	b.WriteString(r.Code.String())
	if r.Err != nil {
		b.WriteString(" reason=")
		writeQuoted(&b, clean(r.Err.Error()))
	}
	if r.Identity == IdentityHELO {
		b.WriteString(" smtp.helo=")
		writePValue(&b, in.HELO)
	} else {
		b.WriteString(" smtp.mailfrom=")
		writePValue(&b, envelopeFrom(in))
	}
	return b.String()
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

// writeValue writes v as a dot-atom when it is one (RFC 5322 §3.2.3), and
// as a quoted-string otherwise (RFC 7208 §9.1 key-value-pair).
func writeValue(b *strings.Builder, v string) {
	v = clean(v)
	if isDotAtom(v) {
		b.WriteString(v)
		return
	}
	writeQuoted(b, v)
}

// writePValue writes an RFC 8601 pvalue: a local-part@domain whose halves
// are dot-atoms goes unquoted (§2.2 pvalue), anything else as writeValue.
func writePValue(b *strings.Builder, v string) {
	v = clean(v)
	if at := strings.LastIndexByte(v, '@'); at > 0 && isDotAtom(v[:at]) && isDotAtom(v[at+1:]) {
		b.WriteString(v)
		return
	}
	writeValue(b, v)
}

func writeQuoted(b *strings.Builder, v string) {
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
}

// writeComment writes text for use inside "(...)", escaping parentheses
// and backslashes (RFC 5322 §3.2.2 ctext/quoted-pair).
func writeComment(b *strings.Builder, text string) {
	text = clean(text)
	for i := 0; i < len(text); i++ {
		if c := text[i]; c == '(' || c == ')' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(text[i])
	}
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
