package authres

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/domainauth/domainauth/internal/errs"
	"github.com/domainauth/domainauth/internal/termsafe"
)

// FieldName is the name of the header field this package reads and writes.
const FieldName = "Authentication-Results"

// Results is one Authentication-Results field (RFC 8601 §2.2).
type Results struct {
	// AuthServID identifies the authentication service that added the
	// field (§2.5), as the field gives it (quotes removed, case kept).
	// It is "" only for a field read under the tolerance for a missing
	// authserv-id (see the package documentation).
	AuthServID string

	// Version is the authres-version after the authserv-id: 0 when the
	// field has none, which means version 1 (§2.2). The parser accepts
	// only version 1 (§2.6).
	Version int

	// Methods are the resinfo statements in field order. An empty slice
	// is the no-result form "; none": no authentication was done (§2.2).
	Methods []MethodResult
}

// MethodResult is one resinfo statement: "method[/version]=result", an
// optional reason and the properties the method evaluated (§2.2).
type MethodResult struct {
	// Method is the method keyword, lower-cased ("spf", "dkim", or an
	// unknown method kept as given).
	Method string

	// MethodVersion is the method-version after "/": 0 when absent, which
	// means version 1 (§2.2).
	MethodVersion int

	// Result is the result keyword, lower-cased.
	Result Result

	// Reason is the reasonspec value (quotes removed), or "".
	Reason string

	// Comment is a remark for people that Format writes in parentheses
	// after the result, such as DMARC's "p=reject dis=none". Parse
	// skips comments, which carry nothing a consumer may act on (RFC
	// 8601 §2.2 allows CFWS anywhere), so it is "" in parsed Results,
	// and JSON leaves it out when empty.
	Comment string `json:",omitempty"`

	// Props are the propspecs in field order.
	Props []Property
}

// Property is one propspec, "ptype.property=pvalue" (§2.2, §2.3).
type Property struct {
	// Type is the ptype, lower-cased ("smtp", "header", "body",
	// "policy", or an unknown ptype kept as given). It is "" only for a
	// bare "name=value" read under the tolerance for properties without a
	// ptype.
	Type string

	// Name is the property, lower-cased ("mailfrom", "d", ...).
	Name string

	// Value is the pvalue: a quoted string without its quotes and
	// escapes, or a token or address ("@example.org", "a@example.org",
	// `"a b"@example.org`) as written, case kept.
	Value string
}

// Result is a method's result keyword as the field carries it,
// lower-cased (RFC 8601 §2.7). Unknown results are kept as they are.
type Result string

// Result keywords registered for the methods of RFC 8601 §2.7, RFC 7489
// §11.2 (dmarc) and RFC 8617 (arc).
const (
	ResultNone      Result = "none"
	ResultPass      Result = "pass"
	ResultFail      Result = "fail"
	ResultSoftFail  Result = "softfail"
	ResultNeutral   Result = "neutral"
	ResultPolicy    Result = "policy"
	ResultTempError Result = "temperror"
	ResultPermError Result = "permerror"
	// ResultHardFail is an old SPF synonym of fail (§6.7 leaves its
	// registration as it was).
	ResultHardFail Result = "hardfail"
)

// String returns the keyword.
func (r Result) String() string { return string(r) }

// registry lists the result codes of the "Email Authentication Result
// Names" registry for the methods this package knows (RFC 8601 §2.7 and
// §6.7, RFC 7489 §11.2, RFC 8617 §10.2).
var registry = map[string][]Result{
	"auth":       {ResultNone, ResultPass, ResultFail, ResultTempError, ResultPermError},
	"dkim":       {ResultNone, ResultPass, ResultFail, ResultPolicy, ResultNeutral, ResultTempError, ResultPermError},
	"iprev":      {ResultPass, ResultFail, ResultTempError, ResultPermError},
	"spf":        {ResultNone, ResultNeutral, ResultPass, ResultFail, ResultSoftFail, ResultTempError, ResultPermError, ResultPolicy, ResultHardFail},
	"dmarc":      {ResultNone, ResultPass, ResultFail, ResultTempError, ResultPermError},
	"arc":        {ResultNone, ResultPass, ResultFail},
	"domainkeys": {ResultNone, ResultPass, ResultFail, ResultPolicy, ResultNeutral, ResultTempError, ResultPermError},
	"sender-id":  {ResultNone, ResultPass, ResultFail, ResultPolicy, ResultNeutral, ResultSoftFail, ResultTempError, ResultPermError},
}

// Registered reports whether r is a registered result code of method
// (case-insensitive). It is false for methods this package does not know:
// RFC 8601 §4.1 says consumers MUST ignore results that are not
// registered and methods they do not support.
func (r Result) Registered(method string) bool {
	for _, c := range registry[strings.ToLower(method)] {
		if c == r {
			return true
		}
	}
	return false
}

// KnownPType reports whether ptype is one of the property types of the
// IANA registry (RFC 8601 §2.3: body, header, policy, smtp). §2.3: results
// reported using unknown ptypes MUST NOT be used in handling decisions.
func KnownPType(ptype string) bool {
	switch strings.ToLower(ptype) {
	case "body", "header", "policy", "smtp":
		return true
	}
	return false
}

// Usable reports whether a consumer may act on m by RFC 8601 §4.1 and
// §2.3: its method is one this package knows, its result is registered for
// that method, its method version is 1, and every property has a known
// ptype.
func (m MethodResult) Usable() bool {
	if m.MethodVersion > 1 || !m.Result.Registered(m.Method) {
		return false
	}
	for _, p := range m.Props {
		if !KnownPType(p.Type) {
			return false
		}
	}
	return true
}

// Prop returns the value of the first property ptype.name (both
// case-insensitive) and whether there is one.
func (m MethodResult) Prop(ptype, name string) (string, bool) {
	for _, p := range m.Props {
		if strings.EqualFold(p.Type, ptype) && strings.EqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return "", false
}

// Find returns the results of method (case-insensitive) in field order.
func (r *Results) Find(method string) []MethodResult {
	var out []MethodResult
	for _, m := range r.Methods {
		if strings.EqualFold(m.Method, method) {
			out = append(out, m)
		}
	}
	return out
}

// MaxValueLength is the longest property value AddProperty keeps and the
// longest reason ErrorReason returns, in octets: with it no line of a
// field that Format writes can come near the 998-octet limit of RFC 5322
// §2.1.1.
const MaxValueLength = 300

// AddProperty appends the property ptype.name=value to m when value is
// non-empty, printable UTF-8 and at most MaxValueLength octets; any other
// value is left out, so that a MethodResult built with AddProperty is one
// Format can write and a terminal can show. Printable means what
// internal/termsafe.Printable says: no control character (tab, DEL and
// C1 included), no line separator or bidi control, no invalid UTF-8.
func (m *MethodResult) AddProperty(ptype, name, value string) {
	if value == "" || len(value) > MaxValueLength || !termsafe.Printable(value) {
		return
	}
	m.Props = append(m.Props, Property{Type: ptype, Name: name, Value: value})
}

// ErrorReason returns the text of err as the reason of a result of method:
// without a leading "method: " (the statement names the method already),
// cut at MaxValueLength octets, with every character outside printable
// US-ASCII (control characters, invalid UTF-8, and non-ASCII text that DNS
// data can bring into an error) replaced by '?', since the field may go
// into a message that is not SMTPUTF8 (RFC 5322 §2.2). It returns "" for
// a nil err.
func ErrorReason(method string, err error) string {
	if err == nil {
		return ""
	}
	s := errs.Detail(method, err)
	if len(s) > MaxValueLength {
		s = s[:MaxValueLength]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}

// String returns m as one resinfo statement on a single line, without the
// authserv-id and without folding, for logs and for people, for example
//
//	dmarc=pass (p=reject dis=none) header.from=example.org policy.dmarc=reject
//
// Values are written as Format writes them; a value Format would refuse
// (a control character, invalid UTF-8) has those bytes replaced by '?'.
// Use Format for a field to put in a message.
func (m MethodResult) String() string {
	var b strings.Builder
	b.WriteString(m.Method)
	if m.MethodVersion != 0 {
		b.WriteByte('/')
		b.WriteString(strconv.Itoa(m.MethodVersion))
	}
	b.WriteByte('=')
	b.WriteString(string(m.Result))
	if m.Comment != "" {
		b.WriteString(" (")
		b.WriteString(quoteComment(sanitize(m.Comment)))
		b.WriteByte(')')
	}
	if m.Reason != "" {
		v, _ := quoteValue(sanitize(m.Reason), false)
		b.WriteString(" reason=")
		b.WriteString(v)
	}
	for _, p := range m.Props {
		v, _ := quoteValue(sanitize(p.Value), true)
		b.WriteByte(' ')
		if p.Type != "" {
			b.WriteString(p.Type)
			b.WriteByte('.')
		}
		b.WriteString(p.Name)
		b.WriteByte('=')
		b.WriteString(v)
	}
	return b.String()
}

// sanitize replaces with '?' what checkText refuses: control characters
// other than tab, and invalid UTF-8. A valid U+FFFD stays, as Format
// writes it.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && isCTL(byte(r)) && r != '\t' {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}
