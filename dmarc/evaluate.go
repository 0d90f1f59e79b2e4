package dmarc

import (
	"context"
	"errors"
	"fmt"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/errs"
)

// AuthResult is the result of an underlying authentication check, SPF
// (RFC 7208 §2.6) or DKIM (RFC 8601 §2.7.1), as DMARC consumes it. The
// result types of this module's spf and dkim packages, and of other
// libraries, print the same names, so ParseAuthResult(x.String()) maps
// them.
type AuthResult uint8

// The authentication results. Only AuthResultPass can make DMARC pass; an aligned
// AuthResultTempError without an aligned pass makes it temperror.
const (
	AuthResultNone AuthResult = iota
	AuthResultPass
	AuthResultFail
	AuthResultSoftFail
	AuthResultNeutral
	AuthResultTempError
	AuthResultPermError
	AuthResultPolicy
)

var authResultNames = [...]string{"none", "pass", "fail", "softfail", "neutral", "temperror", "permerror", "policy"}

// String returns the result name ("pass", "temperror", ...).
func (a AuthResult) String() string {
	if int(a) < len(authResultNames) {
		return authResultNames[a]
	}
	return "none"
}

// ErrUnknownResult is wrapped by the error of ParseAuthResult for a name
// that is no authentication result.
var ErrUnknownResult = errors.New("dmarc: unknown authentication result")

// ParseAuthResult maps a result name to an AuthResult, ignoring case. The
// RFC 4408 names "error" (temperror) and "unknown" (permerror) are
// accepted. Any other text, a misspelt "passs" as much as "", is an error
// wrapping ErrUnknownResult, with AuthResultNone: a typo never passes
// silently as none.
func ParseAuthResult(s string) (AuthResult, error) {
	for i, n := range authResultNames {
		if equalFoldASCII(n, s) {
			return AuthResult(i), nil
		}
	}
	switch {
	case equalFoldASCII(s, "error"):
		return AuthResultTempError, nil
	case equalFoldASCII(s, "unknown"):
		return AuthResultPermError, nil
	}
	return AuthResultNone, fmt.Errorf("%w %q", ErrUnknownResult, s)
}

// Identifier is one authenticated identifier candidate: the SPF MAIL FROM
// domain (RFC 9989 §3.2.4) or a DKIM signature's d= domain (§3.2.3), with
// the result of its check.
type Identifier struct {
	Domain string
	Result AuthResult
	// Selector is the DKIM s= tag, carried through to the result for
	// reporting; unused for SPF.
	Selector string
}

// Input is what Evaluate needs about a message.
type Input struct {
	// FromDomain is the Author Domain, the domain of the RFC5322.From
	// address (see AuthorDomains). U-labels are converted to A-labels;
	// text that is not a domain name (an address, quotes, white space)
	// gives permerror with a *DomainError.
	FromDomain string
	// SPF is the MAIL FROM identity checked by SPF and its result: the
	// domain of the MAIL FROM address, or the HELO domain when MAIL FROM is
	// empty (RFC 9989 §3.2.4, RFC 7208 §2.4). A separate HELO check does not
	// count (RFC 9989 §4.4.2).
	SPF Identifier
	// DKIM holds one entry per DKIM signature checked.
	DKIM []Identifier
}

// Code is the DMARC result (RFC 9989 §9.2).
type Code uint8

// The DMARC results.
const (
	CodeNone      Code = iota // no DMARC Policy Record applies
	CodePass                  // an aligned identifier passed
	CodeFail                  // no aligned identifier passed
	CodeTempError             // a transient failure prevented a result
	CodePermError             // the policy record is broken
)

// String returns "none", "pass", "fail", "temperror" or "permerror".
func (c Code) String() string {
	switch c {
	case CodePass:
		return "pass"
	case CodeFail:
		return "fail"
	case CodeTempError:
		return "temperror"
	case CodePermError:
		return "permerror"
	}
	return "none"
}

// Disposition is what the Domain Owner asks the receiver to do with the
// message once policy options (t=, pct=) are applied.
type Disposition uint8

// The dispositions.
const (
	DispositionNone       Disposition = iota // deliver as usual
	DispositionQuarantine                    // treat as suspicious
	DispositionReject                        // reject
)

// String returns "none", "quarantine" or "reject".
func (d Disposition) String() string {
	switch d {
	case DispositionQuarantine:
		return "quarantine"
	case DispositionReject:
		return "reject"
	}
	return "none"
}

// Method names an authentication mechanism.
type Method uint8

// The mechanisms DMARC builds on.
const (
	MethodSPF Method = iota
	MethodDKIM
)

// String returns "spf" or "dkim".
func (m Method) String() string {
	if m == MethodDKIM {
		return "dkim"
	}
	return "spf"
}

// Check records the alignment of one identifier with the Author Domain.
type Check struct {
	Method Method
	Index  int    // index in Input.DKIM for DKIM
	Domain string // the identifier, canonical
	// Selector is the DKIM s= tag of Input.DKIM[Index], kept for reports
	// (RFC 9989 §5.3.3 has the results include d= and s=); "" for SPF.
	Selector string
	Result   AuthResult
	Mode     Alignment // the mode the record asks for
	// Evaluated is false when alignment was not computed because the
	// result could not contribute (neither pass nor temperror).
	Evaluated bool
	Aligned   bool
	// OrgDomain is the identifier's Organizational Domain when relaxed
	// alignment needed it.
	OrgDomain string
	// Err is a DNS failure while finding OrgDomain, or a *DomainError
	// when the identifier is not a domain name (Evaluated is then false:
	// such text aligns with nothing).
	Err error
}

// Result is the outcome of a DMARC evaluation.
type Result struct {
	Code Code
	// AuthorDomain is the RFC5322.From domain evaluated, canonical.
	AuthorDomain string
	// Discovery is the policy discovery behind the result.
	Discovery *Discovery
	// SPFAligned and DKIMAligned say whether an aligned pass came from SPF
	// and from at least one DKIM signature.
	SPFAligned, DKIMAligned bool
	// Checks details the alignment of every identifier: the SPF one first,
	// then the DKIM ones in input order.
	Checks []Check
	// Policy is the requested policy that applies to the Author Domain
	// (from p, sp or np; PolicyTag says which), PolicyUnset when no record
	// applies.
	Policy    Policy
	PolicyTag Tag
	// Nonexistent reports that the Author Domain was found not to exist,
	// which selects np (RFC 9989 §4.10.1). Existence is checked only for a
	// failing message whose policy it changes.
	Nonexistent bool
	// Testing reports t=y (RFC 9989 mode): the policy is applied one level
	// lower.
	Testing bool
	// Sampled is false when RFC 7489 pct sampling exempted this message
	// from the policy (§6.6.4); true otherwise.
	Sampled bool
	// AppliedPolicy is Policy after t= (or pct=) is taken into account:
	// the "policy.dmarc" of RFC 9989 §9.1.
	AppliedPolicy Policy
	// Disposition is what to do with the message: AppliedPolicy for a
	// failing message, DispositionNone otherwise.
	Disposition Disposition
	// Err explains temperror and permerror.
	Err error
}

// Evaluate runs DMARC for a message with the RFC 9989 defaults. It is
// (&Checker{Resolver: r}).Evaluate.
func Evaluate(ctx context.Context, r domainauth.Resolver, in Input) *Result {
	c := Checker{Resolver: r}
	return c.Evaluate(ctx, in)
}

// Evaluate runs DMARC for a message: policy discovery for the Author
// Domain, identifier alignment of the SPF and DKIM results, and the policy
// that applies (RFC 9989 §5.3). It never panics on any input.
func (c *Checker) Evaluate(ctx context.Context, in Input) *Result {
	return c.evaluate(ctx, newWalker(c), in)
}

func (c *Checker) evaluate(ctx context.Context, w *walker, in Input) *Result {
	res := &Result{Sampled: true}
	d := &Discovery{}
	res.Discovery = d
	author, err := canonicalDomain("author domain", in.FromDomain)
	if err != nil {
		d.Status, d.Err = DiscoveryStatusPermError, err
		res.Code, res.Err = CodePermError, d.Err
		return res
	}
	d.AuthorDomain, res.AuthorDomain = author, author
	c.discover(ctx, w, d)
	switch d.Status {
	case DiscoveryStatusNone:
		return res
	case DiscoveryStatusTempError:
		res.Code, res.Err = CodeTempError, d.Err
		return res
	case DiscoveryStatusPermError:
		res.Code, res.Err = CodePermError, d.Err
		return res
	}
	rec := d.Record

	res.Checks = make([]Check, 0, 1+len(in.DKIM))
	res.Checks = append(res.Checks, c.align(ctx, w, d, MethodSPF, 0, in.SPF, rec.SPFMode()))
	for i, id := range in.DKIM {
		res.Checks = append(res.Checks, c.align(ctx, w, d, MethodDKIM, i, id, rec.DKIMMode()))
	}
	var tempErr error
	for _, ch := range res.Checks {
		switch {
		case ch.Aligned && ch.Result == AuthResultPass:
			if ch.Method == MethodSPF {
				res.SPFAligned = true
			} else {
				res.DKIMAligned = true
			}
		case ch.Evaluated && ch.Err != nil && tempErr == nil:
			tempErr = ch.Err
		case ch.Aligned && ch.Result == AuthResultTempError && tempErr == nil:
			// RFC 7489 §6.6.2: no aligned pass and an aligned temporary
			// failure: the receiver cannot conclude that DMARC failed.
			tempErr = errs.New(fmt.Sprintf("dmarc: %s result for %s is temperror", ch.Method, ch.Domain), domainauth.ErrTemporary)
		}
	}

	// The policy that applies (RFC 9989 §4.10.1).
	subdomain := d.Source != SourceAuthor
	kind := DomainKindPolicyDomain
	if subdomain {
		kind = DomainKindSubdomain
	}
	res.Policy, res.PolicyTag = rec.policyFor(kind)
	res.AppliedPolicy = res.Policy
	// RFC 9989 §4.7 t=y: the policy to apply is one level below the
	// published one. policy.dmarc (§9.1) is the policy after the policy
	// options, so this holds for a passing message too.
	if c.Mode == ModeRFC9989 && rec.IsTesting() {
		res.Testing = true
		res.AppliedPolicy = lower(res.Policy)
	}
	switch {
	case res.SPFAligned || res.DKIMAligned:
		res.Code = CodePass
		return res
	case tempErr != nil:
		res.Code, res.Err = CodeTempError, tempErr
		return res
	}
	// np applies to a non-existent subdomain. Whether the Author Domain
	// exists is asked only when the answer changes the policy of a failing
	// message, which spares the queries for most mail.
	if subdomain && c.Mode == ModeRFC9989 && rec.NonexistentPolicy != PolicyUnset && !rec.invalidPolicy() &&
		rec.PolicyFor(DomainKindNonexistent) != rec.PolicyFor(DomainKindSubdomain) {
		exists, err := c.exists(ctx, author)
		if err != nil {
			res.Code, res.Err = CodeTempError, err
			return res
		}
		if !exists {
			res.Nonexistent = true
			res.Policy, res.PolicyTag = rec.policyFor(DomainKindNonexistent)
			res.AppliedPolicy = res.Policy
			if res.Testing {
				res.AppliedPolicy = lower(res.Policy)
			}
		}
	}
	res.Code = CodeFail
	// RFC 7489 §6.6.4: a message not sampled gets the next lower policy.
	if c.Mode == ModeRFC7489 {
		if pct := rec.Percent(); pct < 100 && c.intn(100) >= pct {
			res.Sampled = false
			res.AppliedPolicy = lower(res.Policy)
		}
	}
	res.Disposition = disposition(res.AppliedPolicy)
	return res
}

func lower(p Policy) Policy {
	switch p {
	case PolicyReject:
		return PolicyQuarantine
	case PolicyQuarantine:
		return PolicyNone
	}
	return p
}

func disposition(p Policy) Disposition {
	switch p {
	case PolicyReject:
		return DispositionReject
	case PolicyQuarantine:
		return DispositionQuarantine
	}
	return DispositionNone
}

// align checks one identifier against the Author Domain. Only results that
// can change the outcome (pass, temperror) are evaluated, which spares
// DNS tree walks for the others.
func (c *Checker) align(ctx context.Context, w *walker, d *Discovery, m Method, i int, id Identifier, mode Alignment) Check {
	ch := Check{Method: m, Index: i, Result: id.Result, Mode: mode}
	if m == MethodDKIM {
		ch.Selector = id.Selector
	}
	if id.Domain == "" {
		return ch
	}
	dom, err := canonicalDomain("identifier", id.Domain)
	if err != nil {
		// Not a domain name ("a@b.example.org"): it aligns with nothing.
		ch.Domain, ch.Err = id.Domain, err
		return ch
	}
	ch.Domain = dom
	if id.Result != AuthResultPass && id.Result != AuthResultTempError {
		return ch
	}
	ch.Evaluated = true
	if dom == d.AuthorDomain {
		ch.Aligned = true
		return ch
	}
	if mode == AlignmentStrict {
		return ch
	}
	// Relaxed: the same Organizational Domain. Names without a common
	// ancestor cannot have one, so no walk is needed for them.
	if !shareAncestor(dom, d.AuthorDomain) {
		return ch
	}
	org, err := w.orgDomain(ctx, dom)
	if err != nil {
		ch.Err = err
		return ch
	}
	ch.OrgDomain = org
	ch.Aligned = org == d.OrgDomain
	return ch
}

// Aligned reports whether identifier is aligned with author in the given
// mode (RFC 9989 §3.2.10): identical for strict, the same Organizational
// Domain for relaxed. Names are compared in A-label form; the error is a
// *DomainError when author or identifier is not a domain name (an address
// such as "a@b.example.org" is refused, not aligned), or a DNS failure of
// a tree walk.
func (c *Checker) Aligned(ctx context.Context, author, identifier string, mode Alignment) (bool, error) {
	a, id, err := alignmentPair(author, identifier)
	if err != nil {
		return false, err
	}
	if a == id {
		return true, nil
	}
	if mode == AlignmentStrict || !shareAncestor(a, id) {
		return false, nil
	}
	w := newWalker(c)
	oa, err := w.orgDomain(ctx, a)
	if err != nil {
		return false, err
	}
	oi, err := w.orgDomain(ctx, id)
	if err != nil {
		return false, err
	}
	return oa == oi, nil
}

// AlignedPSL is the RFC 7489 §3.1 alignment test with Organizational
// Domains from the public suffix list; it needs no DNS. The error is a
// *DomainError when author or identifier is not a domain name.
func AlignedPSL(author, identifier string, mode Alignment) (bool, error) {
	a, id, err := alignmentPair(author, identifier)
	if err != nil {
		return false, err
	}
	if a == id {
		return true, nil
	}
	return mode != AlignmentStrict && OrgDomainPSL(a) == OrgDomainPSL(id), nil
}

// alignmentPair returns the canonical forms of the two names of an
// alignment test, or a *DomainError for the first that is not a domain.
func alignmentPair(author, identifier string) (string, string, error) {
	a, err := canonicalDomain("author domain", author)
	if err != nil {
		return "", "", err
	}
	id, err := canonicalDomain("identifier", identifier)
	if err != nil {
		return "", "", err
	}
	return a, id, nil
}

// shareAncestor reports whether two canonical names end in the same label.
func shareAncestor(a, b string) bool {
	return lastLabels(a, 1) == lastLabels(b, 1)
}

// exists reports whether a domain exists, for np= (RFC 9989 §3.2.13,
// §4.7: a non-existent domain is one for which DNS answers NXDOMAIN). The
// first of these that is available decides:
//
//  1. Checker.DomainExists, the caller's override;
//  2. the Resolver's domainauth.ExistenceResolver capability, which tells
//     NXDOMAIN from NODATA;
//  3. address, MX and TXT lookups: any data means the domain exists. A
//     plain Resolver cannot tell NXDOMAIN from NODATA, so a name with only
//     other record types (or none, as an empty non-terminal) counts as
//     non-existent, short of RFC 9989 Appendix A.4, by which a record of
//     any type makes a domain exist.
func (c *Checker) exists(ctx context.Context, name string) (bool, error) {
	if c.DomainExists != nil {
		return c.DomainExists(ctx, name)
	}
	if er, ok := c.Resolver.(domainauth.ExistenceResolver); ok {
		exists, err := er.LookupExists(ctx, name)
		if err != nil {
			return false, fmt.Errorf("dmarc: existence of %s: %w", name, domainauth.WrapDNSError(ctx, contextErr(ctx, err)))
		}
		return exists, nil
	}
	r := c.Resolver
	var firstErr error
	try := func(err error) bool {
		switch domainauth.Classify(ctx, err) {
		case domainauth.ErrorKindOK:
			return true
		case domainauth.ErrorKindNotFound:
		default:
			if firstErr == nil {
				firstErr = fmt.Errorf("dmarc: existence of %s: %w", name, domainauth.WrapDNSError(ctx, contextErr(ctx, err)))
			}
		}
		return false
	}
	if _, err := r.LookupNetIP(ctx, "ip", name); try(err) {
		return true, nil
	}
	if _, err := r.LookupMX(ctx, name); try(err) {
		return true, nil
	}
	if _, err := r.LookupTXT(ctx, name); try(err) {
		return true, nil
	}
	return false, firstErr
}

// EvaluateAll evaluates a message with several Author Domains, as RFC 9989
// §11.5 (RFC 7489 §6.6.1) suggests for a receiver that chooses to: each
// domain is evaluated and the strictest result is returned with all the
// results. At most MaxAuthorDomains domains are processed; when more are
// given, a permerror result stands for the rest, marking the evaluation
// incomplete.
func (c *Checker) EvaluateAll(ctx context.Context, domains []string, in Input) (*Result, []*Result) {
	limit := c.MaxAuthorDomains
	if limit <= 0 {
		limit = 4
	}
	w := newWalker(c)
	var all []*Result
	for i, dom := range domains {
		if i == limit {
			all = append(all, &Result{Code: CodePermError, AuthorDomain: dom, Sampled: true,
				Err: fmt.Errorf("dmarc: more than %d author domains; evaluation incomplete", limit)})
			break
		}
		in.FromDomain = dom
		all = append(all, c.evaluate(ctx, w, in))
	}
	return Strictest(all), all
}

// Strictest picks, among results for several Author Domains of one
// message, the one to act on: the failing result with the strongest
// disposition, else a temperror, else a permerror, else a pass, else none.
func Strictest(results []*Result) *Result {
	rank := func(r *Result) int {
		switch r.Code {
		case CodeFail:
			return 10 + int(r.Disposition)
		case CodeTempError:
			return 4
		case CodePermError:
			return 3
		case CodePass:
			return 2
		}
		return 1
	}
	var best *Result
	for _, r := range results {
		if r != nil && (best == nil || rank(r) > rank(best)) {
			best = r
		}
	}
	return best
}
