package dmarc

import (
	"errors"
	"fmt"

	"github.com/domainauth/domainauth/internal/errs"
)

// SelectRecord picks the DMARC record among the TXT records published at
// qname ("_dmarc." and a domain) and parses it, as a receiver does (RFC 9989
// §4.7, §4.10): texts that are not DMARC records are skipped, and exactly one
// must remain and parse. It returns the record, or nil and the finding that
// says why none applies there, with the code LintDomain gives the same
// defect: FindingNoRecord, FindingMultipleRecords or FindingSyntax, Where
// qname.
//
// Packages that check a DMARC record as part of their own subject (ses
// audits the identity's) report these findings as they are, so that one
// defect carries one code whichever package found it; they may fill in Fix
// for their context.
func SelectRecord(qname string, txts []string) (*Record, *Finding) {
	var (
		n      int     // texts that are DMARC records, broken or not
		rec    *Record // the first of them, parsed once
		recErr error
		broken error // a text that is DMARC but for a missing ';' (ErrSyntax)
	)
	for _, t := range txts {
		r, err := ParseRecord(t)
		switch {
		case !errors.Is(err, ErrNotDMARC):
			if n == 0 {
				rec, recErr = r, err
			}
			n++
		case errors.Is(err, ErrSyntax) && broken == nil:
			broken = err
		}
	}
	switch {
	case n > 1:
		return nil, multipleRecordsFinding(qname, n)
	case n == 0 && broken != nil:
		return nil, &Finding{Code: FindingSyntax, Severity: SeverityError, Where: qname, RFC: "RFC 9989 §4.7",
			Message: errs.Detail("dmarc", broken) + "; receivers ignore the record"}
	case n == 0:
		return nil, &Finding{Code: FindingNoRecord, Severity: SeverityWarning, Where: qname, RFC: "RFC 9989 §4.7",
			Message: "no DMARC record at " + qname}
	}
	if recErr != nil {
		return nil, &Finding{Code: FindingSyntax, Severity: SeverityError, Where: qname, RFC: "RFC 9989 §4.7",
			Message: "DMARC record does not parse: " + errs.Detail("dmarc", recErr)}
	}
	return rec, nil
}

// multipleRecordsFinding is the finding LintDomain and SelectRecord share
// for several DMARC records at qname.
func multipleRecordsFinding(qname string, n int) *Finding {
	return &Finding{Code: FindingMultipleRecords, Severity: SeverityError, Where: qname, RFC: "RFC 9989 §4.10",
		Message: fmt.Sprintf("%d DMARC records at %s: receivers discard them all", n, qname)}
}
