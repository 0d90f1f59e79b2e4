package bimi

// FindingCodes returns the finding codes of package bimi: those of the
// record, DMARC-precondition, SVG and certificate checks. Codes are stable;
// tools match on them, never on messages. Each code is "bimi." and a word,
// owned by this package: a defect of a record another package owns is
// reported with that package's code (see the root package doc). The slice is
// new on each call.
func FindingCodes() []string {
	return []string{
		// The Finding constants, each documented where it is declared.
		FindingRecordMissing,
		FindingRecordInvalid,
		FindingRecordMultiple,
		FindingRecordTempError,
		FindingDeclined,
		FindingAvatarInvalid,
		FindingNoEvidence,
		FindingNoLocation,
		FindingOrgFallback,
		FindingUnknownTag,
		FindingDMARCMissing,
		FindingDMARCNotEnforcing,
		FindingDMARCSubdomainNone,
		FindingDMARCPct,
		FindingDMARCTesting,
		FindingDMARCTempError,
		FindingFetchFailed,
		FindingSVGTooLarge,
		FindingSVGContentType,
		FindingSVGMalformed,
		FindingSVGEntity,
		FindingSVGDoctype,
		FindingSVGRoot,
		FindingSVGBaseProfile,
		FindingSVGVersion,
		FindingSVGTitle,
		FindingSVGScript,
		FindingSVGExternalRef,
		FindingSVGAnimation,
		FindingSVGRaster,
		FindingSVGElement,
		FindingSVGRootXY,
		FindingSVGNoViewBox,
		FindingSVGNotSquare,
		FindingSVGTooManyFindings,
		FindingCertMalformed,
		FindingCertTooLarge,
		FindingCertEKU,
		FindingCertLogotype,
		FindingCertLogo,
		FindingCertLogoMismatch,
		FindingCertSAN,
		FindingCertExpired,
		FindingCertNotYetValid,
		FindingCertChain,
		FindingCertChainUnknown,
	}
}
