package dkim

// FindingCodes returns the finding codes of package dkim: those of the
// key-record and signature lints and CheckSelector. Codes are stable; tools
// match on them, never on messages. Each code is "dkim." and a word, owned
// by this package: a defect of a record another package owns is reported
// with that package's code (see the root package doc). The slice is new on
// each call.
func FindingCodes() []string {
	return []string{
		// The Finding constants, each documented where it is declared.
		FindingKeySyntax,
		FindingKeyUnknownType,
		FindingKeyRevoked,
		FindingKeyTooShort,
		FindingKeyWeak,
		FindingKeyTooLong,
		FindingKeyTesting,
		FindingKeySHA1Only,
		FindingKeyUnknownHash,
		FindingKeyNotEmail,
		FindingKeyGranularity,
		FindingKeyExpirationTag,
		FindingKeyUnknownTag,
		FindingSelectorInvalid,
		FindingSelectorNoKey,
		FindingSelectorLookupFailed,
		FindingSelectorMultipleKeys,
		FindingSelectorUnusable,
	}
}
