package mtasts

import (
	"context"
	"errors"
	"fmt"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/internal/dnsname"
)

// Checker audits a domain's MTA-STS set-up: the _mta-sts record, the policy
// and its fetch, and the domain's MX hosts against the policy. A Checker
// with a Resolver and a Fetcher is ready to use; it is safe for concurrent
// use.
type Checker struct {
	// Resolver answers the TXT and MX lookups. Required.
	Resolver domainauth.Resolver
	// Fetcher fetches the policy; for offline checks, a StaticFetcher
	// with Fetch.AcceptUnverified. If nil, Check checks the record only:
	// Report.Fetched and Report.Policy stay nil (the policy was not
	// checked, which is not to say it is fine).
	Fetcher domainauth.Fetcher
	// Fetch are the options of the policy fetch; the zero value applies
	// every rule of RFC 8461 §3.3 with the suggested limits.
	Fetch FetchOptions
}

// Report is the outcome of Checker.Check.
type Report struct {
	// Domain is the domain checked, normalised.
	Domain string
	// Record is the MTA-STS record; nil when there is none usable.
	Record *Record
	// Fetched is the policy fetch; nil when no record led to one.
	Fetched *Fetched
	// Policy is the policy; nil when there is none usable.
	Policy *Policy
	// MX are the domain's MX host names, trailing dots removed.
	MX []string
	// Findings are the problems found, with the codes of this package.
	Findings []domainauth.Finding
}

// Check audits domain. A domain without an _mta-sts record gets one Info
// finding (FindingNoRecord): MTA-STS is optional. Every failure to reach a
// usable policy is an Error finding, since senders then act as though the
// domain had no policy (RFC 8461 §3.1, §3.3); then CheckMX's findings
// follow. Findings carry their advice in Fix.
func (c *Checker) Check(ctx context.Context, domain string) *Report {
	rep := &Report{Domain: domain}
	// msg and fix are for people: what is wrong, and what to publish or
	// change instead ("" when there is no advice).
	add := func(code string, sev domainauth.Severity, where, rfc, msg, fix string) {
		rep.Findings = append(rep.Findings, domainauth.Finding{Code: code, Severity: sev, Where: where, RFC: rfc, Message: msg, Fix: fix})
	}
	d, err := dnsname.Normalize(domain)
	if err != nil {
		add(FindingInvalidDomain, domainauth.SeverityError, domain, "RFC 5321 §4.1.2", "not a domain name: "+err.Error(), "")
		return rep
	}
	domain = d
	rep.Domain = d
	name := RecordName(domain)
	rec, err := LookupRecord(ctx, c.Resolver, domain)
	switch {
	case errors.Is(err, ErrNoRecord):
		add(FindingNoRecord, domainauth.SeverityInfo, name, "RFC 8461 §3.1",
			"no MTA-STS record: senders may deliver over unauthenticated or downgraded TLS",
			"publish a policy at "+PolicyURL(domain)+" and the TXT record "+name+` "v=STSv1; id=..."`+", starting in testing mode")
		return rep
	case errors.Is(err, ErrMultipleRecords):
		add(FindingMultipleRecords, domainauth.SeverityError, name, "RFC 8461 §3.1",
			err.Error()+": senders assume the domain has no policy", "keep exactly one v=STSv1 record at "+name)
		return rep
	case errors.Is(err, ErrSyntax):
		add(FindingInvalidRecord, domainauth.SeverityError, name, "RFC 8461 §3.1",
			err.Error()+": senders assume the domain has no policy", `publish a record of the form "v=STSv1; id=20240101000000Z;"`)
		return rep
	case err != nil:
		add(FindingLookupFailed, domainauth.SeverityWarning, name, "RFC 8461 §3.1", err.Error(), "")
		return rep
	}
	rep.Record = rec
	for _, f := range rec.Ignored {
		add(FindingDuplicateField, domainauth.SeverityWarning, name, "RFC 8461 §3.2",
			fmt.Sprintf("field %s repeated in the record: senders ignore every occurrence but the first", f.Key), "remove the repetition")
	}
	for _, f := range rec.Extensions {
		add(FindingUnknownField, domainauth.SeverityInfo, name, "RFC 8461 §3.1",
			fmt.Sprintf("field %s is not defined by RFC 8461; senders ignore it", f.Key), "")
	}
	if c.Fetcher == nil {
		return rep
	}

	rep.Fetched, err = FetchPolicy(ctx, c.Fetcher, domain, c.Fetch)
	if err != nil {
		code, fix := fetchFinding(err)
		sev := domainauth.SeverityError
		if code == FindingCertificateUnknown { // the fetcher's shortcoming, not the domain's
			sev = domainauth.SeverityWarning
		}
		add(code, sev, rep.Fetched.URL, "RFC 8461 §3.2, §3.3",
			err.Error()+": senders without a cached policy act as though the domain had none", fix)
		return rep
	}
	rep.Policy = rep.Fetched.Policy
	if rep.Fetched.Certificate == CertStatusUnknown {
		add(FindingCertificateUnknown, domainauth.SeverityInfo, PolicyHost(domain), "RFC 8461 §3.3",
			"the policy host's certificate was not checked (the policy came from a file or an unverifying fetcher)", "")
	}

	mxs, err := c.Resolver.LookupMX(ctx, domain)
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindOK, domainauth.ErrorKindNotFound:
	default:
		add(FindingLookupFailed, domainauth.SeverityWarning, domain, "RFC 8461 §4.1", "MX lookup failed: "+err.Error(), "")
		return rep
	}
	for _, mx := range mxs {
		rep.MX = append(rep.MX, trimDot(mx.Host))
	}
	rep.Findings = append(rep.Findings, CheckMX(rep.Policy, rep.MX)...)
	return rep
}

// fetchFinding maps a FetchPolicy error to a finding code and a fix.
func fetchFinding(err error) (code, fix string) {
	switch {
	case errors.Is(err, ErrRedirect):
		return FindingRedirect, "serve the policy itself at the URL, with status 200"
	case errors.Is(err, ErrContentType):
		return FindingContentType, "serve the policy with Content-Type: text/plain"
	case errors.Is(err, ErrCertificate):
		return FindingCertificate, "install a certificate whose subject alternative names include the policy host"
	case errors.Is(err, ErrCertificateUnknown):
		return FindingCertificateUnknown, "fetch the policy with a verifying client, or accept unverified policies for offline checks"
	case errors.Is(err, ErrPolicyTooLarge):
		return FindingPolicyTooLarge, "shorten the policy below the limit (64 KiB by default)"
	case errors.Is(err, ErrSyntax):
		return FindingInvalidPolicy, "correct the policy (see the suggested policy)"
	}
	return FindingFetchFailed, "serve the policy over HTTPS at the URL, with status 200"
}

// trimDot removes a trailing dot, keeping the "." of a null MX.
func trimDot(s string) string {
	if len(s) > 1 && s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}
