package dmarc

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/domainauth/domainauth/internal/dnsname"
)

// AuthorChoice is the receiver's choice for messages that do not have
// exactly one Author Domain (RFC 9989 §5.3.1, §11.5; RFC 7489 §6.6.1).
type AuthorChoice uint8

const (
	// AuthorSingle (the default) accepts exactly one From field naming one
	// domain; several mailboxes in the same domain count as one domain.
	// Anything else is an error and, per RFC 9989 §5.3.1, DMARC validation
	// is not possible.
	AuthorSingle AuthorChoice = iota
	// AuthorAll returns every distinct domain of every From field, for a
	// receiver that goes forward anyway by evaluating each domain and
	// applying the strictest result (RFC 9989 §11.5; Checker.EvaluateAll).
	AuthorAll
)

// Errors of AuthorDomains.
var (
	ErrNoAuthorDomain        = errors.New("dmarc: no RFC5322.From domain")
	ErrMultipleAuthorDomains = errors.New("dmarc: RFC5322.From has more than one domain")
	ErrMultipleFromFields    = errors.New("dmarc: more than one From header field")
)

// AuthorDomains extracts the Author Domains from a message's header block
// (the header fields, up to the first empty line; the body, if present, is
// ignored): the domains of the RFC5322.From mailboxes, converted to
// A-labels (RFC 9989 §5.3.1), distinct and in order.
//
// With AuthorSingle it returns ErrNoAuthorDomain, ErrMultipleFromFields or
// ErrMultipleAuthorDomains (wrapped) unless there is exactly one; the
// domains found are returned alongside the error. With AuthorAll only the
// absence of any domain is an error.
func AuthorDomains(header string, choice AuthorChoice) ([]string, error) {
	fields := fromFields(header)
	var domains []string
	var firstErr error
	for _, f := range fields {
		addrs, err := addresses(f)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		for _, a := range addrs {
			at := strings.LastIndexByte(a, '@')
			if at < 0 {
				continue
			}
			d, err := dnsname.Normalize(a[at+1:])
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("dmarc: From domain: %w", err)
				}
				continue
			}
			if !contains(domains, d) {
				domains = append(domains, d)
			}
		}
	}
	switch {
	case len(domains) == 0 && firstErr != nil:
		return nil, fmt.Errorf("%w: %w", ErrNoAuthorDomain, firstErr)
	case len(domains) == 0:
		return nil, ErrNoAuthorDomain
	case choice == AuthorAll:
		return domains, nil
	case len(fields) > 1:
		return domains, fmt.Errorf("%w (%d fields)", ErrMultipleFromFields, len(fields))
	case len(domains) > 1:
		return domains, fmt.Errorf("%w: %s", ErrMultipleAuthorDomains, strings.Join(domains, ", "))
	}
	return domains, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fromFields returns the unfolded values of the From fields of a header
// block.
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
			out = append(out, line[colon+1:])
			cur = len(out) - 1
		}
	}
	return out
}

// addresses returns the addr-specs of a From field value. It uses
// net/mail (which handles display names, comments, groups and encoded
// words) and falls back to a lenient scan for angle-addr and bare
// addresses in values net/mail rejects.
func addresses(v string) ([]string, error) {
	list, err := mail.ParseAddressList(v)
	if err == nil {
		out := make([]string, len(list))
		for i, a := range list {
			out[i] = a.Address
		}
		return out, nil
	}
	var out []string
	rest := v
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '>')
		if j < 0 {
			break
		}
		out = append(out, strings.TrimSpace(rest[i+1:i+j]))
		rest = rest[i+j+1:]
	}
	if len(out) == 0 {
		for part := range strings.SplitSeq(v, ",") {
			if p := strings.TrimSpace(part); strings.Contains(p, "@") && !strings.ContainsAny(p, " \t\"()") {
				out = append(out, p)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("dmarc: From field %q: %w", strings.TrimSpace(v), err)
	}
	return out, nil
}

// AuthenticationResults returns the dmarc= part of an
// Authentication-Results header field (RFC 8601 §2.7; RFC 9989 §9.1,
// §9.2), for example
//
//	dmarc=fail (p=reject sp=none dis=quarantine) header.from=example.org policy.dmarc=quarantine
//
// The comment gives the published p and sp and the disposition;
// policy.dmarc is the policy after t= (or pct=) is applied.
func (r *Result) AuthenticationResults() string {
	var b strings.Builder
	b.WriteString("dmarc=")
	b.WriteString(r.Code.String())
	var rec *Record
	if r.Discovery != nil {
		rec = r.Discovery.Record
	}
	if rec != nil && (r.Code == CodePass || r.Code == CodeFail) {
		b.WriteString(" (p=")
		b.WriteString(rec.EffectivePolicy().String())
		if rec.SubdomainPolicy != PolicyUnset {
			b.WriteString(" sp=")
			b.WriteString(rec.PolicyFor(true, false).String())
		}
		b.WriteString(" dis=")
		b.WriteString(r.Disposition.String())
		b.WriteByte(')')
	}
	if r.AuthorDomain != "" {
		b.WriteString(" header.from=")
		b.WriteString(r.AuthorDomain)
	}
	if rec != nil && (r.Code == CodePass || r.Code == CodeFail) && r.AppliedPolicy != PolicyUnset {
		b.WriteString(" policy.dmarc=")
		b.WriteString(r.AppliedPolicy.String())
	}
	return b.String()
}
