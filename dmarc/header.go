package dmarc

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/domainauth/domainauth/authres"
)

// AuthorChoice is the receiver's choice for messages that do not have
// exactly one Author Domain (RFC 9989 §5.3.1, §11.5; RFC 7489 §6.6.1).
type AuthorChoice uint8

const (
	// AuthorChoiceSingle (the default) accepts exactly one From field naming one
	// domain; several mailboxes in the same domain count as one domain.
	// Anything else is an error and, per RFC 9989 §5.3.1, DMARC validation
	// is not possible.
	AuthorChoiceSingle AuthorChoice = iota
	// AuthorChoiceAll returns every distinct domain of every From field, for a
	// receiver that goes forward anyway by evaluating each domain and
	// applying the strictest result (RFC 9989 §11.5; Checker.EvaluateAll).
	AuthorChoiceAll
)

// Errors of AuthorDomains.
var (
	ErrNoAuthorDomain        = errors.New("dmarc: no RFC5322.From domain")
	ErrMultipleAuthorDomains = errors.New("dmarc: RFC5322.From has more than one domain")
	ErrMultipleFromFields    = errors.New("dmarc: more than one From header field")
	// ErrMalformedFrom means a From field has no usable Author Domain: it
	// holds a control or format character, or net/mail cannot parse it
	// (RFC 9989 §4.4: Identifier Alignment cannot occur with a malformed
	// RFC5322.From field). Errors wrapping it are *FromError values and
	// also wrap ErrNoAuthorDomain.
	ErrMalformedFrom = errors.New("dmarc: malformed From field")
)

// FromError describes a From field that has no usable Author Domain.
// errors.Is(err, ErrMalformedFrom) and errors.Is(err, ErrNoAuthorDomain)
// hold for it.
type FromError struct {
	Field  string // the unfolded field value, as in the message
	Offset int    // byte offset of the problem in Field, -1 when it concerns the whole field
	Msg    string
	Err    error // the net/mail or domain name error behind Msg, if any
}

// Error names the field (quoted, so control characters show as escapes,
// and cut after 256 bytes) and the offset of the problem.
func (e *FromError) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("dmarc: From field %q: offset %d: %s", clip(e.Field), e.Offset, e.Msg)
	}
	return fmt.Sprintf("dmarc: From field %q: %s", clip(e.Field), e.Msg)
}

// Unwrap returns ErrMalformedFrom, ErrNoAuthorDomain and the underlying
// error.
func (e *FromError) Unwrap() []error {
	errs := []error{ErrMalformedFrom, ErrNoAuthorDomain}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// AuthorDomains extracts the Author Domains from a message's header block
// (the header fields, up to the first empty line; the body, if present, is
// ignored): the domains of the RFC5322.From mailboxes, converted to
// A-labels (RFC 9989 §5.3.1), distinct and in order.
//
// A From field that holds a control or format character (C0 but HT, DEL,
// C1, U+2028, U+2029, the bidi controls U+202A-202E and U+2066-2069) or
// invalid UTF-8, that net/mail cannot parse, or that has a mailbox whose
// domain is not a usable domain name, makes the whole header unusable:
// AuthorDomains then returns no domain and a *FromError, whatever the
// choice, since a receiver and a mail client could disagree on which
// domain such a field names (RFC 9989 §4.4, §11.5). The one exception is
// documented at fromFieldFallback: a display name that net/mail rejects in
// a field with exactly one address.
//
// With AuthorChoiceSingle it returns ErrNoAuthorDomain, ErrMultipleFromFields or
// ErrMultipleAuthorDomains (wrapped) unless there is exactly one; the
// domains found are returned alongside the last two. With AuthorChoiceAll only
// the absence of any domain is an error.
func AuthorDomains(header string, choice AuthorChoice) ([]string, error) {
	fields := fromFields(header)
	var domains []string
	var seen map[string]bool // past a few domains, so that a long list costs linear time
	for _, f := range fields {
		addrs, err := addresses(f)
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			at := strings.LastIndexByte(a, '@')
			if at < 0 {
				continue
			}
			d, err := canonicalDomain("domain", a[at+1:])
			if err != nil {
				return nil, &FromError{Field: f, Offset: -1, Msg: err.(*DomainError).detail(), Err: err}
			}
			if seen == nil && len(domains) == 8 {
				seen = make(map[string]bool)
				for _, x := range domains {
					seen[x] = true
				}
			}
			switch {
			case seen != nil:
				if !seen[d] {
					seen[d] = true
					domains = append(domains, d)
				}
			case !slices.Contains(domains, d):
				domains = append(domains, d)
			}
		}
	}
	switch {
	case len(domains) == 0:
		return nil, ErrNoAuthorDomain
	case choice == AuthorChoiceAll:
		return domains, nil
	case len(fields) > 1:
		return domains, fmt.Errorf("%w (%d fields)", ErrMultipleFromFields, len(fields))
	case len(domains) > 1:
		return domains, fmt.Errorf("%w: %s", ErrMultipleAuthorDomains, strings.Join(domains, ", "))
	}
	return domains, nil
}

// EvaluateHeader runs DMARC for a message given its header block: the
// Author Domain is AuthorDomains(header, AuthorChoiceSingle) and in.FromDomain is
// ignored. A header without exactly one usable Author Domain gives
// permerror, with Err the error of AuthorDomains (a *FromError for a
// malformed From field): such a message can never pass. For a receiver
// that evaluates each of several Author Domains, use AuthorDomains with
// AuthorChoiceAll and EvaluateAll.
func (c *Checker) EvaluateHeader(ctx context.Context, header string, in Input) *Result {
	domains, err := AuthorDomains(header, AuthorChoiceSingle)
	if err != nil {
		return &Result{Code: CodePermError, Sampled: true, Discovery: &Discovery{Status: DiscoveryStatusPermError, Err: err}, Err: err}
	}
	in.FromDomain = domains[0]
	return c.Evaluate(ctx, in)
}

// fromFields returns the unfolded values of the From fields of a header
// block, without the white space that follows the colon.
func fromFields(header string) []string {
	var out []string
	cur := -1 // index in out of the field being continued, or -1
	for len(header) > 0 {
		line := header
		if i := strings.IndexByte(header, '\n'); i >= 0 {
			line, header = header[:i], header[i+1:]
		} else {
			header = ""
		}
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			break // end of the header block
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur >= 0 {
				out[cur] += " " + strings.TrimLeft(line, " \t")
			}
			continue
		}
		cur = -1
		colon := strings.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		if strings.EqualFold(strings.TrimRight(line[:colon], " \t"), "From") {
			out = append(out, strings.TrimLeft(line[colon+1:], " \t"))
			cur = len(out) - 1
		}
	}
	return out
}

// addresses returns the addr-specs of a From field value, as net/mail
// parses them (it handles display names, comments, groups and encoded
// words), or a *FromError.
func addresses(v string) ([]string, error) {
	if off, msg := unsafeChar(v); off >= 0 {
		return nil, &FromError{Field: v, Offset: off, Msg: msg}
	}
	list, err := mail.ParseAddressList(v)
	if err != nil {
		if a, ok := fromFieldFallback(v); ok {
			return []string{a}, nil
		}
		return nil, &FromError{Field: v, Offset: -1, Msg: "not an RFC 5322 address list: " + clip(err.Error()), Err: err}
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
	}
	return out, nil
}

// fromFieldFallback is the one kind of From field that net/mail rejects
// and AuthorDomains still reads: a display name with characters RFC 5322
// wants quoted ("Alice [Sales] <alice@example.org>", a common fault of
// bulk mailers), in a field that holds exactly one '@', one '<' and one
// '>', in that order, with nothing but white space after the '>' and no
// '"', ',', ';', ':' or '\' in the display name. Such a field names one
// mailbox however it is read, so a mail client cannot show another; the
// address is what net/mail gives for the angle-addr alone.
func fromFieldFallback(v string) (string, bool) {
	lt, gt := strings.IndexByte(v, '<'), strings.IndexByte(v, '>')
	if strings.Count(v, "@") != 1 || strings.Count(v, "<") != 1 || strings.Count(v, ">") != 1 || gt < lt {
		return "", false
	}
	if strings.ContainsAny(v[:lt], "@\",;:\\") || strings.TrimLeft(v[gt+1:], " \t") != "" {
		return "", false
	}
	a, err := mail.ParseAddress(v[lt : gt+1])
	if err != nil {
		return "", false
	}
	return a.Address, true
}

// unsafeChar returns the offset of the first byte in a header field value
// that a receiver must not read past (a control or format character, or
// invalid UTF-8) with what it is, or -1. HT is white space in a header and
// allowed.
func unsafeChar(v string) (int, string) {
	for i, r := range v {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(v[i:]); size == 1 {
				return i, "invalid UTF-8"
			}
		case r == '\t':
		case r < 0x20 || r == 0x7f || 0x80 <= r && r <= 0x9f:
			return i, fmt.Sprintf("control character %U", r)
		case r == 0x2028 || r == 0x2029:
			return i, fmt.Sprintf("line or paragraph separator %U", r)
		case 0x202a <= r && r <= 0x202e || 0x2066 <= r && r <= 0x2069:
			return i, fmt.Sprintf("bidirectional control %U", r)
		}
	}
	return -1, ""
}

// AuthResult returns the dmarc method result of an Authentication-Results
// field (RFC 8601 §2.7; RFC 9989 §9.1, §9.2): the result, the error as the
// reason for temperror and permerror, header.from and, for pass and fail
// under a policy record, a comment with the published p (and sp) and the
// disposition and policy.dmarc, the policy after t= (or pct=). Written
// with String, for example:
//
//	dmarc=fail (p=reject sp=none dis=quarantine) header.from=example.org policy.dmarc=quarantine
func (r *Result) AuthResult() authres.MethodResult {
	m := authres.MethodResult{Method: "dmarc", Result: authres.Result(r.Code.String())}
	if r.Code == CodeTempError || r.Code == CodePermError {
		m.Reason = authres.ErrorReason("dmarc", r.Err)
	}
	var rec *Record
	if r.Discovery != nil && (r.Code == CodePass || r.Code == CodeFail) {
		rec = r.Discovery.Record
	}
	if rec != nil {
		c := "p=" + rec.EffectivePolicy().String()
		if rec.SubdomainPolicy != PolicyUnset {
			c += " sp=" + rec.PolicyFor(DomainKindSubdomain).String()
		}
		m.Comment = c + " dis=" + r.Disposition.String()
	}
	m.AddProperty("header", "from", r.AuthorDomain)
	if rec != nil && r.AppliedPolicy != PolicyUnset {
		m.AddProperty("policy", "dmarc", r.AppliedPolicy.String())
	}
	return m
}
