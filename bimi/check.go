package bimi

import (
	"context"
	"crypto/x509"
	"fmt"
	"mime"

	"github.com/domainauth/domainauth"
	"github.com/domainauth/domainauth/dmarc"
)

// Checker checks a domain's BIMI set-up end to end: the Assertion Record,
// the DMARC preconditions, the Indicator and the Mark Certificate. A
// Checker with a Resolver is ready for Lookup and LookupDMARC; Check also
// needs a Fetcher to get the logo and the certificate (without one, those
// two checks are skipped and Result.Fetched says so). It is safe for
// concurrent use.
type Checker struct {
	// Resolver answers DNS queries. Required.
	Resolver domainauth.Resolver
	// Fetcher gets the logo (l=) and the evidence document (a=) over
	// HTTPS. If nil, Check does not fetch them.
	Fetcher domainauth.Fetcher
	// Clock gives the time certificates are checked at. If nil, the
	// system clock.
	Clock domainauth.Clock
	// Roots are the Mark Verifying Authorities' roots the certificate
	// chain must lead to. If nil, the chain is not verified
	// (FindingCertChainUnknown).
	Roots *x509.CertPool
	// DMARCMode says which DMARC specification receivers follow, for the
	// pct= and t= preconditions (see CheckDMARC). The zero value is RFC
	// 9989.
	DMARCMode dmarc.Mode
	// OrgDomain returns the Organizational Domain of a canonical domain
	// name. If nil, dmarc.OrgDomainPSL (RFC 7489 §3.2, which draft -12
	// §7.2 cites).
	OrgDomain func(domain string) string
	// SVG bounds the logo check; its MaxBytes also bounds the fetch.
	SVG SVGOptions
	// MaxCertBytes bounds the evidence document fetched; if zero,
	// DefaultMaxCertBytes.
	MaxCertBytes int
	// Logo, for offline checks, is the Indicator (SVG or SVGZ) read from a
	// file: Check checks it in place of the one at l= (which it then does
	// not fetch), and compares it with the certificate's. It is held to
	// SVG.MaxBytes like a fetched one.
	Logo []byte
	// Evidence, for offline checks, is the evidence document (the PEM
	// Mark Certificate chain) read from a file: Check checks it in place
	// of the one at a=, which it then does not fetch; it is held to
	// MaxCertBytes.
	Evidence []byte
}

// Result is what Check found for one domain.
type Result struct {
	// Discovery is the Assertion Record discovery.
	Discovery *Discovery
	// DMARC are the DMARC records the preconditions were checked on.
	DMARC DMARCPolicies
	// Logo is the Indicator fetched (nil when none was, or when it was
	// over the size limit).
	Logo []byte
	// Certificate is the evidence document check (nil when none ran).
	Certificate *CertResult
	// Fetched reports whether the logo and certificate fetches ran (a
	// Fetcher was set and the record names them).
	Fetched bool
	// LogoChecked reports whether a logo was checked: fetched from l=
	// (and not refused), or given in Checker.Logo. Certificate is non-nil
	// when a certificate was.
	LogoChecked bool
	// Findings are all findings, in the order record, DMARC, logo,
	// certificate.
	Findings []domainauth.Finding
}

// Check discovers the BIMI record of domain for selector ("" for
// "default"), checks the DMARC preconditions at the domain and its
// Organizational Domain, and checks the logo and the Mark Certificate:
// those given in Logo and Evidence, else, with a Fetcher, those the record
// names. It makes at most five DNS queries (three for
// discovery, two for DMARC) and two fetches.
func (c *Checker) Check(ctx context.Context, domain, selector string) *Result {
	res := &Result{}
	d := c.Lookup(ctx, domain, selector, "")
	res.Discovery = d
	add := func(f ...domainauth.Finding) { res.Findings = append(res.Findings, f...) }
	where := d.Name
	if where == "" && d.AuthorDomain != "" {
		sel := selector
		if sel == "" {
			sel = "default"
		}
		where = sel + "._bimi." + d.AuthorDomain
	}
	switch d.Status {
	case DiscoveryStatusNone:
		add(finding(FindingRecordMissing, domainauth.SeverityInfo, where, refDraft+" §7.2",
			"no BIMI record at the domain nor at its Organizational Domain"))
	case DiscoveryStatusTempError:
		add(finding(FindingRecordTempError, domainauth.SeverityWarning, where, refDraft+" §7.2", d.Err.Error()))
	case DiscoveryStatusPermError:
		code := FindingRecordInvalid
		if d.Err == ErrMultipleRecords {
			code = FindingRecordMultiple
		}
		add(finding(code, domainauth.SeverityError, where, refDraft+" §7.2", fmt.Sprint(d.Err)))
	}
	if d.AuthorDomain == "" {
		return res
	}
	if d.Fallback() {
		add(finding(FindingOrgFallback, domainauth.SeverityInfo, d.Name, refDraft+" §7.2 step 6",
			fmt.Sprintf("no record at %s; the Organizational Domain's record applies", d.AuthorDomain)))
	}
	if d.Record != nil {
		add(d.Record.Lint(d.Name)...)
	}
	// The DMARC preconditions matter only where BIMI would apply, but an
	// audit wants them whenever a record is published.
	if d.Status == DiscoveryStatusFound || d.Status == DiscoveryStatusDeclined || d.Status == DiscoveryStatusPermError {
		pol, err := c.LookupDMARC(ctx, d.AuthorDomain, d.OrgDomain)
		res.DMARC = pol
		if err != nil {
			add(finding(FindingDMARCTempError, domainauth.SeverityWarning, "_dmarc."+d.AuthorDomain, "", err.Error()))
		} else if d.Status != DiscoveryStatusDeclined {
			add(CheckDMARC(pol)...)
		}
	}
	if d.Status != DiscoveryStatusFound {
		return res
	}
	r := d.Record
	var logo, cert *domainauth.FetchResult
	switch {
	case c.Logo != nil:
		logo = &domainauth.FetchResult{URL: "logo file", ContentType: "image/svg+xml", Body: c.Logo}
	case r.Location != "" && c.Fetcher != nil:
		res.Fetched = true
		logo, _ = c.fetch(ctx, r.Location, int64(c.SVG.maxBytes()), "l=", add)
	}
	if logo != nil {
		res.LogoChecked = true
		where := r.Location
		if c.Logo != nil || where == "" {
			where = logo.URL
		}
		if logo.Truncated { // a file given in Logo is held to the limit by CheckSVG
			add(finding(FindingSVGTooLarge, domainauth.SeverityError, where, refSVG,
				fmt.Sprintf("the logo is larger than the %d-byte limit", c.SVG.maxBytes())))
		} else {
			res.Logo = logo.Body
			if mt, _, _ := mime.ParseMediaType(logo.ContentType); mt != "image/svg+xml" {
				add(finding(FindingSVGContentType, domainauth.SeverityWarning, where, refDraft+" §4.3.2",
					fmt.Sprintf("served as %q, not image/svg+xml", logo.ContentType)))
			}
			add(CheckSVG(logo.Body, &c.SVG)...)
		}
	}
	limit := c.MaxCertBytes
	if limit <= 0 {
		limit = DefaultMaxCertBytes
	}
	switch {
	case c.Evidence != nil:
		cert = &domainauth.FetchResult{URL: "certificate file", Body: c.Evidence}
	case r.Evidence != "" && c.Fetcher != nil:
		res.Fetched = true
		cert, _ = c.fetch(ctx, r.Evidence, int64(limit), "a=", add)
	}
	if cert != nil {
		where := r.Evidence
		if c.Evidence != nil || where == "" {
			where = cert.URL
		}
		if cert.Truncated {
			add(finding(FindingCertTooLarge, domainauth.SeverityError, where, refVMC,
				fmt.Sprintf("the evidence document is larger than the %d-byte limit", limit)))
		} else {
			// CheckCertificate applies the limit to a file given as is.
			res.Certificate = CheckCertificate(cert.Body, &CertOptions{
				Domain: d.Domain, Selector: d.Selector, Roots: c.Roots, Clock: c.Clock, MaxBytes: limit,
			})
			add(res.Certificate.Findings...)
			c.compareLogos(res, add)
		}
	}
	return res
}

func (c *Checker) fetch(ctx context.Context, url string, limit int64, tag string, add func(...domainauth.Finding)) (*domainauth.FetchResult, bool) {
	fr, err := c.Fetcher.Fetch(ctx, url, limit)
	if err != nil {
		add(finding(FindingFetchFailed, domainauth.SeverityError, url, refDraft+" §7.5", tag+" "+err.Error()))
		return nil, false
	}
	if fr.StatusCode != 200 {
		msg := fmt.Sprintf("%s answered HTTP %d", tag, fr.StatusCode)
		if fr.Location != "" {
			msg += " (a redirect to " + fr.Location + ", not followed)"
		}
		add(finding(FindingFetchFailed, domainauth.SeverityError, url, refDraft+" §7.5", msg))
		return nil, false
	}
	if len(fr.PeerCertificates) > 0 && len(fr.VerifiedChains) == 0 {
		// §7.5 step 2: the server's certificate must chain to a root the
		// client trusts. A Fetcher that serves files has no certificates
		// at all and is not held to it.
		add(finding(FindingFetchFailed, domainauth.SeverityError, url, refDraft+" §7.5 step 2",
			tag+" the server's TLS certificate was not verified (the Fetcher's client skips verification?)"))
		return nil, false
	}
	return fr, true
}

// compareLogos holds the l= logo to the certificate's (draft -12 §7.8: when
// both tags are given, the two must be identical), or, without an l= logo,
// checks the certificate's logo against the profile.
func (c *Checker) compareLogos(res *Result, add func(...domainauth.Finding)) {
	embedded := res.Certificate.Logo
	if embedded == nil {
		return
	}
	r := res.Discovery.Record
	switch {
	case r.Location == "":
		for _, f := range CheckSVG(embedded, &c.SVG) {
			f.Where = "certificate logo " + f.Where
			add(f)
		}
	case res.Logo != nil && !sameLogo(res.Logo, embedded, c.SVG.maxBytes()):
		add(finding(FindingCertLogoMismatch, domainauth.SeverityError, r.Location, refDraft+" §7.8",
			"the logo at l= is not the one the Mark Certificate vouches for"))
	}
}
