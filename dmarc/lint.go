package dmarc

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/errs"
	"github.com/domainauth/domainauth/internal/tagvalue"
)

// Severity ranks a Finding; it is the module-wide domainauth.Severity.
type Severity = domainauth.Severity

// Severities, from least to most serious.
const (
	SeverityInfo    = domainauth.SeverityInfo
	SeverityWarning = domainauth.SeverityWarning
	SeverityError   = domainauth.SeverityError
)

// Finding is one DMARC lint observation; it is the module-wide domainauth.Finding, so that
// tools can gather findings from every package. Code is one of the stable
// Finding* constants; Message is for people.
type Finding = domainauth.Finding

// LintText parses a DMARC record and lints it: problems that stop it from
// parsing, problems of its text (leading whitespace), then Record.Lint.
func LintText(txt string, mode Mode) []Finding {
	var out []Finding
	if len(txt) > 0 && isFWS(txt[0]) {
		out = append(out, Finding{Code: FindingLeadingWhitespace, Severity: SeverityWarning,
			Message: "the record starts with whitespace; strict receivers do not see v=DMARC1 first",
			Where:   "v", RFC: "RFC 9989 §4.7"})
	}
	r, err := ParseRecord(txt)
	if err != nil {
		var pe *ParseError
		errors.As(err, &pe)
		f := Finding{Severity: SeverityError, Message: err.Error(), Where: pe.Tag}
		switch {
		case errors.Is(err, ErrSyntax):
			f.Code, f.RFC = FindingSyntax, "RFC 9989 §4.7"
			f.Message += "; receivers ignore the record"
		case errors.Is(err, ErrNotDMARC):
			f.Code, f.RFC = FindingNotDMARC, "RFC 9989 §4.7"
		case errors.Is(err, ErrDuplicateTag):
			f.Code, f.RFC = FindingDuplicateTag, "RFC 6376 §3.2"
		case errors.Is(err, ErrInvalidPolicy):
			f.Code, f.RFC = FindingInvalidPolicy, "RFC 9989 §4.10.1"
		default:
			f.Code, f.RFC = FindingSyntax, "RFC 9989 §4.8"
		}
		return append(out, f)
	}
	if mode == ModeRFC7489 && r.Explicit.Has(TagP) {
		// RFC 7489 §6.3: "v" and "p" MUST appear in that order, p second.
		s := tagvalue.Scanner{Input: txt, AllowEmpty: true}
		s.Next()
		if s.Next() && tagByName(s.Tag()) != TagP {
			out = append(out, Finding{Code: FindingPNotSecond, Severity: SeverityWarning,
				Message: "p is not the tag right after v; RFC 7489 requires that order and some receivers enforce it",
				Where:   "p", RFC: "RFC 7489 §6.3"})
		}
	}
	return append(out, r.Lint(mode)...)
}

// Lint reports what is unwise or ignored in a parsed record. mode selects
// which specification's tags count as current.
func (r *Record) Lint(mode Mode) []Finding {
	var out []Finding
	add := func(code string, sev Severity, where, rfc, format string, args ...any) {
		out = append(out, Finding{Code: code, Severity: sev, Message: fmt.Sprintf(format, args...), Where: where, RFC: rfc})
	}
	for _, tv := range r.Invalid {
		t := tagByName(tv.Tag)
		if t&(TagP|TagSP|TagNP) != 0 {
			add(FindingInvalidPolicy, SeverityError, tv.Tag, "RFC 9989 §4.10.1",
				"invalid %s=%q: receivers act as if the record said p=none", tv.Tag, tv.Value)
			continue
		}
		add(FindingInvalidValue, SeverityWarning, tv.Tag, "RFC 9989 §4.8",
			"invalid value %q for %s; receivers use the default", tv.Value, tv.Tag)
	}
	for _, tv := range r.Unknown {
		if near := nearTag(tv.Tag); near != "" {
			// A misspelt tag (adksim=s) silently loses what it was for.
			add(FindingUnknownTag, SeverityWarning, tv.Tag, "RFC 9989 §4.7", "unknown tag %s is ignored; did you mean %s?", tv.Tag, near)
			continue
		}
		add(FindingUnknownTag, SeverityInfo, tv.Tag, "RFC 9989 §4.7", "unknown tag %s is ignored", tv.Tag)
	}
	for _, m := range r.Malformed {
		add(FindingSyntax, SeverityWarning, m, "RFC 9989 §4.8", "malformed tag-spec %q is ignored", m)
	}
	if !r.Explicit.Has(TagP) {
		sev, rfc := SeverityWarning, "RFC 9989 §4.7"
		if mode == ModeRFC7489 {
			sev, rfc = SeverityError, "RFC 7489 §6.3"
		}
		add(FindingMissingP, sev, "p", rfc, "no p tag; the record acts as p=none")
	}
	pol := r.EffectivePolicy()
	if pol == PolicyNone && len(r.AggregateURIs) == 0 {
		add(FindingPNoneWithoutRUA, SeverityWarning, "p", "RFC 9989 §3.2.12",
			"p=none without rua: monitoring mode with nobody receiving the reports")
	}
	if r.SubdomainPolicy != PolicyUnset && r.SubdomainPolicy < pol {
		add(FindingWeakerSubdomainPolicy, SeverityWarning, "sp", "RFC 9989 §4.7",
			"sp=%s is weaker than p=%s", r.SubdomainPolicy, pol)
	}
	if r.NonexistentPolicy != PolicyUnset && r.NonexistentPolicy < pol {
		add(FindingWeakerNonexistentPolicy, SeverityWarning, "np", "RFC 9989 §4.7",
			"np=%s is weaker than p=%s: non-existent subdomains are the easiest to spoof", r.NonexistentPolicy, pol)
	}
	if r.IsTesting() && r.PolicyFor(DomainKindNonexistent) == PolicyNone && pol == PolicyNone && r.PolicyFor(DomainKindSubdomain) == PolicyNone {
		add(FindingTestingWithoutEffect, SeverityInfo, "t", "RFC 9989 §4.7", "t=y has no effect on a policy of none")
	}
	if r.hasNumber(TagPct, r.Pct != 0) && r.Pct < 100 {
		add(FindingPctBelow100, SeverityWarning, "pct", "RFC 9989 Appendix A.6",
			"pct=%d: the policy is applied to only part of the failing mail, and inconsistently across receivers", r.Pct)
	}
	if mode == ModeRFC9989 {
		for _, t := range [...]Tag{TagPct, TagRF, TagRI} {
			if r.Explicit.Has(t) {
				add(FindingObsoleteTag, SeverityWarning, t.String(), "RFC 9989 Appendix C.5.2",
					"%s was removed by RFC 9989 and is ignored", t)
			}
		}
	}
	if r.ReportFormat != "" {
		for f := range strings.SplitSeq(r.ReportFormat, ":") {
			if f = trimFWS(f); !strings.EqualFold(f, "afrf") {
				add(FindingUnknownReportFormat, SeverityWarning, "rf", "RFC 7489 §6.3", "report format %q is not registered", f)
			}
		}
	}
	if mode == ModeRFC9989 && r.FailureOptions&(FailureOptionsAll|FailureOptionsAny) == FailureOptionsAll|FailureOptionsAny {
		add(FindingFOConflict, SeverityWarning, "fo", "RFC 9989 §4.7", "fo values 0 and 1 are mutually exclusive")
	}
	if len(r.FailureURIs) > 0 && r.FailureOptions == 0 {
		add(FindingRUFWithoutFO, SeverityInfo, "ruf", "RFC 9989 §4.7",
			"ruf without fo: failure reports only when all mechanisms fail (fo=0)")
	}
	if len(r.FailureURIs) == 0 && r.FailureOptions != 0 {
		add(FindingFOWithoutRUF, SeverityInfo, "fo", "RFC 9989 §4.7", "fo is ignored without ruf")
	}
	for _, l := range [...]struct {
		tag  string
		uris []URI
	}{{"rua", r.AggregateURIs}, {"ruf", r.FailureURIs}} {
		if len(l.uris) > 2 {
			add(FindingTooManyDestinations, SeverityWarning, l.tag, "RFC 7489 §6.2",
				"%d %s destinations; receivers need only support two", len(l.uris), l.tag)
		}
		for _, u := range l.uris {
			if err := u.Check(); err != nil {
				add(FindingInvalidURI, SeverityError, u.String(), "RFC 9989 §4.6", "%s URI %q is ignored: %v", l.tag, u.String(), err)
				continue
			}
			if s := u.Scheme(); s != "mailto" {
				add(FindingUnsupportedScheme, SeverityWarning, u.String(), "RFC 9989 §4.7",
					"%s URI scheme %q: receivers need only support mailto", l.tag, s)
			}
			if u.Size != "" && mode == ModeRFC9989 {
				add(FindingObsoleteSize, SeverityInfo, u.String(), "RFC 9989 §4.8", "the !size suffix is obsolete and ignored")
			}
		}
	}
	return out
}

// LintDomain looks at the DMARC set-up of a domain in DNS: the records at
// _dmarc.<domain> (none, several, an SPF record there), a DMARC record
// published at the domain itself instead, the record that applies (lint of
// its text), and external report destinations without authorisation.
func (c *Checker) LintDomain(ctx context.Context, domain string) []Finding {
	var out []Finding
	add := func(code string, sev Severity, where, rfc, format string, args ...any) {
		out = append(out, Finding{Code: code, Severity: sev, Message: fmt.Sprintf(format, args...), Where: where, RFC: rfc})
	}
	name, err := canonicalDomain("domain", domain)
	if err != nil {
		add(FindingInvalidDomain, SeverityError, domain, "RFC 1035 §2.3.4", "%s", err.(*DomainError).detail())
		return out
	}
	qname := "_dmarc." + name
	txts, err := c.Resolver.LookupTXT(ctx, qname)
	if k := domainauth.Classify(ctx, err); k != domainauth.ErrorKindOK && k != domainauth.ErrorKindNotFound {
		add(FindingDNSError, SeverityError, qname, "RFC 9989 §4.10.1", "TXT lookup failed: %v", err)
		return out
	}
	var dmarcTexts []string
	broken := false // a text that is DMARC but for a missing ';' (ErrSyntax)
	for _, t := range txts {
		_, err := ParseRecord(t)
		if !errors.Is(err, ErrNotDMARC) {
			dmarcTexts = append(dmarcTexts, t)
			continue
		}
		if errors.Is(err, ErrSyntax) {
			// Receivers ignore it (it is not a DMARC record), so it is
			// not one of several records; it is reported at its name.
			broken = true
			add(FindingSyntax, SeverityError, qname, "RFC 9989 §4.7",
				"%s; receivers ignore the record %q and look for a policy above %s", errs.Detail("dmarc", err), t, name)
			continue
		}
		if strings.HasPrefix(strings.ToLower(strings.TrimLeft(t, " \t")), "v=spf1") {
			add(FindingSPFAtDMARC, SeverityWarning, qname, "RFC 7208 §3", "an SPF record at %s has no effect there", qname)
		}
	}
	if len(dmarcTexts) > 1 {
		out = append(out, *multipleRecordsFinding(qname, len(dmarcTexts)))
	}
	if len(dmarcTexts) == 0 && !broken {
		if apex, err := c.Resolver.LookupTXT(ctx, name); err == nil {
			for _, t := range apex {
				if _, err := ParseRecord(t); !errors.Is(err, ErrNotDMARC) {
					add(FindingRecordAtApex, SeverityError, name, "RFC 9989 §4.5",
						"a DMARC record at %s itself is never queried; publish it at %s", name, qname)
					break
				}
			}
		}
	}
	for _, t := range dmarcTexts {
		for _, f := range LintText(t, c.Mode) {
			if f.Where == "" {
				f.Where = qname
			}
			out = append(out, f)
		}
	}
	d := c.Lookup(ctx, name)
	switch d.Status {
	case DiscoveryStatusNone:
		if len(dmarcTexts) == 0 {
			add(FindingNoRecord, SeverityWarning, qname, "RFC 9989 §5.1.4", "no DMARC policy applies to %s", name)
		}
		return out
	case DiscoveryStatusTempError:
		add(FindingDNSError, SeverityError, qname, "RFC 9989 §4.10.1", "%v", d.Err)
		return out
	case DiscoveryStatusPermError:
		if len(dmarcTexts) == 0 { // a broken record above the domain
			add(FindingBrokenPolicy, SeverityError, "_dmarc."+d.PolicyDomain, "RFC 9989 §4.10.1", "%v", d.Err)
		}
		return out
	}
	if d.Source != SourceAuthor {
		add(FindingInheritedPolicy, SeverityInfo, "_dmarc."+d.PolicyDomain, "RFC 9989 §4.10.1",
			"the policy of %s (%s) applies", d.PolicyDomain, d.Source)
	}
	for _, l := range [...]struct {
		uris []URI
		kind ReportKind
	}{{d.Record.AggregateURIs, ReportKindAggregate}, {d.Record.FailureURIs, ReportKindFailure}} {
		for _, dest := range c.CheckDestinations(ctx, d.PolicyDomain, l.uris, l.kind) {
			switch dest.Status {
			case DestinationStatusUnauthorized:
				add(FindingUnauthorizedDestination, SeverityError, dest.URI.String(), "RFC 9990 §3",
					"%s destination %s is external and not authorised: %v", l.kind, dest.Host, dest.Err)
			case DestinationStatusTempError:
				add(FindingDNSError, SeverityWarning, dest.Queried, "RFC 9990 §3", "%v", dest.Err)
			}
		}
	}
	return out
}

// nearTag returns the known tag that tag probably misspells: one within edit
// distance 2 of a known tag of four letters or more (adkim, aspf), or 1 of a
// three-letter one (pct, psd, rua, ruf); "" when there is none. Shorter tags
// are left out: every short word is near them.
func nearTag(tag string) string {
	tag = strings.ToLower(tag)
	for _, known := range []string{"adkim", "aspf", "pct", "psd", "rua", "ruf"} {
		limit := 2
		if len(known) == 3 {
			limit = 1
		}
		if editDistance(tag, known) <= limit {
			return known
		}
	}
	return ""
}

// editDistance is the Levenshtein distance of two short ASCII strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64 // not a misspelling of a short tag
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
