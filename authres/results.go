package authres

import "strings"

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
