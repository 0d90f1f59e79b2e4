// Package bimi checks Brand Indicators for Message Identification: the
// BIMI Assertion Record, the DMARC policies BIMI requires, the logo (an SVG
// Tiny Portable/Secure document) and the Mark Certificate that vouches for
// it.
//
// # Specifications
//
//   - draft-brand-indicators-for-message-identification-12 ("draft -12"):
//     the record (§4.3: v=BIMI1 first; l= and a= each empty or one https
//     URI with a domain name as host; lps= local-part prefixes; avp=
//     brand/personal; unknown tags ignored; exact matching, no fixing of
//     case or syntax), the Declination to Publish (§4.3.1, l= and a=
//     empty), local-part selectors (§4.5), discovery with the fallback to
//     the Organizational Domain (§7.2), the DMARC requirements (§1, §2,
//     §7.1) and the Indicator checks (§7.6). Draft -10 had lps=true/false;
//     -12 has a prefix list, which is what ParseRecord reads. -12 allows
//     one URI per l= (a comma is an error).
//   - draft-svg-tiny-ps-abrotman (SVG Tiny Portable/Secure, a profile of
//     SVG Tiny 1.2), the BIMI group's guidance on logo files ("Creating
//     BIMI SVG logo files", "Solving SVG issues") and the RelaxNG schema
//     published for the profile (for the list of elements):
//     baseProfile="tiny-ps", version="1.2", a <title>, no x= or y= on the
//     root, no scripts or event handlers, no animation, no raster images,
//     no references other than to the SVG and XLink namespaces and to
//     fragments of the document, only the profile's elements, a square
//     viewBox, 32 KiB at most. SVGZ (gzip) is accepted, as draft -12
//     §4.3.2 allows.
//   - the Mark Certificate rules: the MC Guidelines (Minimum Security
//     Requirements for the Issuance of Mark Certificates) and
//     draft-fetch-validation-vmc-wchuang: the extended key usage
//     id-kp-BrandIndicatorforMessageIdentification (1.3.6.1.5.5.7.3.31),
//     the logotype extension (RFC 3709, 1.3.6.1.5.5.7.1.12) carrying the
//     logo, dNSName subject alternative names (the domain, or
//     "<selector>._bimi.<domain>" for one selector; no wildcards), a chain
//     to a Mark Verifying Authority root.
//
// # DMARC preconditions
//
// Draft -12 asks for p=quarantine or p=reject at both the Author Domain and
// its Organizational Domain, no sp=none in either record, and pct=100 (or
// no pct) with p=quarantine. It was written against RFC 7489. Under RFC
// 9989, which this module follows by default, pct= no longer exists and
// t=y asks receivers not to enforce the policy, so CheckDMARC counts t=y as
// not enforcing (an error) and reports a pct below 100 as a warning;
// Checker.DMARCMode = dmarc.ModeRFC7489 swaps the two severities. See
// CheckDMARC.
//
// # Organizational Domain
//
// Draft -12 §7.2 takes the Organizational Domain from RFC 7489, that is
// from the public suffix list: Lookup uses dmarc.OrgDomainPSL (the list
// compiled into golang.org/x/net/publicsuffix), and Checker.OrgDomain
// replaces it.
//
// # Entry points
//
// ParseRecord and Record.String (a round trip); Record.Lint; Lookup and
// Checker.Lookup (discovery); CheckDMARC and Checker.LookupDMARC; CheckSVG
// for a logo given as bytes; CheckCertificate for a PEM evidence document
// given as bytes, and CertificateLogo for the logo a Mark Certificate
// embeds; Checker.Check for a domain end to end (when the record has both
// l= and a=, the logo at l= must be the certificate's, draft -12 §7.8), fetching through
// the caller's domainauth.Fetcher, or, for offline checks, taking the logo
// and the evidence document from Checker.Logo and Checker.Evidence. Every finding has a stable code
// (Finding... constants, "bimi.*"); where a fix is obvious, Finding.Fix
// says it.
//
// Check audits a domain's publication; it does not evaluate a message, so
// the message-level requirements of draft -12 §7.1 (a single From address,
// DMARC pass) are the caller's, and discovery's "MUST NOT be performed"
// outcomes are reported as findings.
//
// # Bounds
//
// Every cost the input drives is bounded, with these defaults:
//
//   - MaxRecordBytes (4096): the longest record text ParseRecord reads.
//   - DNS queries: Lookup makes at most 3 TXT queries (the selector at
//     the domain; then either the local-part selector there, or the
//     selector and the local-part selector at the Organizational Domain);
//     LookupDMARC at most 2; Check at most 5.
//   - SVGOptions.MaxBytes (DefaultMaxSVGBytes, 32 KiB): the largest logo,
//     after gzip decompression for SVGZ; a larger one is not parsed, and
//     Check fetches at most that many bytes. Parsing is linear in the
//     size; no entity is ever expanded and nothing is fetched.
//   - SVGOptions.MaxFindings (DefaultMaxSVGFindings, 50): findings per
//     logo.
//   - CertOptions.MaxBytes and Checker.MaxCertBytes (DefaultMaxCertBytes,
//     64 KiB): the PEM evidence document.
//   - CertOptions.MaxCertificates (DefaultMaxCertificates, 8): the
//     certificates read from it.
//   - CertificateLogo decodes an embedded logo only when its data: URI is
//     at most DefaultMaxCertBytes long; a gzip-compressed one is
//     decompressed (for comparison and CheckSVG) within SVGOptions.MaxBytes.
//   - Fetches: Check makes at most two (l= and a=); timeouts are the
//     Fetcher's (the caller's *http.Client).
//
// The package does no I/O of its own: DNS through the domainauth.Resolver,
// HTTPS through the domainauth.Fetcher, time through the domainauth.Clock.
package bimi
