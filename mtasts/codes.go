package mtasts

// FindingCodes returns the finding codes of package mtasts: those of the
// record, policy and MX checks. Codes are stable; tools match on them, never
// on messages. Each code is "mtasts." and a word, owned by this package: a
// defect of a record another package owns is reported with that package's
// code (see the root package doc). The slice is new on each call.
func FindingCodes() []string {
	return []string{
		// The Finding constants, each documented where it is declared.
		FindingMXNotCovered,
		FindingPatternUnused,
		FindingNoMX,
		FindingNullMX,
		FindingModeTesting,
		FindingModeNone,
		FindingMaxAgeShort,
		FindingDuplicateField,
		FindingUnknownField,
		FindingNoRecord,
		FindingMultipleRecords,
		FindingInvalidRecord,
		FindingInvalidDomain,
		FindingLookupFailed,
		FindingFetchFailed,
		FindingRedirect,
		FindingContentType,
		FindingCertificate,
		FindingCertificateUnknown,
		FindingPolicyTooLarge,
		FindingInvalidPolicy,
	}
}
