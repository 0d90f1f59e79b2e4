package spf

import "fmt"

// SelectRecord picks the SPF record among the TXT records published at
// name and parses it, as a receiver does (RFC 7208 §4.5): exactly one TXT
// record starting "v=spf1" must be there, and it must parse. It returns the
// record, or nil and the finding that says why none applies, with the code
// and text the Linter gives the same defect: FindingNoRecord, FindingMultipleRecords
// or FindingSyntax, Where name.
//
// Packages that check an SPF record as part of their own subject (mx and ses
// at a MAIL FROM domain) report these findings as they are, so that one
// defect carries one code whichever package found it; they may raise the
// severity and fill in Fix for their context.
func SelectRecord(name string, txts []string) (*Record, *Finding) {
	var found []string
	for _, t := range txts {
		if IsSPF(t) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return nil, noRecordFinding(name)
	case 1:
	default:
		return nil, multipleRecordsFinding(name, len(found))
	}
	rec, err := ParseRecord(found[0])
	if err != nil {
		return nil, syntaxFinding(name, err)
	}
	return rec, nil
}

// The findings the Linter and SelectRecord share.

func noRecordFinding(name string) *Finding {
	return &Finding{Code: FindingNoRecord, Severity: Warning, Message: "no SPF record: receivers get none", Where: name, RFC: "RFC 7208 §4.5"}
}

func multipleRecordsFinding(name string, n int) *Finding {
	return &Finding{Code: FindingMultipleRecords, Severity: Error, Message: fmt.Sprintf("%d SPF records: receivers return permerror", n),
		Where: name, RFC: "RFC 7208 §4.5"}
}

func syntaxFinding(name string, err error) *Finding {
	return &Finding{Code: FindingSyntax, Severity: Error, Message: err.Error(), Where: name, RFC: "RFC 7208 §4.6"}
}
