package dmarc

import (
	"strconv"
	"strings"
)

// Policy is a Domain Owner Assessment Policy: the value of the p, sp and np
// tags (RFC 9989 §4.7). The zero value means the tag is absent.
type Policy uint8

// The policies, weakest first: Reject > Quarantine > None.
const (
	PolicyUnset      Policy = iota // tag absent
	PolicyNone                     // "none": no preference expressed (monitoring mode)
	PolicyQuarantine               // "quarantine": treat failing mail as suspicious
	PolicyReject                   // "reject": reject failing mail
)

// String returns the tag value ("none", "quarantine", "reject"), or "" for
// PolicyUnset.
func (p Policy) String() string {
	switch p {
	case PolicyNone:
		return "none"
	case PolicyQuarantine:
		return "quarantine"
	case PolicyReject:
		return "reject"
	}
	return ""
}

// Alignment is an identifier alignment mode: the value of adkim and aspf
// (RFC 9989 §4.7, §3.2.10). The zero value means the tag is absent, which
// is relaxed.
type Alignment uint8

// The alignment modes.
const (
	AlignmentUnset   Alignment = iota // tag absent: relaxed
	AlignmentRelaxed                  // "r": same Organizational Domain
	AlignmentStrict                   // "s": identical domains
)

// String returns "r", "s", or "" for AlignmentUnset.
func (a Alignment) String() string {
	switch a {
	case AlignmentRelaxed:
		return "r"
	case AlignmentStrict:
		return "s"
	}
	return ""
}

// PSD is the value of the psd tag (RFC 9989 §4.7). The zero value means the
// tag is absent, which is "u".
type PSD uint8

// The psd values.
const (
	PSDUnset   PSD = iota // tag absent: "u"
	PSDYes                // "y": the record is published by a Public Suffix Operator
	PSDNo                 // "n": the domain is an Organizational Domain
	PSDUnknown            // "u": may or may not be an Organizational Domain
)

// String returns "y", "n", "u", or "" for PSDUnset.
func (p PSD) String() string {
	switch p {
	case PSDYes:
		return "y"
	case PSDNo:
		return "n"
	case PSDUnknown:
		return "u"
	}
	return ""
}

// Testing is the value of the t tag (RFC 9989 §4.7). The zero value means the
// tag is absent, which is "n".
type Testing uint8

// The t values.
const (
	TestingUnset Testing = iota // tag absent: "n"
	TestingYes                  // "y"
	TestingNo                   // "n"
)

// String returns "y", "n", or "" for TestingUnset.
func (t Testing) String() string {
	switch t {
	case TestingYes:
		return "y"
	case TestingNo:
		return "n"
	}
	return ""
}

// FailureOptions is the set of failure reporting options of the fo tag
// (RFC 9989 §4.7). The zero value means the tag is absent, which is "0".
type FailureOptions uint8

// The failure reporting options.
const (
	FailureOptionsAll  FailureOptions = 1 << iota // "0": report when all mechanisms fail to produce an aligned pass
	FailureOptionsAny                             // "1": report when any mechanism fails to produce an aligned pass
	FailureOptionsDKIM                            // "d": report DKIM signature failures
	FailureOptionsSPF                             // "s": report SPF failures
)

// String returns the options in the canonical order "0:1:d:s" (only the
// ones set), or "" when none is set.
func (f FailureOptions) String() string {
	var b [7]byte
	n := 0
	for i, c := range [4]byte{'0', '1', 'd', 's'} {
		if f&(1<<i) != 0 {
			if n > 0 {
				b[n] = ':'
				n++
			}
			b[n] = c
			n++
		}
	}
	return string(b[:n])
}

// Tag names one DMARC tag. It is a bit, so that a TagSet can hold several.
type Tag uint16

// The tags of RFC 9989 §4.7, then those RFC 9989 removed (RFC 7489 §6.3).
const (
	TagP Tag = 1 << iota
	TagSP
	TagNP
	TagADKIM
	TagASPF
	TagFO
	TagRUA
	TagRUF
	TagPSD
	TagT
	TagPct // RFC 7489 only
	TagRF  // RFC 7489 only
	TagRI  // RFC 7489 only
)

var tagNames = [...]string{"p", "sp", "np", "adkim", "aspf", "fo", "rua", "ruf", "psd", "t", "pct", "rf", "ri"}

// String returns the tag name as written in a record ("p", "rua", ...).
func (t Tag) String() string {
	for i, n := range tagNames {
		if t == 1<<i {
			return n
		}
	}
	return ""
}

// tagByName returns the Tag for a name, ignoring ASCII case (the ABNF of
// RFC 9989 §4.8 uses case-insensitive literals), or 0.
func tagByName(name string) Tag {
	var lower [5]byte // the longest tag name, "adkim"
	if len(name) > len(lower) {
		return 0
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	switch string(lower[:len(name)]) {
	case "p":
		return TagP
	case "sp":
		return TagSP
	case "np":
		return TagNP
	case "adkim":
		return TagADKIM
	case "aspf":
		return TagASPF
	case "fo":
		return TagFO
	case "rua":
		return TagRUA
	case "ruf":
		return TagRUF
	case "psd":
		return TagPSD
	case "t":
		return TagT
	case "pct":
		return TagPct
	case "rf":
		return TagRF
	case "ri":
		return TagRI
	}
	return 0
}

// TagSet is a set of tags.
type TagSet uint16

// Has reports whether t is in s.
func (s TagSet) Has(t Tag) bool { return s&TagSet(t) != 0 }

// TagValue is a tag and its value as written in a record.
type TagValue struct {
	Tag   string
	Value string
}

// URI is one DMARC reporting URI of a rua or ruf tag (RFC 9989 §4.6).
type URI struct {
	// Address is the URI without the size suffix, as written
	// ("mailto:reports@example.org").
	Address string
	// Size is the obsolete RFC 7489 §6.2 maximum report size suffix, without
	// the "!" ("50m"), or "" when absent. RFC 9989 §4.8 tells reporters to
	// ignore it; MaxBytes interprets it.
	Size string
}

// String returns the URI as written in a record, with its size suffix.
func (u URI) String() string {
	if u.Size == "" {
		return u.Address
	}
	return u.Address + "!" + u.Size
}

// MaxBytes returns the maximum report size the Size suffix asks for, in
// bytes (units are powers of two, RFC 7489 §6.4), and false when there is
// no valid suffix. Values beyond the uint64 range saturate.
func (u URI) MaxBytes() (uint64, bool) {
	return parseSize(u.Size)
}

// Record is a DMARC Policy Record (RFC 9989 §4.7). Fields hold what the
// record says; a zero field means the tag is absent, and the methods
// (PolicyFor, DKIMMode, SPFMode, Percent...) apply the RFC defaults.
//
// A Record can be built in code and written with String:
//
//	r := &dmarc.Record{Policy: dmarc.PolicyReject, AggregateURIs: []dmarc.URI{{Address: "mailto:d@example.org"}}}
//	r.String() // "v=DMARC1; p=reject; rua=mailto:d@example.org"
type Record struct {
	Policy            Policy         // p
	SubdomainPolicy   Policy         // sp
	NonexistentPolicy Policy         // np
	DKIMAlignment     Alignment      // adkim
	SPFAlignment      Alignment      // aspf
	FailureOptions    FailureOptions // fo
	PSD               PSD            // psd
	Testing           Testing        // t
	AggregateURIs     []URI          // rua, in order
	FailureURIs       []URI          // ruf, in order

	// RFC 7489 tags that RFC 9989 removed. They are kept so that RFC 7489
	// mode can use them and lint can flag them.
	Pct            int    // pct, 0..100; see Explicit
	ReportFormat   string // rf, colon-separated format names ("afrf")
	ReportInterval uint32 // ri, seconds; see Explicit

	// Explicit holds the tags the record contains, valid or not. A parsed
	// record sets it; String writes a tag when it is in Explicit or its
	// field is not zero, so a record built in code only needs it to write
	// pct=0 or ri=0.
	Explicit TagSet

	// Invalid holds known tags whose value is not valid, in record order.
	// The RFC makes receivers ignore such values in favour of the default
	// (RFC 9989 §4.8); they are kept for lint and for String.
	Invalid []TagValue

	// Unknown holds tags this package does not know, in record order. They
	// are ignored (RFC 9989 §4.7) and kept for lint and for String.
	Unknown []TagValue

	// Malformed holds tag-specs that do not follow the tag=value syntax
	// (no '=', a tag name that is not 1*ALPHA), as written and trimmed,
	// in record order. RFC 9989 §4.8 has receivers ignore them; they are
	// kept for lint and for String. A known or unknown tag whose value
	// has characters the syntax forbids goes to Invalid or Unknown
	// instead.
	Malformed []string
}

// invalidPolicy reports whether p, sp or np has an invalid value, in which
// case RFC 9989 §4.10.1 has the record act as "p=none" (when it has a valid
// rua URI) or not at all.
func (r *Record) invalidPolicy() bool {
	for _, tv := range r.Invalid {
		switch tagByName(tv.Tag) {
		case TagP, TagSP, TagNP:
			return true
		}
	}
	return false
}

// EffectivePolicy returns the policy for the domain the record was published
// at: p, none when p is absent (RFC 9989 §4.7), and none for every domain
// when p, sp or np is invalid (RFC 9989 §4.10.1).
func (r *Record) EffectivePolicy() Policy {
	if r.Policy == PolicyUnset || r.invalidPolicy() {
		return PolicyNone
	}
	return r.Policy
}

// DomainKind says how an Author Domain stands to the domain a policy
// record was found at (RFC 9989 §4.7), which decides the tag that applies.
// The zero value is DomainKindPolicyDomain.
type DomainKind uint8

// The kinds of Author Domain.
const (
	DomainKindPolicyDomain DomainKind = iota // the domain the record is published at: p
	DomainKindSubdomain                      // an existing subdomain of it: sp, else p
	DomainKindNonexistent                    // a subdomain that does not exist: np, else sp, else p
)

// String returns "policy-domain", "subdomain" or "nonexistent".
func (k DomainKind) String() string {
	switch k {
	case DomainKindSubdomain:
		return "subdomain"
	case DomainKindNonexistent:
		return "nonexistent"
	}
	return "policy-domain"
}

// PolicyFor returns the policy that applies to an Author Domain of the
// given kind: p for the domain the record was published at, sp for an
// existing subdomain, np for a non-existent one, each defaulting as RFC
// 9989 §4.7 says (np to sp, sp to p).
func (r *Record) PolicyFor(kind DomainKind) Policy {
	p, _ := r.policyFor(kind)
	return p
}

// policyFor is PolicyFor that also names the tag the policy came from.
func (r *Record) policyFor(kind DomainKind) (Policy, Tag) {
	if r.invalidPolicy() {
		return PolicyNone, TagP
	}
	if kind == DomainKindNonexistent && r.NonexistentPolicy != PolicyUnset {
		return r.NonexistentPolicy, TagNP
	}
	if kind != DomainKindPolicyDomain && r.SubdomainPolicy != PolicyUnset {
		return r.SubdomainPolicy, TagSP
	}
	return r.EffectivePolicy(), TagP
}

// hasNumber reports whether the numeric tag t has a value to use: it is
// not zero, or it is explicit and not invalid.
func (r *Record) hasNumber(t Tag, nonZero bool) bool {
	return nonZero || r.Explicit.Has(t) && !r.isInvalid(t)
}

// isInvalid reports whether tag t is in r.Invalid.
func (r *Record) isInvalid(t Tag) bool {
	for _, tv := range r.Invalid {
		if tagByName(tv.Tag) == t {
			return true
		}
	}
	return false
}

// DKIMMode returns the DKIM alignment mode, relaxed when adkim is absent.
func (r *Record) DKIMMode() Alignment {
	if r.DKIMAlignment == AlignmentStrict {
		return AlignmentStrict
	}
	return AlignmentRelaxed
}

// SPFMode returns the SPF alignment mode, relaxed when aspf is absent.
func (r *Record) SPFMode() Alignment {
	if r.SPFAlignment == AlignmentStrict {
		return AlignmentStrict
	}
	return AlignmentRelaxed
}

// IsTesting reports whether t=y asks receivers not to apply the policy as is.
func (r *Record) IsTesting() bool { return r.Testing == TestingYes }

// Percent returns the RFC 7489 pct value, 100 when absent.
func (r *Record) Percent() int {
	if r.hasNumber(TagPct, r.Pct != 0) {
		return r.Pct
	}
	return 100
}

// Interval returns the RFC 7489 ri value in seconds, 86400 when absent.
func (r *Record) Interval() uint32 {
	if r.hasNumber(TagRI, r.ReportInterval != 0) {
		return r.ReportInterval
	}
	return 86400
}

// Options returns the failure reporting options that apply: FailureOptionsAll ("0")
// when fo is absent, and also when the record has no ruf, since fo MUST
// then be ignored (RFC 9989 §4.7, RFC 7489 §6.3). The FailureOptions field
// keeps what the record says.
func (r *Record) Options() FailureOptions {
	if r.FailureOptions == 0 || len(r.FailureURIs) == 0 {
		return FailureOptionsAll
	}
	return r.FailureOptions
}

// String returns the record in canonical form: v=DMARC1 first, then the
// known tags in a fixed order, then tags with invalid values and unknown
// tags as they were written. For a parsed record, ParseRecord(r.String())
// gives r back; for one built in code, the same values with Explicit set.
func (r *Record) String() string {
	var b strings.Builder
	b.Grow(64 + 40*(len(r.AggregateURIs)+len(r.FailureURIs)))
	b.WriteString("v=DMARC1")
	tag := func(name, value string) {
		b.WriteString("; ")
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(value)
	}
	if r.Policy != PolicyUnset {
		tag("p", r.Policy.String())
	}
	if r.SubdomainPolicy != PolicyUnset {
		tag("sp", r.SubdomainPolicy.String())
	}
	if r.NonexistentPolicy != PolicyUnset {
		tag("np", r.NonexistentPolicy.String())
	}
	if r.DKIMAlignment != AlignmentUnset {
		tag("adkim", r.DKIMAlignment.String())
	}
	if r.SPFAlignment != AlignmentUnset {
		tag("aspf", r.SPFAlignment.String())
	}
	if r.PSD != PSDUnset {
		tag("psd", r.PSD.String())
	}
	if r.Testing != TestingUnset {
		tag("t", r.Testing.String())
	}
	var num [20]byte
	if r.hasNumber(TagPct, r.Pct != 0) {
		b.WriteString("; pct=")
		b.Write(strconv.AppendInt(num[:0], int64(r.Pct), 10))
	}
	uris := func(name string, us []URI) {
		b.WriteString("; ")
		b.WriteString(name)
		b.WriteByte('=')
		for i, u := range us {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(u.Address)
			if u.Size != "" {
				b.WriteByte('!')
				b.WriteString(u.Size)
			}
		}
	}
	if len(r.AggregateURIs) > 0 {
		uris("rua", r.AggregateURIs)
	}
	if len(r.FailureURIs) > 0 {
		uris("ruf", r.FailureURIs)
	}
	if r.FailureOptions != 0 {
		tag("fo", r.FailureOptions.String())
	}
	if r.ReportFormat != "" {
		tag("rf", r.ReportFormat)
	}
	if r.hasNumber(TagRI, r.ReportInterval != 0) {
		b.WriteString("; ri=")
		b.Write(strconv.AppendUint(num[:0], uint64(r.ReportInterval), 10))
	}
	for _, tv := range r.Invalid {
		tag(tv.Tag, tv.Value)
	}
	for _, tv := range r.Unknown {
		tag(tv.Tag, tv.Value)
	}
	for _, m := range r.Malformed {
		b.WriteString("; ")
		b.WriteString(m)
	}
	return b.String()
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
