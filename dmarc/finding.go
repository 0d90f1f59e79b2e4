package dmarc

// The finding codes of LintText, Record.Lint and Checker.LintDomain. They are
// stable: tools match on them, never on the message.
const (
	// FindingSyntax: a tag-spec or record that does not follow the grammar (RFC 9989 §4.7, §4.8).
	FindingSyntax = "dmarc.syntax"
	// FindingNotDMARC: a text that is not a DMARC record where one was expected (RFC 9989 §4.7).
	FindingNotDMARC = "dmarc.not-dmarc"
	// FindingLeadingWhitespace: whitespace before v=DMARC1.
	FindingLeadingWhitespace = "dmarc.leading-whitespace"
	// FindingDuplicateTag: a tag given twice (RFC 6376 §3.2).
	FindingDuplicateTag = "dmarc.duplicate-tag"
	// FindingPNotSecond: p is not the tag after v (RFC 7489 §6.3).
	FindingPNotSecond = "dmarc.p-not-second"
	// FindingInvalidValue: a tag value the syntax forbids, ignored (RFC 9989 §4.8).
	FindingInvalidValue = "dmarc.invalid-value"
	// FindingUnknownTag: an unknown tag, ignored (RFC 9989 §4.7).
	FindingUnknownTag = "dmarc.unknown-tag"
	// FindingMissingP: no p tag.
	FindingMissingP = "dmarc.missing-p"
	// FindingInvalidPolicy: a p, sp or np value that is not a policy (RFC 9989 §4.10.1).
	FindingInvalidPolicy = "dmarc.invalid-policy"
	// FindingPNoneWithoutRUA: p=none with no rua: a policy that neither protects nor reports (RFC 9989 §3.2.12).
	FindingPNoneWithoutRUA = "dmarc.p-none-without-rua"
	// FindingWeakerSubdomainPolicy: sp weaker than p.
	FindingWeakerSubdomainPolicy = "dmarc.weaker-subdomain-policy"
	// FindingWeakerNonexistentPolicy: np weaker than sp or p.
	FindingWeakerNonexistentPolicy = "dmarc.weaker-nonexistent-policy"
	// FindingTestingWithoutEffect: t=y with p=none, which has no effect.
	FindingTestingWithoutEffect = "dmarc.testing-without-effect"
	// FindingPctBelow100: pct below 100 (RFC 9989 Appendix A.6).
	FindingPctBelow100 = "dmarc.pct-below-100"
	// FindingObsoleteTag: a tag RFC 9989 removed (Appendix C.5.2).
	FindingObsoleteTag = "dmarc.obsolete-tag"
	// FindingUnknownReportFormat: an rf value that is not registered (RFC 7489 §6.3).
	FindingUnknownReportFormat = "dmarc.unknown-report-format"
	// FindingFOConflict: fo=0 and fo=1 together.
	FindingFOConflict = "dmarc.fo-conflict"
	// FindingRUFWithoutFO: ruf with the default fo.
	FindingRUFWithoutFO = "dmarc.ruf-without-fo"
	// FindingFOWithoutRUF: fo without ruf, ignored.
	FindingFOWithoutRUF = "dmarc.fo-without-ruf"
	// FindingTooManyDestinations: more report URIs than receivers need to honour (RFC 7489 §6.2).
	FindingTooManyDestinations = "dmarc.too-many-destinations"
	// FindingInvalidURI: a report URI that does not parse, ignored (RFC 9989 §4.6).
	FindingInvalidURI = "dmarc.invalid-uri"
	// FindingUnsupportedScheme: a report URI of a scheme other than mailto.
	FindingUnsupportedScheme = "dmarc.unsupported-scheme"
	// FindingObsoleteSize: a report URI with the obsolete !size suffix.
	FindingObsoleteSize = "dmarc.obsolete-size"
	// FindingInvalidDomain: the domain asked about is not a domain name.
	FindingInvalidDomain = "dmarc.invalid-domain"
	// FindingDNSError: a DNS lookup failed.
	FindingDNSError = "dmarc.dns-error"
	// FindingSPFAtDMARC: an SPF record published at _dmarc.<domain>.
	FindingSPFAtDMARC = "dmarc.spf-at-dmarc"
	// FindingMultipleRecords: several DMARC records at one name: receivers discard them all (RFC 9989 §4.10).
	FindingMultipleRecords = "dmarc.multiple-records"
	// FindingRecordAtApex: a DMARC record at the domain itself instead of _dmarc.<domain> (RFC 9989 §4.5).
	FindingRecordAtApex = "dmarc.record-at-apex"
	// FindingNoRecord: no DMARC policy applies to the domain.
	FindingNoRecord = "dmarc.no-record"
	// FindingBrokenPolicy: the record that applies, above the domain, is broken.
	FindingBrokenPolicy = "dmarc.broken-policy"
	// FindingInheritedPolicy: the policy that applies comes from the Organizational or Public Suffix Domain.
	FindingInheritedPolicy = "dmarc.inherited-policy"
	// FindingUnauthorizedDestination: an external report destination that has not authorised the domain (RFC 9990 §3).
	FindingUnauthorizedDestination = "dmarc.unauthorized-destination"
)
