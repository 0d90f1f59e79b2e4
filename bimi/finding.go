package bimi

import "github.com/domainauth/domainauth"

// Finding codes. Users match on these; messages may change. Each names the
// rule it rests on in the Finding's RFC field.
const (
	// Record and discovery (draft -12 §4.3, §7.2).
	FindingRecordMissing      = "bimi.record-missing"      // no BIMI record at the domain nor at its Organizational Domain
	FindingRecordInvalid      = "bimi.record-invalid"      // a v=BIMI1 record that does not parse
	FindingRecordMultiple     = "bimi.record-multiple"     // several BIMI records at one name: BIMI MUST NOT be performed
	FindingRecordTempError    = "bimi.record-temperror"    // the TXT lookup failed temporarily
	FindingDeclined           = "bimi.declined"            // a Declination to Publish (l= and a= empty)
	FindingAvatarInvalid      = "bimi.avp-invalid"         // avp= is neither "brand" nor "personal": ignored
	FindingNoEvidence         = "bimi.no-evidence"         // no a= Mark Certificate: most mailbox providers show no logo
	FindingNoLocation         = "bimi.no-location"         // l= empty while a= is set: the logo comes from the certificate only
	FindingOrgFallback        = "bimi.org-fallback"        // the record used is the Organizational Domain's
	FindingUnknownTag         = "bimi.unknown-tag"         // a tag draft -12 does not define: ignored
	FindingDMARCMissing       = "bimi.dmarc-missing"       // no DMARC record applies to the domain
	FindingDMARCNotEnforcing  = "bimi.dmarc-not-enforcing" // p=none (or no valid p) at the domain or its Organizational Domain
	FindingDMARCSubdomainNone = "bimi.dmarc-sp-none"       // sp=none at the domain or its Organizational Domain
	FindingDMARCPct           = "bimi.dmarc-pct"           // p=quarantine with pct below 100
	FindingDMARCTesting       = "bimi.dmarc-testing"       // t=y: the policy is not enforced (RFC 9989)
	FindingDMARCTempError     = "bimi.dmarc-temperror"     // a DMARC lookup failed temporarily

	// Fetching the Indicator and the evidence document.
	FindingFetchFailed = "bimi.fetch-failed" // no answer, or a status other than 200

	// SVG Tiny Portable/Secure (draft-svg-tiny-ps-abrotman; BIMI group guidance).
	FindingSVGTooLarge        = "bimi.svg-too-large"         // larger than SVGOptions.MaxBytes (32 KiB)
	FindingSVGContentType     = "bimi.svg-content-type"      // served with a type other than image/svg+xml
	FindingSVGMalformed       = "bimi.svg-malformed"         // not well-formed XML (including undefined entities)
	FindingSVGEntity          = "bimi.svg-entity"            // a DOCTYPE declares entities (entity expansion attempt)
	FindingSVGDoctype         = "bimi.svg-doctype"           // a DOCTYPE, which the profile does not use
	FindingSVGRoot            = "bimi.svg-root"              // the root element is not an SVG <svg>
	FindingSVGBaseProfile     = "bimi.svg-base-profile"      // baseProfile is not "tiny-ps"
	FindingSVGVersion         = "bimi.svg-version"           // version is not "1.2"
	FindingSVGTitle           = "bimi.svg-title"             // no non-empty <title> child of the root
	FindingSVGScript          = "bimi.svg-script"            // <script> or an event-handler attribute
	FindingSVGExternalRef     = "bimi.svg-external-ref"      // a reference to anything but a fragment of the document
	FindingSVGAnimation       = "bimi.svg-animation"         // an animation element
	FindingSVGRaster          = "bimi.svg-raster"            // an <image> (raster images are excluded)
	FindingSVGElement         = "bimi.svg-element"           // an element outside the profile
	FindingSVGRootXY          = "bimi.svg-root-xy"           // x= or y= on the root <svg>
	FindingSVGNoViewBox       = "bimi.svg-no-viewbox"        // no usable viewBox (nor width and height)
	FindingSVGNotSquare       = "bimi.svg-not-square"        // viewBox width differs from its height
	FindingSVGTooManyFindings = "bimi.svg-too-many-findings" // SVGOptions.MaxFindings reached; the rest is not reported

	// Mark Certificates (VMC/CMC).
	FindingCertMalformed    = "bimi.cert-malformed"     // no PEM certificate, or one that does not parse
	FindingCertTooLarge     = "bimi.cert-too-large"     // the PEM file is larger than CertOptions.MaxBytes
	FindingCertEKU          = "bimi.cert-eku"           // the leaf lacks the BIMI extended key usage
	FindingCertLogotype     = "bimi.cert-logotype"      // the leaf has no logotype extension (RFC 3709)
	FindingCertLogo         = "bimi.cert-logo"          // the logotype extension holds no readable data: URI logo
	FindingCertLogoMismatch = "bimi.cert-logo-mismatch" // the l= logo differs from the one in the certificate
	FindingCertSAN          = "bimi.cert-san"           // no dNSName of the leaf covers the domain
	FindingCertExpired      = "bimi.cert-expired"       // the leaf's NotAfter is past
	FindingCertNotYetValid  = "bimi.cert-not-yet-valid" // the leaf's NotBefore is ahead
	FindingCertChain        = "bimi.cert-chain"         // the chain does not verify to the caller's roots
	FindingCertChainUnknown = "bimi.cert-chain-unknown" // no roots given: the chain was not verified
)

// References cited in findings.
const (
	refDraft = "draft-brand-indicators-for-message-identification-12"
	refSVG   = "draft-svg-tiny-ps-abrotman"
	refVMC   = "draft-fetch-validation-vmc-wchuang; MC Guidelines"
)

func finding(code string, sev domainauth.Severity, where, rfc, msg string) domainauth.Finding {
	return domainauth.Finding{Code: code, Severity: sev, Message: msg, Where: where, RFC: rfc}
}
