package bimi

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/domainauth/domainauth"
)

// OIDs of the Mark Certificate profile.
var (
	// OIDExtKeyUsageBIMI is id-kp-BrandIndicatorforMessageIdentification,
	// the extended key usage every Mark Certificate and its issuing CAs
	// carry (MC Guidelines; draft-fetch-validation-vmc-wchuang).
	OIDExtKeyUsageBIMI = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 31}
	// OIDLogotype is id-pe-logotype (RFC 3709 §4.1), the extension that
	// carries the Mark Representation (the SVG logo) in a Mark Certificate.
	OIDLogotype = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 12}
	// oidAnyEKU is anyExtendedKeyUsage (RFC 5280 §4.2.1.12).
	oidAnyEKU = asn1.ObjectIdentifier{2, 5, 29, 37, 0}
)

// Default bounds of CheckCertificate.
const (
	// DefaultMaxCertBytes bounds the PEM evidence document: 64 KiB holds
	// a leaf with its embedded logo (itself at most 32 KiB) and a few
	// intermediates.
	DefaultMaxCertBytes = 64 * 1024
	// DefaultMaxCertificates bounds the certificates read from it.
	DefaultMaxCertificates = 8
)

// CertOptions say what to check a Mark Certificate against. The zero value
// checks the certificate's own properties only.
type CertOptions struct {
	// Domain is the domain the certificate must cover: the domain whose
	// BIMI record was used (the Author Domain or, after the fallback, its
	// Organizational Domain). If empty, the SAN is not checked.
	Domain string
	// Selector is the BIMI selector in use ("default" when empty): a SAN
	// dNSName "<selector>._bimi.<domain>" covers the domain for that
	// selector only.
	Selector string
	// Roots are the trust anchors (the Mark Verifying Authorities' roots)
	// the chain must lead to. If nil, the chain is not verified and
	// FindingCertChainUnknown says so: the system roots are for TLS, not
	// for marks.
	Roots *x509.CertPool
	// Clock gives the time validity is checked at. If nil, the system
	// clock.
	Clock domainauth.Clock
	// MaxBytes bounds the PEM input; if zero, DefaultMaxCertBytes.
	MaxBytes int
	// MaxCertificates bounds the certificates read; if zero,
	// DefaultMaxCertificates.
	MaxCertificates int
}

// CertResult is what CheckCertificate found.
type CertResult struct {
	// Leaf is the Mark Certificate (the first certificate of the file);
	// nil when none parsed.
	Leaf *x509.Certificate
	// Intermediates are the other certificates of the file, in order.
	Intermediates []*x509.Certificate
	// Logo is the Mark Representation embedded in the leaf (see
	// CertificateLogo), as embedded (SVGZ or SVG); nil when none could be
	// read.
	Logo []byte
	// Chains are the verified chains, leaf first; empty when the chain was
	// not verified, did not verify, or the leaf is outside its validity.
	Chains [][]*x509.Certificate
	// Findings lists the problems; none means the certificate passed every
	// check that ran.
	Findings []domainauth.Finding
}

// CheckCertificate reads a BIMI Evidence Document in PEM form (the Mark
// Certificate first, then its intermediates, as draft-fetch-validation-
// vmc-wchuang has them published) with crypto/x509 and checks the leaf: the
// BIMI extended key usage, the logotype extension's presence (its content,
// the logo, is not decoded here), the subject alternative names against
// opts.Domain, validity at opts.Clock's time, and the chain against
// opts.Roots with the BIMI usage allowed at every level.
func CheckCertificate(pemData []byte, opts *CertOptions) *CertResult {
	if opts == nil {
		opts = &CertOptions{}
	}
	res := &CertResult{}
	add := func(code string, sev domainauth.Severity, where, msg string) {
		res.Findings = append(res.Findings, finding(code, sev, where, refVMC, msg))
	}
	maxBytes := opts.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxCertBytes
	}
	if len(pemData) > maxBytes {
		add(FindingCertTooLarge, domainauth.SeverityError, "", fmt.Sprintf("the evidence document is %d bytes, over the %d-byte limit", len(pemData), maxBytes))
		return res
	}
	maxCerts := opts.MaxCertificates
	if maxCerts <= 0 {
		maxCerts = DefaultMaxCertificates
	}
	var certs []*x509.Certificate
	rest := pemData
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		if len(certs) == maxCerts {
			add(FindingCertMalformed, domainauth.SeverityWarning, "", fmt.Sprintf("more than %d certificates; the rest are ignored", maxCerts))
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			add(FindingCertMalformed, domainauth.SeverityError, fmt.Sprintf("certificate %d", len(certs)+1), "does not parse: "+err.Error())
			return res
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		add(FindingCertMalformed, domainauth.SeverityError, "", "no PEM CERTIFICATE block")
		return res
	}
	leaf := certs[0]
	res.Leaf, res.Intermediates = leaf, certs[1:]
	where := "leaf " + leaf.Subject.String()

	if !hasBIMIUsage(leaf, false) {
		add(FindingCertEKU, domainauth.SeverityError, where, fmt.Sprintf("no extended key usage %s (id-kp-BrandIndicatorforMessageIdentification)", OIDExtKeyUsageBIMI))
	}
	if !slices.ContainsFunc(leaf.Extensions, func(e pkix.Extension) bool { return e.Id.Equal(OIDLogotype) }) {
		add(FindingCertLogotype, domainauth.SeverityError, where, fmt.Sprintf("no logotype extension %s (RFC 3709): the certificate carries no mark", OIDLogotype))
	} else if logo, _, err := CertificateLogo(leaf); err != nil {
		add(FindingCertLogo, domainauth.SeverityError, where, err.Error())
	} else {
		res.Logo = logo
	}
	if opts.Domain != "" && !coversDomain(leaf, opts.Domain, opts.Selector) {
		add(FindingCertSAN, domainauth.SeverityError, where, fmt.Sprintf("no subject alternative name covers %s (DNS names: %s)", opts.Domain, strings.Join(leaf.DNSNames, ", ")))
	}
	now := domainauth.Now(opts.Clock)
	timeOK := true
	switch {
	case now.Before(leaf.NotBefore):
		timeOK = false
		add(FindingCertNotYetValid, domainauth.SeverityError, where, "not valid before "+leaf.NotBefore.UTC().Format(time.RFC3339))
	case now.After(leaf.NotAfter):
		timeOK = false
		add(FindingCertExpired, domainauth.SeverityError, where, "expired "+leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	if opts.Roots == nil {
		add(FindingCertChainUnknown, domainauth.SeverityInfo, where, "no Mark Verifying Authority roots were given, so the chain was not verified")
		return res
	}
	inter := x509.NewCertPool()
	for _, c := range res.Intermediates {
		inter.AddCert(c)
	}
	at := now
	if !timeOK {
		// The leaf's dates are reported above; verify the rest of the
		// chain at a moment the leaf is valid, so that a second finding
		// names only what else is wrong.
		at = leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
	}
	// x509 cannot be asked for an unknown EKU OID, so the chain is
	// verified with any usage and the BIMI usage checked on each
	// certificate of the chain below (RFC 5280 §4.2.1.12 nesting, as
	// browsers apply it to CAs).
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: opts.Roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		add(FindingCertChain, domainauth.SeverityError, where, "the chain does not verify: "+err.Error())
		return res
	}
	var good [][]*x509.Certificate
	var badCA *x509.Certificate
	for _, ch := range chains {
		ok := true
		for _, c := range ch[1:] {
			if !hasBIMIUsage(c, true) {
				ok, badCA = false, c
				break
			}
		}
		if ok {
			good = append(good, ch)
		}
	}
	if len(good) == 0 {
		add(FindingCertChain, domainauth.SeverityError, where, fmt.Sprintf("the chain verifies, but CA %q restricts extended key usage without allowing BIMI", badCA.Subject.String()))
		return res
	}
	if timeOK {
		res.Chains = good
	}
	return res
}

// hasBIMIUsage reports whether c allows the BIMI usage. A CA without an
// EKU extension is unrestricted (ca true); a leaf must name the usage.
func hasBIMIUsage(c *x509.Certificate, ca bool) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return ca
	}
	if ca && slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageAny) {
		return true
	}
	for _, o := range c.UnknownExtKeyUsage {
		if o.Equal(OIDExtKeyUsageBIMI) || ca && o.Equal(oidAnyEKU) {
			return true
		}
	}
	return false
}

// coversDomain reports whether a dNSName of c is domain itself or
// "<selector>._bimi.<domain>" for the selector in use. Wildcards are not
// matched: the MC Guidelines do not allow them in Mark Certificates.
func coversDomain(c *x509.Certificate, domain, selector string) bool {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	if selector == "" {
		selector = "default"
	}
	withSel := strings.ToLower(selector) + "._bimi." + domain
	for _, n := range c.DNSNames {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		if n == domain || n == withSel {
			return true
		}
	}
	return false
}
