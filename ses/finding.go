package ses

import (
	"fmt"

	"github.com/domainauth/domainauth"
)

// Severity ranks a Finding; it is the module-wide domainauth.Severity.
type Severity = domainauth.Severity

// Severities, from least to most serious.
const (
	SeverityInfo    = domainauth.SeverityInfo
	SeverityWarning = domainauth.SeverityWarning
	SeverityError   = domainauth.SeverityError
)

// Finding is one observation of the planner or the audit; it is the
// module-wide domainauth.Finding, so that tools can gather findings from
// every package. Code is stable (see the Finding* constants); Message is for
// people.
type Finding = domainauth.Finding

func finding(code string, sev Severity, where, rfc, format string, args ...any) Finding {
	return Finding{Code: code, Severity: sev, Where: where, RFC: rfc, Message: fmt.Sprintf(format, args...)}
}

// Finding codes of the planner (Plan.Findings) and the audit
// (Audit.Findings), for what only SES requires. They are stable: users
// match on them. A defect of a record that another package owns is reported
// with that package's finding and code, never a code of this package: the
// MAIL FROM SPF record's with spf's (spf.SelectRecord: spf.no-record,
// spf.multiple-records, spf.syntax; spf.too-many-lookups from the spf
// Linter), the DMARC record's with dmarc's (dmarc.SelectRecord:
// dmarc.no-record, dmarc.multiple-records, dmarc.syntax; and
// dmarc.p-none-without-rua from Record.Lint), and a BYODKIM key record
// that is no usable key with dkim's (dkim.CheckSelector). FindingCodes
// lists this package's own codes.
const (
	// Planning.

	// FindingRegionValueUnconfirmed: the plan uses a region-table value that
	// no authoritative source confirms (see Confidence).
	FindingRegionValueUnconfirmed = "ses.region-value-unconfirmed"
	// FindingDKIMTokenFormat: an Easy DKIM token is not 32 characters of
	// [a-z2-7] (the form of every real token seen; warn, do not reject).
	FindingDKIMTokenFormat = "ses.dkim-token-format"
	// FindingNoDKIM: the identity has neither Easy DKIM tokens nor BYODKIM:
	// DMARC can pass only through SPF, and SESv2 cannot verify the domain.
	FindingNoDKIM = "ses.dkim-none"
	// FindingBYODKIMKeyWeak: the BYODKIM key is shorter than 2048 bits.
	FindingBYODKIMKeyWeak = "ses.byodkim-key-weak"
	// FindingDMARCDefault: no DMARC record was given; the plan recommends one.
	FindingDMARCDefault = "ses.dmarc-default"

	// DKIM records.

	// FindingDKIMMissing: an Easy DKIM CNAME (or the BYODKIM TXT) is absent.
	FindingDKIMMissing = "ses.dkim-missing"
	// FindingDKIMWrongTarget: an Easy DKIM CNAME points somewhere other than
	// <token>.<signing zone>.
	FindingDKIMWrongTarget = "ses.dkim-wrong-target"
	// FindingDKIMWrongRegion: an Easy DKIM CNAME points at the right token in
	// another region's signing zone (e.g. dkim.amazonses.com for af-south-1).
	FindingDKIMWrongRegion = "ses.dkim-wrong-region"
	// FindingDKIMNotCNAME: the Easy DKIM name holds records but no CNAME.
	FindingDKIMNotCNAME = "ses.dkim-not-cname"
	// FindingDKIMUnknown: the Resolver cannot report CNAME targets, so the
	// Easy DKIM records cannot be checked (domainauth.CNAMEResolver).
	FindingDKIMUnknown = "ses.dkim-unknown"
	// FindingBYODKIMKeyWrong: the BYODKIM TXT record holds another key.
	FindingBYODKIMKeyWrong = "ses.byodkim-key-wrong"

	// Custom MAIL FROM.

	// FindingMailFromMXMissing: no MX at the MAIL FROM domain; SES falls back to
	// its own MAIL FROM (or rejects mail, with MXFailureBehaviorRejectMessage).
	FindingMailFromMXMissing = "ses.mailfrom-mx-missing"
	// FindingMailFromMXWrong: the MX names a host that is not an SES feedback
	// endpoint.
	FindingMailFromMXWrong = "ses.mailfrom-mx-wrong"
	// FindingMailFromMXWrongRegion: the MX names another region's feedback
	// endpoint. Alone, it is a Warning and the custom MAIL FROM counts as in
	// effect: SES accepts one MX for a MAIL FROM domain that identities in
	// several regions share (FACTS §1.3). Beside other MX records it is an
	// Error.
	FindingMailFromMXWrongRegion = "ses.mailfrom-mx-wrong-region"
	// FindingMailFromMXPriority: the feedback MX has a preference other than 10.
	FindingMailFromMXPriority = "ses.mailfrom-mx-priority"
	// FindingMailFromMXConflict: more MX records than SES's one: the MAIL FROM
	// domain is used to receive mail, and SES requires exactly one MX.
	FindingMailFromMXConflict = "ses.mailfrom-mx-conflict"
	// FindingMailFromCNAME: a CNAME at the MAIL FROM name; no other record can
	// live beside it (RFC 1034 §3.6.2, RFC 2181 §10.1).
	FindingMailFromCNAME = "ses.mailfrom-cname"
	// FindingMailFromSPFNoSES: the SPF record does not include amazonses.com.
	FindingMailFromSPFNoSES = "ses.mailfrom-spf-no-amazonses"

	// DMARC.

	// FindingDMARCDiffers: the published DMARC record differs from the plan's.
	FindingDMARCDiffers = "ses.dmarc-differs"
	// FindingStrictSPF: aspf=s: SES mail from a custom MAIL FROM subdomain can
	// never align through SPF.
	FindingStrictSPF = "ses.dmarc-strict-spf"
	// FindingStrictDKIM: adkim=s with a From domain other than the identity's:
	// the Easy DKIM signature (d=<identity>) does not align.
	FindingStrictDKIM = "ses.dmarc-strict-dkim"
	// FindingNoAlignment: neither SPF nor DKIM can align: DMARC fails for every
	// message.
	FindingNoAlignment = "ses.dmarc-no-alignment"

	// Legacy verification.

	// FindingVerificationMissing: the _amazonses TXT token is absent.
	FindingVerificationMissing = "ses.verification-missing"

	// General.

	// FindingLookupFailed: a DNS lookup failed temporarily; the record could
	// not be checked.
	FindingLookupFailed = "ses.lookup-failed"
)
