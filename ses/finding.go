package ses

import (
	"fmt"

	"github.com/domainauth/domainauth"
)

// Severity ranks a Finding; it is the module-wide domainauth.Severity.
type Severity = domainauth.Severity

// Severities, from least to most serious.
const (
	Info    = domainauth.Info
	Warning = domainauth.Warning
	Error   = domainauth.Error
)

// Finding is one observation of the planner or the audit; it is the
// module-wide domainauth.Finding, so that tools can gather findings from
// every package. Code is stable (see the Code constants); Message is for
// people.
type Finding = domainauth.Finding

func finding(code string, sev Severity, where, rfc, format string, args ...any) Finding {
	return Finding{Code: code, Severity: sev, Where: where, RFC: rfc, Message: fmt.Sprintf(format, args...)}
}

// Finding codes of the planner (Plan.Findings) and the audit
// (Audit.Findings). They are stable: users match on them.
const (
	// Planning.

	// CodeRegionValueUnconfirmed: the plan uses a region-table value that
	// no authoritative source confirms (see Confidence).
	CodeRegionValueUnconfirmed = "ses.region-value-unconfirmed"
	// CodeDKIMTokenFormat: an Easy DKIM token is not 32 characters of
	// [a-z2-7] (the form of every real token seen; warn, do not reject).
	CodeDKIMTokenFormat = "ses.dkim-token-format"
	// CodeNoDKIM: the identity has neither Easy DKIM tokens nor BYODKIM:
	// DMARC can pass only through SPF, and SESv2 cannot verify the domain.
	CodeNoDKIM = "ses.dkim-none"
	// CodeBYODKIMKeyWeak: the BYODKIM key is shorter than 2048 bits.
	CodeBYODKIMKeyWeak = "ses.byodkim-key-weak"
	// CodeDMARCDefault: no DMARC record was given; the plan recommends one.
	CodeDMARCDefault = "ses.dmarc-default"

	// DKIM records.

	// CodeDKIMMissing: an Easy DKIM CNAME (or the BYODKIM TXT) is absent.
	CodeDKIMMissing = "ses.dkim-missing"
	// CodeDKIMWrongTarget: an Easy DKIM CNAME points somewhere other than
	// <token>.<signing zone>.
	CodeDKIMWrongTarget = "ses.dkim-wrong-target"
	// CodeDKIMWrongRegion: an Easy DKIM CNAME points at the right token in
	// another region's signing zone (e.g. dkim.amazonses.com for af-south-1).
	CodeDKIMWrongRegion = "ses.dkim-wrong-region"
	// CodeDKIMNotCNAME: the Easy DKIM name holds records but no CNAME.
	CodeDKIMNotCNAME = "ses.dkim-not-cname"
	// CodeDKIMUnknown: the Resolver cannot report CNAME targets, so the
	// Easy DKIM records cannot be checked (domainauth.CNAMEResolver).
	CodeDKIMUnknown = "ses.dkim-unknown"
	// CodeBYODKIMKeyWrong: the BYODKIM TXT record holds another key.
	CodeBYODKIMKeyWrong = "ses.byodkim-key-wrong"
	// CodeBYODKIMKeyInvalid: the BYODKIM TXT record is not a usable DKIM key
	// record (RFC 6376 §3.6.1).
	CodeBYODKIMKeyInvalid = "ses.byodkim-key-invalid"

	// Custom MAIL FROM.

	// CodeMailFromMXMissing: no MX at the MAIL FROM domain; SES falls back to
	// its own MAIL FROM (or rejects mail, with RejectMessage).
	CodeMailFromMXMissing = "ses.mailfrom-mx-missing"
	// CodeMailFromMXWrong: the MX names a host that is not an SES feedback
	// endpoint.
	CodeMailFromMXWrong = "ses.mailfrom-mx-wrong"
	// CodeMailFromMXWrongRegion: the MX names another region's feedback
	// endpoint. Alone, it is a Warning and the custom MAIL FROM counts as in
	// effect: SES accepts one MX for a MAIL FROM domain that identities in
	// several regions share (FACTS §1.3). Beside other MX records it is an
	// Error.
	CodeMailFromMXWrongRegion = "ses.mailfrom-mx-wrong-region"
	// CodeMailFromMXPriority: the feedback MX has a preference other than 10.
	CodeMailFromMXPriority = "ses.mailfrom-mx-priority"
	// CodeMailFromMXConflict: more MX records than SES's one: the MAIL FROM
	// domain is used to receive mail, and SES requires exactly one MX.
	CodeMailFromMXConflict = "ses.mailfrom-mx-conflict"
	// CodeMailFromCNAME: a CNAME at the MAIL FROM name; no other record can
	// live beside it (RFC 1034 §3.6.2, RFC 2181 §10.1).
	CodeMailFromCNAME = "ses.mailfrom-cname"
	// CodeMailFromSPFMissing: no SPF record at the MAIL FROM domain.
	CodeMailFromSPFMissing = "ses.mailfrom-spf-missing"
	// CodeMailFromSPFMultiple: several SPF records at the MAIL FROM domain
	// (RFC 7208 §4.5: permerror).
	CodeMailFromSPFMultiple = "ses.mailfrom-spf-multiple"
	// CodeMailFromSPFInvalid: the SPF record does not parse (permerror).
	CodeMailFromSPFInvalid = "ses.mailfrom-spf-invalid"
	// CodeMailFromSPFNoSES: the SPF record does not include amazonses.com.
	CodeMailFromSPFNoSES = "ses.mailfrom-spf-no-amazonses"
	// CodeMailFromSPFTooManyLookups: the SPF record needs more than 10
	// DNS-querying terms (RFC 7208 §4.6.4: permerror).
	CodeMailFromSPFTooManyLookups = "ses.mailfrom-spf-too-many-lookups"

	// DMARC.

	// CodeDMARCMissing: no DMARC record at _dmarc.<domain>.
	CodeDMARCMissing = "ses.dmarc-missing"
	// CodeDMARCMultiple: several DMARC records (no policy applies).
	CodeDMARCMultiple = "ses.dmarc-multiple"
	// CodeDMARCInvalid: the DMARC record does not parse.
	CodeDMARCInvalid = "ses.dmarc-invalid"
	// CodeDMARCNoneNoRUA: p=none and no rua: the policy does nothing and
	// nobody receives the reports.
	CodeDMARCNoneNoRUA = "ses.dmarc-none-no-rua"
	// CodeDMARCDiffers: the published DMARC record differs from the plan's.
	CodeDMARCDiffers = "ses.dmarc-differs"
	// CodeStrictSPF: aspf=s: SES mail from a custom MAIL FROM subdomain can
	// never align through SPF.
	CodeStrictSPF = "ses.dmarc-strict-spf"
	// CodeStrictDKIM: adkim=s with a From domain other than the identity's:
	// the Easy DKIM signature (d=<identity>) does not align.
	CodeStrictDKIM = "ses.dmarc-strict-dkim"
	// CodeNoAlignment: neither SPF nor DKIM can align: DMARC fails for every
	// message.
	CodeNoAlignment = "ses.dmarc-no-alignment"

	// Legacy verification.

	// CodeVerificationMissing: the _amazonses TXT token is absent.
	CodeVerificationMissing = "ses.verification-missing"

	// General.

	// CodeLookupFailed: a DNS lookup failed temporarily; the record could
	// not be checked.
	CodeLookupFailed = "ses.lookup-failed"
)
