package tlsrpt

// FindingCodes returns the finding codes of package tlsrpt: those of the
// report decoder (Warning). Codes are stable; tools match on them, never on
// messages. Each code is "tlsrpt." and a word, owned by this package: a
// defect of a record another package owns is reported with that package's
// code (see the root package doc). The slice is new on each call.
func FindingCodes() []string {
	return []string{
		// The Finding constants of the TLSRPT record, each documented where
		// it is declared.
		FindingNoRecord,
		FindingMultipleRecords,
		FindingInvalidRecord,
		FindingNoDestination,
		FindingLookupFailed,
		FindingDestinationCannotReceive,
		// The decoder's Warning codes, each described in the package doc.
		"tlsrpt.bad-date",
		"tlsrpt.bad-ip",
		"tlsrpt.bad-number",
		"tlsrpt.container-truncated",
		"tlsrpt.date-range-inverted",
		"tlsrpt.enum-case",
		"tlsrpt.gzip-trailing-data",
		"tlsrpt.leading-garbage",
		"tlsrpt.missing-header",
		"tlsrpt.missing-member",
		"tlsrpt.mx-host-prefix",
		"tlsrpt.mx-host-string",
		"tlsrpt.nested-gzip",
		"tlsrpt.no-policies",
		"tlsrpt.null-member",
		"tlsrpt.out-of-range",
		"tlsrpt.string-not-array",
		"tlsrpt.submitter-mismatch",
		"tlsrpt.summary-mismatch",
		"tlsrpt.trailing-content",
		"tlsrpt.u-label",
		"tlsrpt.unknown-member",
		"tlsrpt.unknown-value",
		"tlsrpt.wrong-type",
		"tlsrpt.zip-extra-members",
	}
}
