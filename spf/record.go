package spf

import (
	"net/netip"
	"strconv"
	"strings"
)

// Qualifier is the prefix of a directive (RFC 7208 §4.6.2). It decides the
// result when the mechanism matches.
type Qualifier byte

// The four qualifiers. A directive written without one has QualifierPass.
const (
	QualifierPass     Qualifier = '+'
	QualifierFail     Qualifier = '-'
	QualifierSoftFail Qualifier = '~'
	QualifierNeutral  Qualifier = '?'
)

// Code returns the result a matching directive with this qualifier gives.
func (q Qualifier) Code() Code {
	switch q {
	case QualifierFail:
		return CodeFail
	case QualifierSoftFail:
		return CodeSoftFail
	case QualifierNeutral:
		return CodeNeutral
	}
	return CodePass
}

// Kind says what a Term is: one of the mechanisms of RFC 7208 §5 or one of
// the modifiers of §6.
type Kind uint8

// The kinds of term. KindUnknownModifier covers every modifier other than
// redirect and exp, which §6 says receivers ignore.
const (
	KindAll Kind = iota + 1
	KindInclude
	KindA
	KindMX
	KindPTR
	KindIP4
	KindIP6
	KindExists
	KindRedirect
	KindExp
	KindUnknownModifier
)

var kindNames = [...]string{
	KindAll:             "all",
	KindInclude:         "include",
	KindA:               "a",
	KindMX:              "mx",
	KindPTR:             "ptr",
	KindIP4:             "ip4",
	KindIP6:             "ip6",
	KindExists:          "exists",
	KindRedirect:        "redirect",
	KindExp:             "exp",
	KindUnknownModifier: "modifier",
}

// String returns the mechanism or modifier name as written in a record.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// IsModifier reports whether k is a modifier (name=value) rather than a
// mechanism.
func (k Kind) IsModifier() bool { return k >= KindRedirect }

// QueriesDNS reports whether a term of this kind counts against the limit of
// 10 DNS-querying terms (RFC 7208 §4.6.4).
func (k Kind) QueriesDNS() bool {
	switch k {
	case KindInclude, KindA, KindMX, KindPTR, KindExists, KindRedirect:
		return true
	}
	return false
}

// Term is one mechanism or modifier of a record. Terms returned by ParseRecord and
// referenced from a Result are shared and must not be modified.
type Term struct {
	Kind Kind

	// Qualifier of a mechanism; always set by ParseRecord (QualifierPass when the
	// record omits it). Zero for modifiers; zero on a mechanism built in
	// code means QualifierPass.
	Qualifier Qualifier

	// V4Len and V6Len are the dual-cidr-length of a and mx (§5.3, §5.4),
	// meaningful only when HasV4Len / HasV6Len is set. (They sit next to
	// Kind and Qualifier so that a Term takes 88 bytes, not 96.)
	V4Len, V6Len       uint8
	HasV4Len, HasV6Len bool

	// Domain is the domain-spec (a macro-string, RFC 7208 §7.1) of include,
	// a, mx, ptr, exists, redirect and exp, as written; "" when a, mx or ptr
	// has none (the current domain is used).
	Domain string

	// Net is the network of ip4 and ip6, with the address as written (host
	// bits are kept) and the prefix length (32 or 128 when none is written).
	Net netip.Prefix

	// Name and Value hold an unknown modifier (§6): its name as written and
	// its macro-string value.
	Name, Value string
}

// qualifier returns t's qualifier with the zero value read as '+'.
func (t *Term) qualifier() Qualifier {
	if t.Qualifier == 0 {
		return QualifierPass
	}
	return t.Qualifier
}

// String returns the term in canonical form: lower-case names, no '+'
// qualifier, no prefix length on ip4/ip6 when it covers a single address.
func (t *Term) String() string {
	var b strings.Builder
	t.appendTo(&b)
	return b.String()
}

func (t *Term) appendTo(b *strings.Builder) {
	if !t.Kind.IsModifier() {
		if q := t.qualifier(); q != QualifierPass {
			b.WriteByte(byte(q))
		}
	}
	switch t.Kind {
	case KindUnknownModifier:
		b.WriteString(t.Name)
		b.WriteByte('=')
		b.WriteString(t.Value)
		return
	case KindRedirect, KindExp:
		b.WriteString(t.Kind.String())
		b.WriteByte('=')
		b.WriteString(t.Domain)
		return
	}
	b.WriteString(t.Kind.String())
	switch t.Kind {
	case KindIP4, KindIP6:
		b.WriteByte(':')
		b.WriteString(t.Net.Addr().String())
		if t.Net.Bits() != t.Net.Addr().BitLen() {
			b.WriteByte('/')
			b.WriteString(strconv.Itoa(t.Net.Bits()))
		}
	case KindInclude, KindA, KindMX, KindPTR, KindExists:
		if t.Domain != "" {
			b.WriteByte(':')
			b.WriteString(t.Domain)
		}
		if t.HasV4Len {
			b.WriteByte('/')
			b.WriteString(strconv.Itoa(int(t.V4Len)))
		}
		if t.HasV6Len {
			b.WriteString("//")
			b.WriteString(strconv.Itoa(int(t.V6Len)))
		}
	}
}

// Record is a parsed SPF version 1 record: its terms in order.
type Record struct {
	Terms []Term
}

// String returns the record in canonical form, "v=spf1" followed by each
// term's canonical form separated by single spaces. ParseRecord(r.String())
// yields a record equal to r.
func (r *Record) String() string {
	var b strings.Builder
	b.Grow(8 + 24*len(r.Terms))
	b.WriteString("v=spf1")
	for i := range r.Terms {
		b.WriteByte(' ')
		r.Terms[i].appendTo(&b)
	}
	return b.String()
}

// Redirect returns the redirect modifier, or nil.
func (r *Record) Redirect() *Term { return r.modifier(KindRedirect) }

// Exp returns the exp modifier, or nil.
func (r *Record) Exp() *Term { return r.modifier(KindExp) }

func (r *Record) modifier(k Kind) *Term {
	for i := range r.Terms {
		if r.Terms[i].Kind == k {
			return &r.Terms[i]
		}
	}
	return nil
}

// Mechanism returns a mechanism term built in code with the given qualifier,
// kind and domain-spec (which may be empty for a, mx and ptr). Use IP for
// ip4 and ip6. The domain-spec is not checked; Validate or String and ParseRecord
// do that.
func Mechanism(q Qualifier, k Kind, domain string) Term {
	return Term{Kind: k, Qualifier: q, Domain: domain}
}

// IP returns an ip4 or ip6 mechanism for the network p (ip4 for an IPv4
// prefix, ip6 otherwise).
func IP(q Qualifier, p netip.Prefix) Term {
	k := KindIP6
	if p.Addr().Is4() {
		k = KindIP4
	}
	return Term{Kind: k, Qualifier: q, Net: p}
}

// Validate reports whether the record would survive a round trip through
// String and ParseRecord, returning the parse error if not. Records built in code
// should be validated before publication.
func (r *Record) Validate() error {
	_, err := ParseRecord(r.String())
	return err
}
