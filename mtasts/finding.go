package mtasts

// Finding codes reported by CheckMX and Checker.Check. They are
// stable: users match on them. Findings are domainauth.Finding values.
const (
	// FindingMXNotCovered: an MX host that no mx pattern of the policy
	// matches (RFC 8461 §4.1). An Error in enforce mode, where senders MUST
	// NOT deliver to it (§5); a Warning in testing mode.
	FindingMXNotCovered = "mtasts.mx-not-covered"
	// FindingPatternUnused: an mx pattern that matches none of the MX hosts.
	FindingPatternUnused = "mtasts.pattern-unused"
	// FindingNoMX: no MX host to check the policy against.
	FindingNoMX = "mtasts.no-mx"
	// FindingNullMX: a null MX (RFC 7505) under a policy other than none.
	FindingNullMX = "mtasts.null-mx"
	// FindingModeTesting: the policy is in testing mode (Info).
	FindingModeTesting = "mtasts.mode-testing"
	// FindingModeNone: the policy is in mode none (Info, RFC 8461 §8.3).
	FindingModeNone = "mtasts.mode-none"
	// FindingMaxAgeShort: max_age under a day in enforce or testing mode
	// (RFC 8461 §3.2, §10.2).
	FindingMaxAgeShort = "mtasts.max-age-short"
	// FindingDuplicateField: a field other than mx repeated in the policy,
	// or any field repeated in the record; senders ignore all but the first
	// (RFC 8461 §3.2).
	FindingDuplicateField = "mtasts.duplicate-field"
	// FindingUnknownField: a field RFC 8461 does not define (Info).
	FindingUnknownField = "mtasts.unknown-field"

	// FindingNoRecord: no _mta-sts TXT record (Info: MTA-STS is optional).
	FindingNoRecord = "mtasts.no-record"
	// FindingMultipleRecords: more than one MTA-STS record; senders assume
	// no policy (RFC 8461 §3.1).
	FindingMultipleRecords = "mtasts.multiple-records"
	// FindingInvalidRecord: the MTA-STS record does not parse; senders
	// assume no policy (RFC 8461 §3.1).
	FindingInvalidRecord = "mtasts.invalid-record"
	// FindingInvalidDomain: the domain to check is not a valid domain name.
	FindingInvalidDomain = "mtasts.invalid-domain"
	// FindingLookupFailed: the TXT or MX lookup failed temporarily.
	FindingLookupFailed = "mtasts.lookup-failed"
	// FindingFetchFailed: the policy could not be fetched (connection,
	// TLS, timeout, status other than 200 or a redirect, RFC 8461 §3.3).
	FindingFetchFailed = "mtasts.fetch-failed"
	// FindingRedirect: the policy URL redirects; senders MUST NOT follow
	// it (RFC 8461 §3.3).
	FindingRedirect = "mtasts.redirect"
	// FindingContentType: the policy is not served as text/plain (§3.2).
	FindingContentType = "mtasts.content-type"
	// FindingCertificate: the policy host's certificate is not valid for
	// mta-sts.<domain> (RFC 8461 §3.3).
	FindingCertificate = "mtasts.certificate"
	// FindingCertificateUnknown: the certificate could not be checked (the
	// policy came from a file or a fetcher that does not verify); Info.
	FindingCertificateUnknown = "mtasts.certificate-unknown"
	// FindingPolicyTooLarge: the policy is larger than the size limit.
	FindingPolicyTooLarge = "mtasts.policy-too-large"
	// FindingInvalidPolicy: the policy does not parse (RFC 8461 §3.2).
	FindingInvalidPolicy = "mtasts.invalid-policy"
)
