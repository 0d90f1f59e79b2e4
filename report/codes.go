package report

// FindingCodes returns the finding codes of package report: those of the
// decoders (Warning, via Warning.Finding) and the summary (Diagnosis, via
// Diagnosis.Finding). Codes are stable; tools match on them, never on
// messages. Each code is "report." and a word, owned by this package: a
// defect of a record another package owns is reported with that package's
// code (see the root package doc). The slice is new on each call.
func FindingCodes() []string {
	return []string{
		// The Finding constants, each documented where it is declared.
		FindingSPFESPEnvelope,
		FindingDKIMESPOnly,
		FindingDMARCReliesOnDKIM,
		FindingSPFUnaligned,
		FindingDKIMUnaligned,
		FindingUnauthenticated,
		FindingForwarded,
		// The decoders' Warning codes (aggregate and failure reports), each
		// described in the package doc.
		"report.bad-ip",
		"report.bad-number",
		"report.bare-ampersand",
		"report.container-truncated",
		"report.date-range-inverted",
		"report.empty-element",
		"report.enum-case",
		"report.enum-unknown",
		"report.failure-bad-encoding",
		"report.failure-bad-field",
		"report.failure-bad-header",
		"report.failure-bad-media-type",
		"report.failure-empty-field",
		"report.failure-encoded-part",
		"report.failure-extra-report",
		"report.failure-missing-field",
		"report.failure-no-original",
		"report.failure-not-multipart-report",
		"report.failure-repeated-field",
		"report.failure-report-type",
		"report.gzip-trailing-data",
		"report.invalid-utf8",
		"report.leading-garbage",
		"report.missing-element",
		"report.multi-day-window",
		"report.nested-gzip",
		"report.no-records",
		"report.out-of-range",
		"report.results-dropped",
		"report.stray-end-tag",
		"report.stray-tag",
		"report.stray-text",
		"report.trailing-content",
		"report.truncated",
		"report.unclosed-element",
		"report.unescaped-lt",
		"report.unknown-element",
		"report.zip-extra-members",
	}
}
