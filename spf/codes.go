package spf

// FindingCodes returns the finding codes of package spf: those of the
// Linter, SelectRecord and LintRecord. Codes are stable; tools match on
// them, never on messages. Each code is "spf." and a word, owned by this
// package: a defect of a record another package owns is reported with that
// package's code (see the root package doc). The slice is new on each call.
func FindingCodes() []string {
	return []string{
		// The Finding constants, each documented where it is declared.
		FindingNoRecord,
		FindingMultipleRecords,
		FindingSyntax,
		FindingDNSError,
		FindingTooManyLookups,
		FindingLookupCost,
		FindingVoidLookup,
		FindingTooManyVoids,
		FindingTooManyMXNames,
		FindingLoop,
		FindingIncludeNoRecord,
		FindingPTR,
		FindingPassAll,
		FindingNeutralAll,
		FindingNoAll,
		FindingTermsAfterAll,
		FindingRedirectWithAll,
		FindingUnknownModifier,
		FindingLongString,
		FindingLongStringUnknown,
		FindingResponseSize,
		FindingSPFRRType,
		FindingMacro,
		FindingLintLimit,
	}
}
