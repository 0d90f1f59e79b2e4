package bimi

import (
	"context"
	"errors"
	"fmt"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dmarc"
)

// DMARCPolicies are the DMARC records draft -12 looks at: the one published
// at the Author Domain itself and the one at its Organizational Domain
// (the same record when the two domains are one).
type DMARCPolicies struct {
	AuthorDomain string
	OrgDomain    string
	// Author is the DMARC record at _dmarc.<AuthorDomain>; nil when there
	// is none.
	Author *dmarc.Record
	// Org is the DMARC record at _dmarc.<OrgDomain>; nil when there is
	// none.
	Org *dmarc.Record
	// Mode says which DMARC specification receivers follow; it decides
	// whether pct= and t= count (see CheckDMARC).
	Mode dmarc.Mode
}

// CheckDMARC reports, as findings, where the domain's DMARC policies fall
// short of what draft -12 asks before BIMI applies (§1, §2 and §7.1 steps
// 7-9): a policy of quarantine or reject both at the Author Domain and at
// its Organizational Domain; no sp=none in either record; and, for
// p=quarantine, no pct below 100. The policy that applies to the Author
// Domain is its own record's p, or, for a subdomain without a record, the
// Organizational Domain's sp (else p), as DMARC discovery gives it.
//
// RFC 9989 removed pct= and added t=: in dmarc.ModeRFC9989 mode (the default)
// t=y counts as not enforcing (FindingDMARCTesting, an error), and a pct
// below 100 is a warning, since receivers still on RFC 7489 refuse BIMI
// for it; in dmarc.ModeRFC7489 mode the pct rule is an error and t=y a warning
// for the receivers that follow RFC 9989. An empty result means the
// preconditions hold.
func CheckDMARC(p DMARCPolicies) []domainauth.Finding {
	var out []domainauth.Finding
	add := func(code string, sev domainauth.Severity, where, ref, msg string) {
		out = append(out, finding(code, sev, where, ref, msg))
	}
	same := p.AuthorDomain == p.OrgDomain || p.OrgDomain == ""
	if p.Author == nil && (p.Org == nil || same) {
		add(FindingDMARCMissing, domainauth.SeverityError, "_dmarc."+p.AuthorDomain, refDraft+" §1",
			"no DMARC record applies to the domain; BIMI needs p=quarantine or p=reject. Publish v=DMARC1; p=reject (after reading the aggregate reports)")
		return out
	}
	type rec struct {
		domain string
		r      *dmarc.Record
	}
	var recs []rec
	if p.Author != nil {
		recs = append(recs, rec{p.AuthorDomain, p.Author})
	}
	if !same {
		if p.Org == nil {
			add(FindingDMARCMissing, domainauth.SeverityError, "_dmarc."+p.OrgDomain, refDraft+" §1",
				"no DMARC record at the Organizational Domain; BIMI needs an enforcing policy there too")
		} else {
			recs = append(recs, rec{p.OrgDomain, p.Org})
		}
	}
	// A subdomain without a record of its own takes the Organizational
	// Domain's sp (else p) as its policy; the checks on that record below
	// cover it.
	for _, x := range recs {
		where := "_dmarc." + x.domain
		pol := x.r.EffectivePolicy()
		if pol != dmarc.PolicyQuarantine && pol != dmarc.PolicyReject {
			add(FindingDMARCNotEnforcing, domainauth.SeverityError, where, refDraft+" §7.1 step 7",
				fmt.Sprintf("p=%s; BIMI needs p=quarantine or p=reject", pol))
		}
		if x.r.SubdomainPolicy == dmarc.PolicyNone {
			add(FindingDMARCSubdomainNone, domainauth.SeverityError, where, refDraft+" §7.1 step 8",
				"sp=none; BIMI needs sp=quarantine or sp=reject, or no sp tag")
		}
		if pol == dmarc.PolicyQuarantine && x.r.Percent() < 100 {
			sev, note := domainauth.SeverityError, ""
			if p.Mode == dmarc.ModeRFC9989 {
				sev, note = domainauth.SeverityWarning, " (RFC 9989 removed pct=, but receivers following RFC 7489 still refuse BIMI for it)"
			}
			add(FindingDMARCPct, sev, where, refDraft+" §7.1 step 9",
				fmt.Sprintf("p=quarantine with pct=%d; BIMI needs pct=100 or no pct tag%s", x.r.Percent(), note))
		}
		if x.r.IsTesting() {
			sev, note := domainauth.SeverityError, "under RFC 9989 t=y means the policy is not enforced"
			if p.Mode == dmarc.ModeRFC7489 {
				sev, note = domainauth.SeverityWarning, "receivers following RFC 9989 treat t=y as not enforcing"
			}
			add(FindingDMARCTesting, sev, where, "RFC 9989 §4.7; "+refDraft+" §7.1",
				"t=y: "+note)
		}
	}
	return out
}

// LookupDMARC fetches the DMARC records at _dmarc.<domain> and at
// _dmarc.<its Organizational Domain> (two TXT queries at most). A name with
// several DMARC records counts as having none (RFC 9989 §4.10 step 2); a
// record that does not parse counts as none too, and is named in the error
// only when a query failed.
func (c *Checker) LookupDMARC(ctx context.Context, domain, orgDomain string) (DMARCPolicies, error) {
	p := DMARCPolicies{AuthorDomain: domain, OrgDomain: orgDomain, Mode: c.DMARCMode}
	var err error
	if p.Author, err = c.dmarcAt(ctx, domain); err != nil {
		return p, err
	}
	if orgDomain != "" && orgDomain != domain {
		if p.Org, err = c.dmarcAt(ctx, orgDomain); err != nil {
			return p, err
		}
	} else {
		p.Org = p.Author
	}
	return p, nil
}

func (c *Checker) dmarcAt(ctx context.Context, domain string) (*dmarc.Record, error) {
	name := "_dmarc." + domain
	txts, err := c.Resolver.LookupTXT(ctx, name)
	switch domainauth.Classify(ctx, err) {
	case domainauth.ErrorKindOK:
	case domainauth.ErrorKindNotFound:
		return nil, nil
	default:
		return nil, fmt.Errorf("bimi: TXT %s: %w", name, domainauth.WrapDNSError(ctx, err))
	}
	var found *dmarc.Record
	n := 0
	for _, t := range txts {
		r, err := dmarc.ParseRecord(t)
		if errors.Is(err, dmarc.ErrNotDMARC) {
			continue
		}
		n++
		if err == nil {
			found = r
		}
	}
	if n != 1 {
		return nil, nil
	}
	return found, nil
}
