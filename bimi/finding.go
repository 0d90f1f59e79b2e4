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

// finding makes a finding, with the advice for its code in Fix.
func finding(code string, sev domainauth.Severity, where, rfc, msg string) domainauth.Finding {
	return domainauth.Finding{Code: code, Severity: sev, Message: msg, Where: where, RFC: rfc, Fix: fixes[code]}
}

// fixes is the advice for each code that has an obvious one: what to
// publish or change instead. Findings carry it in Fix.
var fixes = map[string]string{
	FindingRecordInvalid:      `publish one record of the form "v=BIMI1; l=https://HOST/logo.svg; a=https://HOST/vmc.pem"`,
	FindingRecordMultiple:     "keep exactly one v=BIMI1 record at the name",
	FindingAvatarInvalid:      "set avp=brand or avp=personal, or remove avp=",
	FindingNoEvidence:         "obtain a Verified or Common Mark Certificate and name it with a=",
	FindingNoLocation:         "name the logo with l= as well",
	FindingUnknownTag:         "correct the tag's name or remove it",
	FindingDMARCMissing:       `publish a DMARC record with p=quarantine or p=reject, e.g. "v=DMARC1; p=quarantine; rua=mailto:..."`,
	FindingDMARCNotEnforcing:  "set p=quarantine or p=reject once the aggregate reports show only legitimate mail passing",
	FindingDMARCSubdomainNone: "set sp=quarantine or sp=reject, or remove sp=",
	FindingDMARCPct:           "remove pct= (or set pct=100)",
	FindingDMARCTesting:       "remove t=y",
	FindingFetchFailed:        "serve the document over HTTPS at the URL, with status 200 and a certificate that chains to a public root",
	FindingSVGTooLarge:        "simplify the logo (fewer paths, no embedded fonts) to 32 KiB or less",
	FindingSVGContentType:     "serve the logo with Content-Type: image/svg+xml",
	FindingSVGMalformed:       "export the logo again as SVG Tiny PS",
	FindingSVGEntity:          "remove the DOCTYPE and its entity declarations",
	FindingSVGDoctype:         "remove the DOCTYPE",
	FindingSVGRoot:            `make the root <svg xmlns="http://www.w3.org/2000/svg">`,
	FindingSVGBaseProfile:     `set baseProfile="tiny-ps" on the root <svg>`,
	FindingSVGVersion:         `set version="1.2" on the root <svg>`,
	FindingSVGTitle:           "add <title>BRAND NAME</title> as the first child of the root <svg>",
	FindingSVGScript:          "remove the script and event-handler attributes",
	FindingSVGExternalRef:     "embed what the reference points to, or remove it; keep only #fragment references",
	FindingSVGAnimation:       "remove the animation elements",
	FindingSVGRaster:          "replace the raster image by vector paths",
	FindingSVGElement:         "remove the element, or convert it to elements of SVG Tiny 1.2",
	FindingSVGRootXY:          "remove x= and y= from the root <svg>",
	FindingSVGNoViewBox:       `add a square viewBox, e.g. viewBox="0 0 100 100"`,
	FindingSVGNotSquare:       "make the viewBox square, centring the mark",
	FindingCertMalformed:      "publish the PEM chain the Mark Verifying Authority issued, leaf first",
	FindingCertTooLarge:       "publish the leaf and its intermediates only",
	FindingCertEKU:            "obtain a Mark Certificate (VMC or CMC): a TLS certificate does not serve",
	FindingCertLogotype:       "obtain a Mark Certificate (VMC or CMC) that embeds the logo",
	FindingCertLogo:           "ask the Mark Verifying Authority for a certificate that embeds the logo as a data: URI",
	FindingCertLogoMismatch:   "publish at l= the logo the Mark Certificate embeds",
	FindingCertSAN:            "obtain a Mark Certificate whose subject alternative names include the domain",
	FindingCertExpired:        "renew the Mark Certificate and publish the new one at a=",
	FindingCertNotYetValid:    "publish the certificate once it is valid, or check the clock",
	FindingCertChain:          "publish the full chain (leaf and intermediates) from a Mark Verifying Authority",
}
