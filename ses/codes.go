package ses

// FindingCodes returns the finding codes of package ses: those of the
// planner (Plan.Findings), the audit (Audit.Findings) and the alignment
// prediction. Codes are stable; tools match on them, never on messages. Each
// code is "ses." and a word, owned by this package: a defect of a record
// another package owns is reported with that package's code (see the root
// package doc). The slice is new on each call.
func FindingCodes() []string {
	return []string{
		// The Finding constants, each documented where it is declared.
		FindingRegionValueUnconfirmed,
		FindingDKIMTokenFormat,
		FindingNoDKIM,
		FindingBYODKIMKeyWeak,
		FindingDMARCDefault,
		FindingDKIMMissing,
		FindingDKIMWrongTarget,
		FindingDKIMWrongRegion,
		FindingDKIMNotCNAME,
		FindingDKIMUnknown,
		FindingBYODKIMKeyWrong,
		FindingMailFromMXMissing,
		FindingMailFromMXWrong,
		FindingMailFromMXWrongRegion,
		FindingMailFromMXPriority,
		FindingMailFromMXConflict,
		FindingMailFromCNAME,
		FindingMailFromSPFNoSES,
		FindingDMARCDiffers,
		FindingStrictSPF,
		FindingStrictDKIM,
		FindingNoAlignment,
		FindingVerificationMissing,
		FindingLookupFailed,
		FindingHostedZoneNSMissing,
		FindingHostedZoneNSPattern,
		FindingHostedZoneSOAMissing,
		FindingHostedZoneSOA,
		FindingHostedZoneTTL,
	}
}
