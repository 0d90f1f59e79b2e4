package mx

// FindingCodes returns the finding codes of package mx: those of
// Checker.Check and CheckMailFrom, and the two the whole-domain audit
// reports about an MX set. Codes are stable; tools match on them, never on
// messages. Each code is "mx." and a word, owned by this package: a defect
// of a record another package owns is reported with that package's code (see
// the root package doc). The slice is new on each call.
func FindingCodes() []string {
	return []string{
		// The Finding constants, each documented where it is declared.
		FindingLookupFailed,
		FindingNone,
		FindingImplicit,
		FindingNull,
		FindingNullMixed,
		FindingNullPreference,
		FindingIPLiteral,
		FindingCNAMETarget,
		FindingCNAMEUnknown,
		FindingUnresolvable,
		FindingTargetLookupFailed,
		FindingDuplicate,
		FindingTooManyHosts,
		FindingMailFromNoMX,
		FindingMailFromImplicitMX,
		FindingMailFromNullMX,
		FindingMailFromSPFLookupFailed,
		FindingNullMXSender,
		FindingNoFCrDNS,
	}
}
