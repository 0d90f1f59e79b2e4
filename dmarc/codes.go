package dmarc

// FindingCodes returns the finding codes of package dmarc: those of
// LintText, Record.Lint, Checker.LintDomain and SelectRecord, and the two
// the whole-domain audit reports about DMARC destinations. Codes are stable;
// tools match on them, never on messages. Each code is "dmarc." and a word,
// owned by this package: a defect of a record another package owns is
// reported with that package's code (see the root package doc). The slice is
// new on each call.
func FindingCodes() []string {
	return []string{
		// The Finding constants, each documented where it is declared.
		FindingSyntax,
		FindingNotDMARC,
		FindingLeadingWhitespace,
		FindingDuplicateTag,
		FindingPNotSecond,
		FindingInvalidValue,
		FindingUnknownTag,
		FindingMissingP,
		FindingInvalidPolicy,
		FindingPNoneWithoutRUA,
		FindingWeakerSubdomainPolicy,
		FindingWeakerNonexistentPolicy,
		FindingTestingWithoutEffect,
		FindingPctBelow100,
		FindingObsoleteTag,
		FindingUnknownReportFormat,
		FindingFOConflict,
		FindingRUFWithoutFO,
		FindingFOWithoutRUF,
		FindingTooManyDestinations,
		FindingInvalidURI,
		FindingUnsupportedScheme,
		FindingObsoleteSize,
		FindingInvalidDomain,
		FindingDNSError,
		FindingSPFAtDMARC,
		FindingMultipleRecords,
		FindingRecordAtApex,
		FindingNoRecord,
		FindingBrokenPolicy,
		FindingInheritedPolicy,
		FindingUnauthorizedDestination,
		FindingDestinationCannotReceive,
	}
}
