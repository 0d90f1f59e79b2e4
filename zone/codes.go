package zone

// FindingCodes returns the finding codes of package zone: those of Check.
// Codes are stable; tools match on them, never on messages. Each code is
// "zone." and a word, owned by this package: a defect of a record another
// package owns is reported with that package's code (see the root package
// doc). The slice is new on each call.
func FindingCodes() []string {
	return []string{
		// The Finding constants, each documented where it is declared.
		FindingParserNote,
		FindingMultipleCNAMEs,
		FindingCNAMEAndOtherData,
		FindingTargetIsCNAME,
		FindingCNAMELoop,
		FindingCNAMEChainTooLong,
	}
}
