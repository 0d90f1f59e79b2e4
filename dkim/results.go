package dkim

import (
	"slices"
	"strings"

	"github.com/domainauth/domainauth/authres"
)

// minHeaderB is the length of header.b that RFC 6008 §4 suggests.
const minHeaderB = 8

// AuthResult returns the dkim method result of an Authentication-Results
// field for this signature (RFC 8601 §2.7.1): the status, the error as the
// reason for anything but pass, and the properties header.d, header.i,
// header.s and header.b (the first eight characters of b=, RFC 6008 §4).
// A property value that is not printable or is longer than
// authres.MaxValueLength is left out. For example, written with String:
//
//	dkim=pass header.d=example.org header.i=@example.org header.s=sel header.b=MobyyDTe
//
// AuthResults gives the results of all of a message's signatures, with
// header.b long enough to tell them apart.
func (v *Verification) AuthResult() authres.MethodResult { return v.authResult(minHeaderB) }

// authResult is AuthResult with header.b cut at bLen characters.
func (v *Verification) authResult(bLen int) authres.MethodResult {
	m := authres.MethodResult{Method: "dkim", Result: authres.Result(v.Status.String())}
	if v.Status != StatusPass {
		m.Reason = authres.ErrorReason("dkim", v.Err)
	}
	m.AddProperty("header", "d", v.Domain)
	m.AddProperty("header", "i", v.Identity)
	m.AddProperty("header", "s", v.Selector)
	raw := v.bValue()
	m.AddProperty("header", "b", raw[:min(bLen, len(raw))])
	return m
}

// bValue returns b= as written without its whitespace, "" when unknown.
func (v *Verification) bValue() string {
	raw := v.bRaw
	if v.Signature != nil {
		raw = v.Signature.bRaw
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, raw)
}

// AuthResults returns the dkim method results of all of a message's
// signatures, in order, or a single dkim=none for an unsigned message
// (RFC 8601 §2.7.1). Each is the signature's AuthResult, except that
// header.b has more than eight characters where two different signatures
// share their first eight, so that it tells them apart, which is what
// header.b is for (RFC 6008 §4).
func AuthResults(vs []Verification) []authres.MethodResult {
	if len(vs) == 0 {
		return []authres.MethodResult{{Method: "dkim", Result: authres.ResultNone}}
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
		n := minHeaderB
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
	out := make([]authres.MethodResult, len(vs))
	for i := range vs {
		out[i] = vs[i].authResult(need[i])
	}
	return out
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
